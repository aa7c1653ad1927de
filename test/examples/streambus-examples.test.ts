/**
 * @module test/examples/streambus-examples
 * The StreamBusCluster examples (`examples/streambus/`, issue 13), each applied unchanged with
 * `kubectl apply -n <its namespace>` to the real API server, scheduler, controller-manager and
 * kwok nodes, then reconciled as the worker host would: each reaches Running, or a Ready
 * condition that names exactly what the environment lacks for it; providing that (the Secrets an
 * example names) then brings it to Running. A StatefulSet the API server refuses stays
 * `Failed`/`ObjectRejected` with the API server's words.
 */
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { Builtin, findCondition, refOf, type KubeObject } from '../../runtime/index.js';
import { reconcileObject } from '../../runtime/worker/reconcile-object.js';
import { streamBusClusterFunction } from '../../functions/streambus-cluster/index.js';
import { StreamBusClusterKind } from '../../shared/index.js';
import { repoRoot } from '../env/paths.js';
import { adminClient, testContext } from '../helpers/context.js';
import { installCrds } from '../helpers/crds.js';
import { isolation } from '../helpers/env.js';
import { kubectl, useNamespace } from '../helpers/kube.js';
import { phaseOf, reconcileUntil, serviceMonitorCrdExists } from '../fixtures/streambus/fixtures.js';

const EXAMPLES = path.join(repoRoot, 'examples', 'streambus');

/** The production example's StorageClass, on the environment's kwok provisioner. */
const FAST_SSD = `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast-ssd
provisioner: kwok.x-k8s.io/volume
reclaimPolicy: Delete
volumeBindingMode: Immediate
`;

