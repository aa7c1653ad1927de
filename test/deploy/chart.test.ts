/**
 * The Helm chart, rendered by the real `helm` (built from the Go module proxy): it lints, its CRDs
 * are the repository's, the plain manifests are current, and what it renders holds the promises of
 * deploy/README.md (workloads, security, KEDA, Redis, token, settings). Monitoring and RBAC are in
 * chart-monitoring.test.ts and chart-rbac.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { SLUICE_FUNCTIONS } from '../../functions/index.js';
import { GENERATED_TEMPLATE, generatedTemplate } from './generate.js';
import { isRecord, type KubeObject } from '../../runtime/index.js';
import { sluiceRegistry } from '../../shared/index.js';
import {
  chartCrdsDir,
  chartDir,
  committedManifests,
  crdFiles,
  helm,
  pick,
  renderObjects,
  renderManifests,
  repoCrdsDir,
} from './chart.js';
import { containersOf, podSpecOf, rulesOf } from './objects.js';
import { buildHelm } from '../env/build-helm.js';

/** The image's ENTRYPOINT (`node`, the entry script), read from deploy/Dockerfile. */
function dockerEntrypoint(): [string, string] {
  const dockerfile = readFileSync(path.join(chartDir, '..', '..', 'Dockerfile'), 'utf8');
  const line = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
  const entry = line ? (JSON.parse(line) as unknown) : undefined;
  if (!Array.isArray(entry) || entry.length !== 2 || !entry.every((e) => typeof e === 'string'))
    throw new Error(`deploy/Dockerfile has no two-part ENTRYPOINT: ${line ?? 'none'}`);
  return [entry[0] as string, entry[1] as string];
}

test.before('helm is built from the Go module proxy (once, into the build cache)', async (t) => {
  t.timeout(10 * 60_000);
  await buildHelm();
});

