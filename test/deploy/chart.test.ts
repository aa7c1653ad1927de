/**
 * The Helm chart, rendered by the real `helm` (built from the Go module proxy): it lints, its CRDs
 * are the repository's, the plain manifests are current, and what it renders holds the promises of
 * deploy/README.md (workloads, security, RBAC per component, KEDA, Redis, token, monitoring).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { SLUICE_FUNCTIONS } from '../../functions/registrations.js';
import { SluiceMetrics, isRecord, sluiceRegistry, type KubeObject } from '../../shared/index.js';
import {
  chartCrdsDir,
  chartDir,
  committedManifests,
  crdFiles,
  helm,
  parseObjects,
  pick,
  renderChart,
  renderManifests,
  repoCrdsDir,
} from './chart.js';
import { containersOf, podSpecOf, rulesOf, type Rule } from './objects.js';
import { buildHelm } from '../env/build-helm.js';

test.before('helm is built from the Go module proxy (once, into the build cache)', async (t) => {
  t.timeout(10 * 60_000);
  await buildHelm();
});

const NS = 'sluice-system';

async function render(values: Record<string, unknown> = {}, release = 'sluice'): Promise<KubeObject[]> {
  return parseObjects(await renderChart({ release, namespace: NS, values }));
}

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

test('deploy/manifests/ is the chart rendered with its defaults', async (t) => {
  const fresh = await renderManifests();
  const committed = committedManifests();
  t.deepEqual(Object.keys(committed).sort(), Object.keys(fresh).sort());
  for (const [file, text] of Object.entries(fresh)) {
    t.is(committed[file], text, `deploy/manifests/${file} is stale: run node dist/test/deploy/cli.js render`);
  }
});

test('the dispatcher runs 2 replicas with leader election, probes on /healthz and /readyz, the downward API and the token file', async (t) => {
  const objects = await render();
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
  t.is(env.get('NODE_OPTIONS')?.value, '--max-semi-space-size=1', 'the small young generation');

  const svc = pick(objects, 'Service', 'sluice-dispatcher');
  t.like(svc.spec, { ports: [{ name: 'http', port: 8080, targetPort: 'http' }] });
  const pdb = pick(objects, 'PodDisruptionBudget', 'sluice-dispatcher');
  t.like(pdb.spec, { minAvailable: 1 });
});

test('every pod runs as non-root with a read-only root filesystem, no privilege escalation, no capabilities and RuntimeDefault seccomp', async (t) => {
  const deployments = (await render()).filter((o) => o.kind === 'Deployment');
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
  const objects = await render();
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
  const objects = await render({
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
  const objects = await render({ keda: { enabled: true, minReplicaCount: 0 } });
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
      await render({ dispatcher: { nodeOptions: '--max-old-space-size=256' } }),
      'Deployment',
      'sluice-dispatcher',
    ),
  );
  t.is(custom[0]?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value, '--max-old-space-size=256');
  const plain = containersOf(
    pick(await render({ dispatcher: { nodeOptions: '' } }), 'Deployment', 'sluice-dispatcher'),
  );
  t.false((plain[0]?.env ?? []).some((e) => e.name === 'NODE_OPTIONS'));
});

test('values that cannot work are refused at render time', async (t) => {
  const refused = async (values: Record<string, unknown>, message: RegExp): Promise<void> => {
    const err = await t.throwsAsync(render(values));
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
  const single = await render({ dispatcher: { leaderElection: false, replicas: 1 } });
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
  t.is(secretToken(await render({ apiToken: { value: 'given-token' } })), 'given-token');
  const a = secretToken(await render());
  const b = secretToken(await render());
  t.regex(a, /^[A-Za-z0-9]{48}$/);
  t.not(a, b, 'each fresh install gets its own token');
  const existing = await render({ apiToken: { existingSecret: 'mine', key: 'api' } });
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
  const bundled = await render();
  const args = containersOf(pick(bundled, 'Deployment', 'sluice-redis'))[0]?.args ?? [];
  t.is(args[args.indexOf('--maxmemory-policy') + 1], 'noeviction');
  t.like(redisUrl(bundled), { value: 'redis://sluice-redis:6379' });
  t.truthy(pick(bundled, 'NetworkPolicy', 'sluice-redis'), 'only Sluice pods reach the bundled Redis');

  const external = await render({ redis: { url: 'rediss://cache.example:6380/2' } });
  t.false(external.some((o) => o.metadata.name === 'sluice-redis'));
  t.like(redisUrl(external), { value: 'rediss://cache.example:6380/2' });
  const fromSecret = await render({ redis: { urlSecret: { name: 'redis-creds', key: 'url' } } });
  t.like(redisUrl(fromSecret), { valueFrom: { secretKeyRef: { name: 'redis-creds', key: 'url' } } });
});

test('the settings reach every Sluice container as SLUICE_* variables', async (t) => {
  const objects = await render({
    config: {
      kafka: { brokers: ['k1:9092', 'k2:9092'], binding: 'kafka-creds' },
      nats: { url: 'nats://nats:4222' },
      endpointOverrides: { 'b.svc:4222': '10.0.0.1:4222', 'a.svc:4222': '10.0.0.2:4222' },
      tokenReview: true,
      resyncSeconds: 2_000_000_000,
      lockMs: 1_200_000,
    },
  });
  const cm = pick(objects, 'ConfigMap', 'sluice-config');
  t.like(cm.data, {
    SLUICE_RESYNC_SECONDS: '2000000000',
    SLUICE_LOCK_MS: '1200000',
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
    rulesOf(pick(await render(), 'ClusterRole', 'sluice-dispatcher-cluster')).some((r) =>
      r.resources.includes('tokenreviews'),
    ),
    'and only then',
  );
});

test('the ServiceMonitor scrapes /metrics of the dispatcher and of the workers through their Services', async (t) => {
  const objects = await render({ serviceMonitor: { enabled: true, labels: { release: 'prom' } } });
  const sm = pick(objects, 'ServiceMonitor', 'sluice');
  t.is(sm.apiVersion, 'monitoring.coreos.com/v1');
  t.is(sm.metadata.labels?.release, 'prom');
  const spec = isRecord(sm.spec) ? sm.spec : {};
  const selector = isRecord(spec.selector) ? spec.selector : {};
  const matchLabels = isRecord(selector.matchLabels) ? selector.matchLabels : {};
  t.deepEqual(selector.matchExpressions, [
    { key: 'app.kubernetes.io/component', operator: 'In', values: ['dispatcher', 'worker'] },
  ]);
  for (const name of ['sluice-dispatcher', 'sluice-workers']) {
    const svc = pick(objects, 'Service', name);
    for (const [k, v] of Object.entries(matchLabels))
      t.is(svc.metadata.labels?.[k], String(v), `${name} carries ${k}`);
    t.like(svc.spec, { ports: [{ name: 'http', targetPort: 'http' }] });
  }
  t.like(pick(objects, 'Service', 'sluice-workers').spec, { clusterIP: 'None' });
  t.like(spec, { endpoints: [{ port: 'http', path: '/metrics' }] });
  t.false(
    (await render()).some((o) => o.kind === 'ServiceMonitor'),
    'off by default (it needs its CRD)',
  );
});

test('the Grafana dashboard is a labelled ConfigMap whose queries use every sluice_* metric and no other', async (t) => {
  const objects = await render();
  const cm = pick(objects, 'ConfigMap', 'sluice-dashboard');
  t.is(cm.metadata.labels?.grafana_dashboard, '1');
  const json = isRecord(cm.data) ? String(cm.data['sluice.json']) : '';
  const dashboard = JSON.parse(json) as { panels: { targets?: { expr: string }[] }[] };
  const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((q) => q.expr);
  const used = new Set(
    exprs
      .flatMap((e) => e.match(/sluice_[a-z0-9_]+/g) ?? [])
      .map((n) => n.replace(/_(bucket|sum|count)$/, '')),
  );
  const exported = new Set(
    (await new SluiceMetrics().withProcessMetrics().registry.getMetricsAsJSON()).map((m) => m.name),
  );
  for (const name of used) t.true(exported.has(name), `${name} is not exported by Sluice`);
  for (const name of exported) {
    if (!name.startsWith('sluice_process_')) t.true(used.has(name), `${name} has no panel`);
  }
});

test('RBAC: the dispatcher only reads, plus its own Lease; only the tanzu and streambus workers touch Secrets', async (t) => {
  const objects = await render();
  const dispatcher = rulesOf(pick(objects, 'ClusterRole', 'sluice-dispatcher'));
  const verbs = new Set(dispatcher.flatMap((r) => r.verbs));
  t.deepEqual([...verbs].sort(), ['get', 'list', 'watch']);
  const lease = rulesOf(pick(objects, 'Role', 'sluice-dispatcher'));
  t.true(lease.every((r) => r.resources.every((x) => x === 'leases')));
  t.deepEqual(lease.find((r) => r.resourceNames)?.resourceNames, ['sluice-dispatcher']);

  const secretVerbs = (name: string): string[] =>
    objects
      .filter((o) => (o.kind === 'ClusterRole' || o.kind === 'Role') && o.metadata.name?.startsWith(name))
      .flatMap(rulesOf)
      .filter((r: Rule) => r.resources.includes('secrets'))
      .flatMap((r) => r.verbs)
      .sort();
  t.deepEqual(secretVerbs('sluice-worker-tawon'), []);
  t.deepEqual(secretVerbs('sluice-worker-streambus'), ['get']);
  t.deepEqual(secretVerbs('sluice-worker-tanzu'), ['create', 'create', 'delete', 'get', 'patch', 'patch']);
  for (const cr of objects.filter((o) => o.kind === 'ClusterRole')) {
    for (const r of rulesOf(cr))
      t.false(r.verbs.includes('*') || r.resources.includes('*'), `${cr.metadata.name ?? ''}`);
  }
  t.truthy(pick(objects, 'ClusterRoleBinding', 'sluice-worker-tanzu-secrets'), 'cluster-wide by default');
});

test('rbac.secretNamespaces grants the workers Secrets only in the namespaces listed (and the release namespace)', async (t) => {
  const objects = await render({ rbac: { secretNamespaces: ['apps', 'payments'] } });
  t.false(objects.some((o) => o.kind === 'ClusterRoleBinding' && o.metadata.name?.endsWith('-secrets')));
  const bindings = objects.filter((o) => o.kind === 'RoleBinding' && o.metadata.name?.endsWith('-secrets'));
  t.deepEqual(bindings.map((b) => `${b.metadata.namespace ?? ''}/${b.metadata.name ?? ''}`).sort(), [
    'apps/sluice-worker-streambus-secrets',
    'apps/sluice-worker-tanzu-secrets',
    'payments/sluice-worker-streambus-secrets',
    'payments/sluice-worker-tanzu-secrets',
  ]);
  t.like(pick(objects, 'RoleBinding', 'sluice-worker-tanzu'), {
    metadata: { namespace: NS },
    roleRef: { kind: 'Role', name: 'sluice-worker-tanzu' },
  });
});

test('a release named otherwise prefixes every object, so two releases never share a cluster-wide name', async (t) => {
  const objects = await render({}, 'ops');
  const clusterScoped = objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding');
  t.true(clusterScoped.length > 0);
  for (const o of clusterScoped) t.true(o.metadata.name?.startsWith('ops-sluice-'), o.metadata.name);
});

test('config.watchNamespace narrows every namespaced right to that namespace; ClusterStream rights stay cluster-wide', async (t) => {
  const objects = await render({ config: { watchNamespace: 'apps' } });
  t.like(pick(objects, 'ConfigMap', 'sluice-config').data, { SLUICE_WATCH_NAMESPACE: 'apps' });
  const clusterBindings = objects
    .filter((o) => o.kind === 'ClusterRoleBinding')
    .map((o) => o.metadata.name ?? '');
  t.deepEqual(clusterBindings.sort(), ['sluice-dispatcher-cluster', 'sluice-worker-tanzu-cluster']);
  for (const name of clusterBindings) {
    for (const r of rulesOf(pick(objects, 'ClusterRole', name))) {
      t.true(
        r.resources.every((x) => x.startsWith('clusterstreams')),
        name,
      );
    }
  }
  const inApps = objects.filter((o) => o.kind === 'RoleBinding' && o.metadata.namespace === 'apps');
  t.deepEqual(inApps.map((o) => o.metadata.name).sort(), [
    'sluice-dispatcher-watch',
    'sluice-worker-streambus-secrets',
    'sluice-worker-streambus-watch',
    'sluice-worker-tanzu-secrets',
    'sluice-worker-tanzu-watch',
    'sluice-worker-tawon-watch',
  ]);
  t.like(pick(objects, 'RoleBinding', 'sluice-worker-tanzu-events'), {
    metadata: { namespace: 'default' },
    roleRef: { kind: 'ClusterRole', name: 'sluice-worker-tanzu-events' },
  });
});
