/**
 * The chart on the real control plane, end to end: a release installed with server-side apply,
 * then the dispatcher and every worker group run in this process exactly as their pods would
 * (the Deployment's environment loaded with `loadConfig`, a kubeconfig holding a TokenRequest
 * token of the pod's ServiceAccount). With nothing but the chart's RBAC they bring the seed
 * examples to Running and Ready on the real brokers, serve the KEDA metric with the chart's token,
 * and clean up through the finalizers when the objects are deleted.
 */
import test, { type ExecutionContext } from 'ava';
import { Redis } from 'ioredis';
import { startDispatcher } from '../../runtime/dispatcher/main.js';
import { startWorkers } from '../../runtime/worker/main.js';
import { SLUICE_FUNCTIONS } from '../../functions/index.js';
import { jetStreamName } from '../../functions/tawon-stream/naming.js';
import {
  Builtin,
  createLogger,
  findCondition,
  isRecord,
  loadConfig,
  type KubeObject,
  type ResourceType,
} from '../../runtime/index.js';
import {
  ClusterStreamKind,
  DirectiveKind,
  StreamBusClusterKind,
  StreamStoreKind,
  TanzuStreamKind,
  TawonStreamKind,
} from '../../shared/index.js';
import { adminClient } from '../helpers/context.js';
import { installCrds } from '../helpers/crds.js';
import { suffix, testEnv } from '../helpers/env.js';
import { eventually, useNamespace } from '../helpers/kube.js';
import { ensureStandardStorageClass, seedCluster } from '../fixtures/streambus/fixtures.js';
import {
  cleanupClusterStream,
  closeBrokers,
  kafkaAdmin,
  natsConnection,
  readyReason,
  seedClusterStream,
  statusOf,
  stream,
  topicExists,
} from '../fixtures/tanzu/fixtures.js';
import { applyExample, ensureStorageClass, natsHostPort } from '../fixtures/tawon/fixtures.js';
import { installRelease, type Release } from './release.js';
import { dispatchScope } from './scope.js';
import { container } from 'tsyringe';
import { provideOperatorNeeds } from '../../shared/providers.js';
import { buildHelm } from '../env/build-helm.js';

test.before('helm is built from the Go module proxy (once, into the build cache)', async (t) => {
  t.timeout(10 * 60_000);
  await buildHelm();
});

test.after.always(closeBrokers);

const phase = (o: KubeObject | undefined): unknown => statusOf(o).phase;
const ready = (o: KubeObject | undefined): string | undefined => findCondition(o?.status, 'Ready')?.status;

/** Waits until the object satisfies `done`, and returns it. */
function until(
  kind: ResourceType,
  namespace: string | undefined,
  name: string,
  what: string,
  done: (o: KubeObject) => boolean,
  timeoutMs = 180_000,
): Promise<KubeObject> {
  return eventually(
    what,
    async () => {
      const o = await adminClient().get(kind, namespace, name);
      return o && done(o) ? o : undefined;
    },
    timeoutMs,
    500,
  );
}

function gone(kind: ResourceType, namespace: string | undefined, name: string): Promise<boolean> {
  return eventually(
    `${kind.kind} ${name} to be gone`,
    async () => !(await adminClient().get(kind, namespace, name)),
    120_000,
    500,
  );
}