test('helm lint --strict passes with the defaults and with every option on', async (t) => {
  const plain = await helm(['lint', '--strict', chartDir]);
  t.regex(plain, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  const everything = await helm([
    'lint',
    '--strict',
    chartDir,
    '--set',
    'keda.enabled=true,serviceMonitor.enabled=true,config.tokenReview=true,redis.url=redis://r:6379',
    '--set',
    'rbac.secretNamespaces={apps}',
  ]);
  t.regex(everything, /1 chart\(s\) linted, 0 chart\(s\) failed/);
});

test("the chart's crds/ are byte for byte the repository's crds/", (t) => {
  t.deepEqual(crdFiles(chartCrdsDir), crdFiles(repoCrdsDir));
  for (const f of crdFiles(repoCrdsDir)) {
    t.is(
      readFileSync(path.join(chartCrdsDir, f), 'utf8'),
      readFileSync(path.join(repoCrdsDir, f), 'utf8'),
      `${f} differs: run node dist/test/deploy/cli.js render`,
    );
  }
});

test("the chart's queues and RBAC rules are what the function declarations produce", (t) => {
  t.is(
    readFileSync(GENERATED_TEMPLATE, 'utf8'),
    generatedTemplate(SLUICE_FUNCTIONS),
    'templates/_generated.tpl differs from the declarations: run node dist/test/deploy/cli.js render',
  );
});

test('deploy/manifests/ is the chart rendered with its defaults', async (t) => {
  const fresh = await renderManifests();
  const committed = committedManifests();
  t.deepEqual(Object.keys(committed).sort(), Object.keys(fresh).sort());
  for (const [file, text] of Object.entries(fresh)) {
    t.is(committed[file], text, `deploy/manifests/${file} is stale: run node dist/test/deploy/cli.js render`);
  }
});

test('the dispatcher runs 2 replicas with leader election, probes on /healthz and /readyz, the downward API and the token file', async (t) => {
  const objects = await renderObjects();
  const deploy = pick(objects, 'Deployment', 'sluice-dispatcher');
  const spec = isRecord(deploy.spec) ? deploy.spec : {};
  t.is(spec.replicas, 2);
  const [c] = containersOf(deploy);
  t.deepEqual(c?.args, ['dispatcher', '--http-port', '8080']);
  t.deepEqual(c?.ports, [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
  t.like(c?.livenessProbe, { httpGet: { path: '/healthz', port: 'http' } });
  t.like(c?.readinessProbe, { httpGet: { path: '/readyz', port: 'http' } });
  const env = new Map((c?.env ?? []).map((e) => [e.name, e]));
  t.deepEqual(env.get('SLUICE_POD_NAME')?.valueFrom, { fieldRef: { fieldPath: 'metadata.name' } });
  t.deepEqual(env.get('SLUICE_NAMESPACE')?.valueFrom, { fieldRef: { fieldPath: 'metadata.namespace' } });
  t.is(env.get('SLUICE_API_TOKEN_FILE')?.value, '/var/run/sluice/api-token/token');
  t.is(podSpecOf(deploy).serviceAccountName, 'sluice-dispatcher');
  t.is(
    env.get('NODE_OPTIONS')?.value,
    '--max-semi-space-size=1 --max-old-space-size=256',
    'the small young generation, and the small heap growing step',
  );
  t.is(c?.command, undefined, "the image's entrypoint");

  const svc = pick(objects, 'Service', 'sluice-dispatcher');
  t.like(svc.spec, { ports: [{ name: 'http', port: 8080, targetPort: 'http' }] });
  const pdb = pick(objects, 'PodDisruptionBudget', 'sluice-dispatcher');
  t.like(pdb.spec, { minAvailable: 1 });
});

test('every pod runs as non-root with a read-only root filesystem, no privilege escalation, no capabilities and RuntimeDefault seccomp', async (t) => {
  const deployments = (await renderObjects()).filter((o) => o.kind === 'Deployment');
  t.is(deployments.length, 5, 'dispatcher, three worker groups, bundled Redis');
  for (const d of deployments) {
    const pod = podSpecOf(d);
    t.like(pod.securityContext, { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    t.true(typeof pod.securityContext?.runAsUser === 'number' && pod.securityContext.runAsUser > 0);
    for (const c of containersOf(d)) {
      t.like(
        c.securityContext,
        {
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        },
        `${d.metadata.name ?? ''}/${c.name}`,
      );
    }
  }
});

test('one worker Deployment per group runs exactly its kinds under its own ServiceAccount, and every kind has a worker', async (t) => {
  const objects = await renderObjects();
  const workers = objects.filter(
    (o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === 'worker',
  );
  const kinds: string[] = [];
  for (const w of workers) {
    const group = w.metadata.labels?.['sluice.io/worker-group'] ?? '';
    const [c] = containersOf(w);
    const args = c?.args ?? [];
    t.is(args[0], 'worker');
    t.is(args[args.indexOf('--concurrency') + 1], '50');
    kinds.push(...(args[args.indexOf('--kinds') + 1] ?? '').split(','));
    t.is(args[args.indexOf('--http-port') + 1], '8080');
    t.like(c?.livenessProbe, { httpGet: { path: '/healthz', port: 'http' } });
    t.like(c?.readinessProbe, { httpGet: { path: '/readyz', port: 'http' } });
    t.is(podSpecOf(w).serviceAccountName, `sluice-worker-${group}`);
    t.truthy(pick(objects, 'ServiceAccount', `sluice-worker-${group}`));
  }
  t.deepEqual(workers.map((w) => w.metadata.name).sort(), [
    'sluice-worker-streambus',
    'sluice-worker-tanzu',
    'sluice-worker-tawon',
  ]);
  t.deepEqual(kinds.sort(), SLUICE_FUNCTIONS.map((f) => `${f.kind.plural}.${f.kind.group}`).sort());
});

test('a group may set its own replicas and concurrency', async (t) => {
  const objects = await renderObjects({
    workers: {
      groups: [{ name: 'all-tawon', kinds: ['streams.tawon.mantisnet.com'], replicas: 3, concurrency: 25 }],
    },
  });
  const w = pick(objects, 'Deployment', 'sluice-worker-all-tawon');
  t.like(w.spec, { replicas: 3 });
  t.deepEqual(containersOf(w)[0]?.args, [
    'worker',
    '--kinds',
    'streams.tawon.mantisnet.com',
    '--concurrency',
    '25',
    '--http-port',
    '8080',
  ]);
});

test('KEDA: one ScaledObject per worker Deployment, a metrics-api trigger per kind on its queue, the bearer token from the Secret, and no replicas on the Deployments', async (t) => {
  const objects = await renderObjects({ keda: { enabled: true, minReplicaCount: 0 } });
  const registry = sluiceRegistry();
  const auth = pick(objects, 'TriggerAuthentication', 'sluice-keda');
  t.deepEqual(auth.spec, {
    secretTargetRef: [{ parameter: 'token', name: 'sluice-api-token', key: 'token' }],
  });
  const scaled = objects.filter((o) => o.kind === 'ScaledObject');
  t.is(scaled.length, 3);
  const queues: string[] = [];
  for (const so of scaled) {
    const spec = isRecord(so.spec) ? so.spec : {};
    t.like(spec, {
      scaleTargetRef: { kind: 'Deployment', name: so.metadata.name },
      minReplicaCount: 0,
      maxReplicaCount: 10,
    });
    const target = pick(objects, 'Deployment', so.metadata.name ?? '');
    t.false(isRecord(target.spec) && 'replicas' in target.spec, 'KEDA owns replicas');
    for (const trig of Array.isArray(spec.triggers) ? spec.triggers : []) {
      t.like(trig, {
        type: 'metrics-api',
        metadata: { valueLocation: 'work', authMode: 'bearer', format: 'json', targetValue: '50' },
        authenticationRef: { name: 'sluice-keda' },
      });
      const url = isRecord(trig) && isRecord(trig.metadata) ? String(trig.metadata.url) : '';
      const m = /^http:\/\/sluice-dispatcher\.sluice-system\.svc:8080\/api\/v1\/queues\/([^/]+)\/work$/.exec(
        url,
      );
      t.truthy(m, url);
      queues.push(`{${m?.[1] ?? ''}}`);
    }
  }
  t.deepEqual(
    queues.sort(),
    registry
      .all()
      .map((k) => k.queue)
      .sort(),
    "the chart's queue names are the registry's",
  );
});

test('dispatcher.nodeOptions reaches the dispatcher as NODE_OPTIONS, and an empty value leaves Node its defaults', async (t) => {
  const custom = containersOf(
    pick(
      await renderObjects({ dispatcher: { nodeOptions: '--max-old-space-size=256' } }),
      'Deployment',
      'sluice-dispatcher',
    ),
  );
  t.is(custom[0]?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value, '--max-old-space-size=256');
  const plain = containersOf(
    pick(await renderObjects({ dispatcher: { nodeOptions: '' } }), 'Deployment', 'sluice-dispatcher'),
  );
  t.false((plain[0]?.env ?? []).some((e) => e.name === 'NODE_OPTIONS'));
});

test("dispatcher.nodeFlags go on node's command line before the entry script, and none leaves the image its entrypoint", async (t) => {
  const dispatcherOf = async (nodeFlags: string[]) =>
    containersOf(
      pick(await renderObjects({ dispatcher: { nodeFlags } }), 'Deployment', 'sluice-dispatcher'),
    )[0];
  const [node, script] = dockerEntrypoint();
  const custom = await dispatcherOf(['--lite-mode', '--stack-size=2000']);
  t.deepEqual(custom?.command, [node, '--lite-mode', '--stack-size=2000', script]);
  t.deepEqual(custom?.args, ['dispatcher', '--http-port', '8080'], 'the arguments are unchanged');
  t.is((await dispatcherOf([]))?.command, undefined);
  const workers = (await renderObjects()).filter(
    (o) => o.kind === 'Deployment' && o.metadata.name?.includes('worker') === true,
  );
  t.true(workers.length > 0);
  for (const w of workers)
    t.is(containersOf(w)[0]?.command, undefined, `${w.metadata.name ?? ''} keeps the entrypoint`);
});

test('values that cannot work are refused at render time', async (t) => {
  const refused = async (values: Record<string, unknown>, message: RegExp): Promise<void> => {
    const err = await t.throwsAsync(renderObjects(values));
    t.regex(err?.message ?? '', message);
  };
  await refused(
    { workers: { groups: [{ name: 'x', kinds: ['widgets.example.com'] }] } },
    /unknown kind "widgets.example.com"/,
  );
  await refused(
    {
      workers: {
        groups: [
          { name: 'a', kinds: ['streams.tawon.mantisnet.com'] },
          { name: 'b', kinds: ['streams.tawon.mantisnet.com'] },
        ],
      },
    },
    /is in groups a and b/,
  );
  await refused(
    { workers: { groups: [{ name: 'Bad_Name', kinds: ['streams.tawon.mantisnet.com'] }] } },
    /DNS label/,
  );
  await refused({ dispatcher: { leaderElection: false } }, /needs dispatcher.leaderElection/);
  const single = await renderObjects({ dispatcher: { leaderElection: false, replicas: 1 } });
  t.true(
    containersOf(pick(single, 'Deployment', 'sluice-dispatcher'))[0]?.args?.includes('--no-leader-election'),
  );
  t.false(
    single.some((o) => o.kind === 'PodDisruptionBudget'),
    'no PDB that would block drains of one replica',
  );
});

test('the API token Secret holds the given token, else a generated one, and is not rendered for an existing Secret', async (t) => {
  const secretToken = (objects: KubeObject[]): string => {
    const s = pick(objects, 'Secret', 'sluice-api-token');
    const data = isRecord(s.data) ? s.data : {};
    return Buffer.from(String(data.token), 'base64').toString('utf8');
  };
  t.is(secretToken(await renderObjects({ apiToken: { value: 'given-token' } })), 'given-token');
  const a = secretToken(await renderObjects());
  const b = secretToken(await renderObjects());
  t.regex(a, /^[A-Za-z0-9]{48}$/);
  t.not(a, b, 'each fresh install gets its own token');
  const existing = await renderObjects({ apiToken: { existingSecret: 'mine', key: 'api' } });
  t.false(existing.some((o) => o.kind === 'Secret'));
  const volumes = podSpecOf(pick(existing, 'Deployment', 'sluice-dispatcher')).volumes ?? [];
  t.like(
    volumes.find((v) => v.name === 'api-token'),
    { secret: { secretName: 'mine', items: [{ key: 'api', path: 'token' }] } },
  );
});

test('Redis is bundled with noeviction by default; an external URL, or one from a Secret, replaces it', async (t) => {
  const redisUrl = (objects: KubeObject[]): unknown =>
    containersOf(pick(objects, 'Deployment', 'sluice-dispatcher'))[0]?.env?.find(
      (e) => e.name === 'SLUICE_REDIS_URL',
    );
  const bundled = await renderObjects();
  const args = containersOf(pick(bundled, 'Deployment', 'sluice-redis'))[0]?.args ?? [];
  t.is(args[args.indexOf('--maxmemory-policy') + 1], 'noeviction');
  t.like(redisUrl(bundled), { value: 'redis://sluice-redis:6379' });
  t.truthy(pick(bundled, 'NetworkPolicy', 'sluice-redis'), 'only Sluice pods reach the bundled Redis');

  const external = await renderObjects({ redis: { url: 'rediss://cache.example:6380/2' } });
  t.false(external.some((o) => o.metadata.name === 'sluice-redis'));
  t.like(redisUrl(external), { value: 'rediss://cache.example:6380/2' });
  const fromSecret = await renderObjects({ redis: { urlSecret: { name: 'redis-creds', key: 'url' } } });
  t.like(redisUrl(fromSecret), { valueFrom: { secretKeyRef: { name: 'redis-creds', key: 'url' } } });
});

test('the settings reach every Sluice container as SLUICE_* variables', async (t) => {
  const objects = await renderObjects({
    config: {
      kafka: { brokers: ['k1:9092', 'k2:9092'], binding: 'kafka-creds' },
      nats: { url: 'nats://nats:4222' },
      endpointOverrides: { 'b.svc:4222': '10.0.0.1:4222', 'a.svc:4222': '10.0.0.2:4222' },
      tokenReview: true,
      resyncSeconds: 2_000_000_000,
      queueMaxWaitSeconds: 0,
      fairness: 'namespace',
      fairnessQuantum: 12,
      lockMs: 1_200_000,
      history: { records: 5, bytes: 0, ttlSeconds: 3600 },
    },
  });
  const cm = pick(objects, 'ConfigMap', 'sluice-config');
  t.like(cm.data, {
    SLUICE_RESYNC_SECONDS: '2000000000',
    SLUICE_QUEUE_MAX_WAIT_SECONDS: '0',
    SLUICE_FAIRNESS: 'namespace',
    SLUICE_FAIRNESS_QUANTUM: '12',
    SLUICE_LOCK_MS: '1200000',
    SLUICE_HISTORY_RECORDS: '5',
    SLUICE_HISTORY_BYTES: '0',
    SLUICE_HISTORY_TTL_SECONDS: '3600',
    SLUICE_KAFKA_BROKERS: 'k1:9092,k2:9092',
    SLUICE_KAFKA_BINDING: 'kafka-creds',
    SLUICE_NATS_URL: 'nats://nats:4222',
    SLUICE_ENDPOINT_OVERRIDES: 'a.svc:4222=10.0.0.2:4222,b.svc:4222=10.0.0.1:4222',
    SLUICE_TOKEN_REVIEW: 'true',
  });
  for (const d of objects.filter((o) => o.kind === 'Deployment' && o.metadata.name !== 'sluice-redis')) {
    t.deepEqual(containersOf(d)[0]?.envFrom, [{ configMapRef: { name: 'sluice-config' } }]);
  }
  t.true(
    rulesOf(pick(objects, 'ClusterRole', 'sluice-dispatcher-cluster')).some((r) =>
      r.resources.includes('tokenreviews'),
    ),
    'TokenReview is granted when enabled',
  );
  t.false(
    rulesOf(pick(await renderObjects(), 'ClusterRole', 'sluice-dispatcher-cluster')).some((r) =>
      r.resources.includes('tokenreviews'),
    ),
    'and only then',
  );
});