const at = (v: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>(
    (cur, k) => (cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined),
    v,
  );

const ready = (obj: KubeObject) => findCondition(obj.status, 'Ready');

/** Applies `examples/streambus/<file>.yaml` unchanged in a namespace of its own; returns the cluster. */
async function applyExample(t: ExecutionContext, file: string, name: string) {
  const { namespace } = isolation(`sbx-${file}`);
  await installCrds();
  await useNamespace(t, namespace);
  await kubectl(['apply', '-n', namespace, '-f', path.join(EXAMPLES, `${file}.yaml`)]);
  const obj = await adminClient().get(StreamBusClusterKind, namespace, name);
  if (!obj) throw new Error(`kubectl apply did not create ${name}`);
  const ref = refOf(StreamBusClusterKind, obj);
  return { namespace, ref, ctx: testContext(StreamBusClusterKind, { about: ref }) };
}

const running = (replicas: number) => (obj: KubeObject) =>
  phaseOf(obj) === 'Running' &&
  at(obj, 'status', 'readyReplicas') === replicas &&
  ready(obj)?.status === 'True';

async function brokerPods(namespace: string, instance: string): Promise<KubeObject[]> {
  return adminClient().listAll(Builtin.Pod, namespace, {
    labelSelector: `app.kubernetes.io/name=streambus-broker,app.kubernetes.io/instance=${instance}`,
  });
}

async function createSecrets(namespace: string, names: readonly string[]): Promise<void> {
  const pem = Buffer.from('not a real key').toString('base64');
  for (const name of names) {
    await adminClient().create(Builtin.Secret, {
      metadata: { name, namespace },
      data: { 'tls.crt': pem, 'tls.key': pem, 'ca.crt': pem, 'jwt.pub': pem },
    });
  }
}

test('minimal.yaml reaches Running with three brokers spread over the three nodes', async (t) => {
  const { namespace, ref, ctx } = await applyExample(t, 'minimal', 'streambus-minimal');
  await reconcileUntil(ref, ctx, 'the minimal cluster to run', running(3));
  const pods = await brokerPods(namespace, 'streambus-minimal');
  t.is(pods.length, 3);
  t.is(new Set(pods.map((p) => at(p, 'spec', 'nodeName'))).size, 3, "Sluice's anti-affinity spread them");
  t.is(
    at(
      pods[0],
      'spec',
      'affinity',
      'podAntiAffinity',
      'preferredDuringSchedulingIgnoredDuringExecution',
      '0',
      'podAffinityTerm',
      'topologyKey',
    ),
    'kubernetes.io/hostname',
  );
});

test('dev.yaml reaches Running with one broker, its typed and passed-through settings in the ConfigMap', async (t) => {
  const { namespace, ref, ctx } = await applyExample(t, 'dev', 'streambus-dev');
  await reconcileUntil(ref, ctx, 'the dev cluster to run', running(1));
  const cm = await adminClient().get(Builtin.ConfigMap, namespace, 'streambus-dev-config');
  const file = String(at(cm, 'data', 'broker.yaml'));
  t.regex(file, /max_connections: 100\n/);
  t.regex(file, /max_message_size: 1048576\n/);
  t.regex(file, /topics:\n {2}auto_create: true\n/);
  const [pod] = await brokerPods(namespace, 'streambus-dev');
  t.is(at(pod, 'metadata', 'labels', 'environment'), 'development');
});

test('production.yaml names what the environment lacks, its StorageClass and Secret, then its nodes once the class exists', async (t) => {
  const { ref, ctx } = await applyExample(t, 'production', 'streambus-production');
  const { obj } = await reconcileUntil(ref, ctx, 'the missing class and Secret to be named', (o) =>
    /StorageClass fast-ssd/.test(ready(o)?.message ?? ''),
  );
  const condition = ready(obj);
  t.is(condition?.status, 'False');
  t.is(condition?.reason, 'SecretNotFound', 'the first missing piece gives the reason');
  const message = condition?.message ?? '';
  t.regex(message, /Secret streambus-tls-certs \(spec\.security\.tls\.certSecretName\)/);
  t.regex(message, /StorageClass fast-ssd \(spec\.storage\.class\) does not exist/);
  if (!(await serviceMonitorCrdExists())) {
    t.regex(message, /does not serve monitoring\.coreos\.com\/v1 ServiceMonitors/);
  }
  t.like(findCondition(obj.status, 'Degraded'), { status: 'True', reason: 'SecretNotFound' });
  t.is(phaseOf(obj), 'Creating');

  // With the class (on the environment's provisioner) the claims bind, and what is left is the
  // nodes: none is labelled workload=streaming.
  await kubectl(['apply', '--server-side', '-f', '-'], FAST_SSD);
  t.teardown(() =>
    kubectl(['delete', 'storageclass', 'fast-ssd', '--ignore-not-found']).then(() => undefined),
  );
  const { obj: later } = await reconcileUntil(ref, ctx, 'the unschedulable brokers to be named', (o) =>
    /cannot place/.test(ready(o)?.message ?? ''),
  );
  const now = ready(later)?.message ?? '';
  t.notRegex(now, /StorageClass fast-ssd/);
  t.regex(
    now,
    /the scheduler cannot place broker pods? streambus-production-\d.*: 0\/\d+ nodes are available/,
  );
  t.regex(now, /spec\.nodeSelector asks for nodes labelled workload=streaming/);
});

test('secure.yaml waits for its three Secrets, naming each, then runs with them mounted', async (t) => {
  const { namespace, ref, ctx } = await applyExample(t, 'secure', 'streambus-secure');
  const { obj } = await reconcileUntil(
    ref,
    ctx,
    'the Secrets to be named',
    (o) => ready(o)?.reason === 'SecretNotFound',
  );
  const message = ready(obj)?.message ?? '';
  for (const name of ['streambus-tls-certs', 'streambus-ca-cert', 'streambus-jwt-secret'])
    t.regex(message, new RegExp(`Secret ${name} `));
  await createSecrets(namespace, ['streambus-tls-certs', 'streambus-ca-cert', 'streambus-jwt-secret']);
  await reconcileUntil(ref, ctx, 'the secure cluster to run', running(3));
  for (const pod of await brokerPods(namespace, 'streambus-secure')) {
    const mounts = at(pod, 'spec', 'containers') as {
      volumeMounts?: { name: string; mountPath: string }[];
    }[];
    t.deepEqual(
      mounts[0]?.volumeMounts?.filter((m) => ['tls', 'ca', 'jwt'].includes(m.name)).map((m) => m.mountPath),
      ['/etc/streambus/tls', '/etc/streambus/ca', '/etc/streambus/jwt'],
    );
  }
  t.truthy(await adminClient().get(Builtin.NetworkPolicy, namespace, 'streambus-secure'));
});

test('multi-tenant.yaml waits for its TLS and JWT Secrets, then runs with every tenant in broker.yaml', async (t) => {
  const { namespace, ref, ctx } = await applyExample(t, 'multi-tenant', 'streambus-multitenant');
  const { obj } = await reconcileUntil(
    ref,
    ctx,
    'the Secrets to be named',
    (o) => ready(o)?.reason === 'SecretNotFound',
  );
  t.regex(
    ready(obj)?.message ?? '',
    /Secret streambus-tls-certs .*Secret streambus-jwt-secret \(spec\.security\.authentication\.jwtSecretName\)/,
  );
  await createSecrets(namespace, ['streambus-tls-certs', 'streambus-jwt-secret']);
  await reconcileUntil(ref, ctx, 'the multi-tenant cluster to run', running(3));
  const file = String(
    at(
      await adminClient().get(Builtin.ConfigMap, namespace, 'streambus-multitenant-config'),
      'data',
      'broker.yaml',
    ),
  );
  t.regex(file, /id: "premium-tenant-1"/);
  t.regex(file, /id: "basic-tenant-1"/);
  t.regex(file, /key_dir: "\/etc\/streambus\/jwt"/);
  t.regex(file, /max_connections: 50000\n/);
});

test('a StatefulSet the API server refuses stays Failed/ObjectRejected with its words', async (t) => {
  const { namespace } = isolation('sbx-rejected');
  await installCrds();
  await useNamespace(t, namespace);
  // secure.yaml with the AppArmor annotation naming a container the broker pod has not got.
  const manifest = (
    await kubectl(['create', '--dry-run=client', '-o', 'json', '-f', path.join(EXAMPLES, 'secure.yaml')])
  ).trim();
  const doc = JSON.parse(manifest) as KubeObject & { spec: Record<string, unknown> };
  const spec = {
    ...doc.spec,
    podAnnotations: { 'container.apparmor.security.beta.kubernetes.io/manager': 'runtime/default' },
  };
  const obj = await adminClient().create(StreamBusClusterKind, {
    ...doc,
    metadata: { name: 'rejected', namespace },
    spec,
  });
  const ref = refOf(StreamBusClusterKind, obj);
  const ctx = testContext(StreamBusClusterKind, { about: ref });
  await t.throwsAsync(reconcileObject(streamBusClusterFunction, ref, ctx));
  const after = await adminClient().get(StreamBusClusterKind, namespace, 'rejected');
  t.is(phaseOf(after ?? obj), 'Failed');
  t.like(ready(after ?? obj), { status: 'False', reason: 'ObjectRejected' });
  t.regex(ready(after ?? obj)?.message ?? '', /manager/);
});