/** Starts the dispatcher and every worker group of the release; stops them at teardown. */
async function startRelease(
  t: ExecutionContext,
  release: Release,
  scope: { namespaces: string[]; clusterPrefix: string },
) {
  const dispatcherName = `${release.name}-dispatcher`;
  const dispatcher = await startDispatcher(await release.configFor(dispatcherName), SLUICE_FUNCTIONS, {
    httpPort: 0,
    httpHost: '127.0.0.1',
    scope: dispatchScope(scope),
  });
  const workerDeployments = release.objects
    .filter((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === 'worker')
    .map((o) => o.metadata.name ?? '');
  const workers = await Promise.all(
    workerDeployments.map(async (d) => {
      const args = release.argsOf(d);
      const kinds = (args[args.indexOf('--kinds') + 1] ?? '').split(',');
      const concurrency = Number(args[args.indexOf('--concurrency') + 1]);
      // The pod's --http-port, on any free port here (several workers share this process).
      t.is(args[args.indexOf('--http-port') + 1], '8080');
      // As `sluice worker` does: the functions' needs provided in a container of their own.
      const variables = await release.variablesFor(d);
      const c = container.createChildContainer();
      const needs = provideOperatorNeeds(c, variables, createLogger({ level: 'silent' }));
      t.teardown(() => needs.close());
      return startWorkers(loadConfig(variables), SLUICE_FUNCTIONS, {
        kinds,
        concurrency,
        httpPort: 0,
        container: c,
      });
    }),
  );
  t.teardown(async () => {
    await dispatcher.stop();
    await Promise.all(workers.map((w) => w.stop()));
  });
  return { dispatcher, workers, workerDeployments };
}

interface Mode {
  /** Render with config.watchNamespace set to the application namespace (namespaced RBAC). */
  readonly watchNamespace: boolean;
}

const e2e = test.macro(async (t, mode: Mode) => {
  t.timeout(10 * 60_000);
  const id = suffix();
  const name = `sluice-e2e-${id}`;
  const ns = `t-deploy-${id}`;
  const apps = `t-deploy-${id}-apps`;
  const topicPrefix = `t.deploy.${id}.`;
  const clusterPrefix = `e2e-${id}`;
  const env = testEnv();
  await installCrds();
  await useNamespace(t, ns);
  await useNamespace(t, apps);
  await Promise.all([ensureStandardStorageClass(), ensureStorageClass('ssd-csi')]);
  const kafka = await kafkaAdmin(t, topicPrefix);
  const nats = await natsConnection(t, `${apps}_`);

  const config = {
    queuePrefix: `test-${id}`,
    // Resync is the one path that ignores the test's scope: push it out of the test's lifetime.
    resyncSeconds: 2_000_000_000,
    logLevel: 'warn',
    kafka: { brokers: env.kafkaBrokers },
    nats: { url: env.natsUrl },
    endpointOverrides: { [`mystreamstore.${apps}.svc:4222`]: natsHostPort() },
  };
  const { release, applied } = await installRelease(t, name, ns, {
    redis: { url: env.redisUrl },
    ...(mode.watchNamespace
      ? { config: { ...config, watchNamespace: apps } }
      : { config, rbac: { secretNamespaces: [apps] } }),
  });
  t.regex(applied, new RegExp(`deployment.apps/${name}-dispatcher serverside-applied`));
  t.regex(
    applied,
    new RegExp(`clusterrole.rbac.authorization.k8s.io/${name}-worker-tanzu serverside-applied`),
  );

  // Objects with finalizers must not outlive the workers (the namespaces could not go away).
  t.teardown(async () => {
    const kube = adminClient();
    for (const s of await kube.listAll(TawonStreamKind, apps).catch(() => [])) {
      await kube
        .patch(TawonStreamKind, apps, s.metadata.name ?? '', { metadata: { finalizers: null } })
        .catch(() => undefined);
    }
  });
  const seedCs = `${clusterPrefix}-seed`;
  const clicks = `${clusterPrefix}-clicks`;
  cleanupClusterStream(t, seedCs);
  cleanupClusterStream(t, `${clicks}-cluster-stream`);
  await adminClient().create(Builtin.Secret, {
    metadata: { name: 'kafka-binding', namespace: ns },
    type: 'servicebinding.io/kafka',
    stringData: { type: 'kafka', provider: 'test' },
  });

  // The queues' keys go once the processes have stopped (teardowns run last-registered first).
  t.teardown(async () => {
    const redis = new Redis(env.redisUrl);
    const keys = await redis.keys(`${config.queuePrefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });
  const running = await startRelease(t, release, { namespaces: [ns, apps], clusterPrefix });
  t.deepEqual(running.workerDeployments.sort(), [
    `${name}-worker-streambus`,
    `${name}-worker-tanzu`,
    `${name}-worker-tawon`,
  ]);

  // The seed examples, as users apply them.
  const kube = adminClient();
  await kube.create(StreamBusClusterKind, seedCluster('basic', apps));
  await applyExample('streamstore', apps);
  await applyExample('stream', apps);
  await applyExample('directive', apps);
  await kube.create(ClusterStreamKind, seedClusterStream(seedCs, topicPrefix));
  await kube.create(
    TanzuStreamKind,
    stream(apps, clicks, { name: `${topicPrefix}clicks`, protocol: 'kafka' }),
  );

  const [bus, store, mystream, directive, cs, tanzu] = await Promise.all([
    until(
      StreamBusClusterKind,
      apps,
      'my-cluster',
      'the StreamBusCluster to run',
      (o) => phase(o) === 'Running',
    ),
    until(StreamStoreKind, apps, 'mystreamstore', 'the StreamStore to run', (o) => phase(o) === 'Running'),
    until(TawonStreamKind, apps, 'mystream', 'the Tawon Stream to be ready', (o) => ready(o) === 'True'),
    until(DirectiveKind, apps, 'capture-coredns', 'the Directive to be ready', (o) => ready(o) === 'True'),
    until(
      ClusterStreamKind,
      undefined,
      seedCs,
      'the seed ClusterStream to be ready',
      (o) => ready(o) === 'True',
    ),
    until(
      TanzuStreamKind,
      apps,
      clicks,
      'the tanzu Stream to be deployed',
      (o) => readyReason(o) === 'StreamDeployed',
    ),
  ]);
  t.is(statusOf(bus).readyReplicas, 3);
  t.is(statusOf(store).endpoint, `nats://mystreamstore.${apps}.svc:4222`);
  t.is(statusOf(mystream).observedGeneration, mystream.metadata.generation);
  const jsm = await nats.jetstreamManager();
  t.is(
    (await jsm.streams.info(jetStreamName(apps, 'mystream'))).config.name,
    jetStreamName(apps, 'mystream'),
  );
  t.is(ready(await kube.get(TawonStreamKind, apps, 'coredns')), 'True', 'the Directive created its Stream');
  t.is(ready(directive), 'True');
  t.true(await topicExists(kafka, `${topicPrefix}topicNme`), 'the seed ClusterStream has its Kafka topic');
  t.true(await topicExists(kafka, `${topicPrefix}clicks`), 'the tanzu Stream has its Kafka topic');
  t.is(ready(cs), 'True');
  const binding = statusOf(tanzu).binding;
  const bindingName = isRecord(binding) ? String(binding.name) : '';
  t.truthy(await kube.get(Builtin.Secret, apps, bindingName), 'the Stream published its binding Secret');
  t.truthy(await kube.get(ClusterStreamKind, undefined, `${clicks}-cluster-stream`), 'auto-provisioned');

  // The leader Lease, and Events written by the workers.
  const lease = await kube.get(Builtin.Lease, ns, `${name}-dispatcher`);
  t.is(isRecord(lease?.spec) ? lease.spec.holderIdentity : undefined, `${name}-dispatcher-test-0`);
  const events = await kube.list(Builtin.Event, apps);
  t.true((events.items ?? []).some((e) => isRecord(e.source) && e.source.component === 'sluice-worker'));

  // Each worker's probes and metrics, as its pod's probes and the ServiceMonitor read them.
  for (const w of running.workers) {
    const base = `http://127.0.0.1:${w.httpPort ?? 0}`;
    t.is((await fetch(`${base}/readyz`)).status, 200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    t.regex(metrics, /sluice_reconcile_total\{kind="[A-Za-z]+",result="success"\} [1-9]/);
  }

  // The KEDA metric, with the token of the chart's Secret (read from the mounted file).
  const token = await kube.get(Builtin.Secret, ns, `${name}-api-token`);
  const value = isRecord(token?.data) ? Buffer.from(String(token.data.token), 'base64').toString() : '';
  const url = `http://127.0.0.1:${running.dispatcher.port}/api/v1/queues/stream.tawon.mantisnet.com/work`;
  const ok = await fetch(url, { headers: { authorization: `Bearer ${value}` } });
  t.is(ok.status, 200);
  t.like(await ok.json(), { queue: '{stream.tawon.mantisnet.com}' });
  t.is((await fetch(url)).status, 401);

  // Deletion runs the finalizers and the reclaim, with the same rights.
  await kube.delete(TawonStreamKind, apps, 'mystream');
  await kube.delete(TanzuStreamKind, apps, clicks);
  await kube.delete(ClusterStreamKind, undefined, seedCs);
  await Promise.all([
    gone(TawonStreamKind, apps, 'mystream'),
    gone(ClusterStreamKind, undefined, `${clicks}-cluster-stream`),
    gone(ClusterStreamKind, undefined, seedCs),
  ]);
  await t.throwsAsync(
    jsm.streams.info(jetStreamName(apps, 'mystream')),
    undefined,
    'the JetStream stream is gone',
  );
  t.true(
    await eventually(
      'the auto-provisioned topic to be reclaimed (Delete)',
      async () => !(await topicExists(kafka, `${topicPrefix}clicks`)),
      30_000,
    ),
  );
  t.true(await topicExists(kafka, `${topicPrefix}topicNme`), 'the seed topic is retained (Retain)');
});

test(
  'installed from the chart, the dispatcher and the workers with only their ServiceAccounts’ rights run every seed example to Running and Ready',
  e2e,
  { watchNamespace: false },
);

test('with config.watchNamespace (namespaced RBAC), the same examples run to Running and Ready', e2e, {
  watchNamespace: true,
});
