/**
 * The chart's RBAC as rendered by the real `helm`: least privilege per component, Secrets only where
 * listed, names prefixed by the release, and rights narrowed by config.watchNamespace. (The rights
 * are proven call by call on the real API server in rbac.test.ts.)
 */
import test from 'ava';
import { buildHelm } from '../env/build-helm.js';
import { CHART_NAMESPACE, pick, renderObjects } from './chart.js';
import { rulesOf, type Rule } from './objects.js';

test.before('helm is built from the Go module proxy (once, into the build cache)', async (t) => {
  t.timeout(10 * 60_000);
  await buildHelm();
});

test('RBAC: the dispatcher only reads, plus its own Lease; only the tanzu and streambus workers touch Secrets', async (t) => {
  const objects = await renderObjects();
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
  // get twice: binding Secrets in the release namespace, and Streams' own broker bindings where Streams are.
  t.deepEqual(secretVerbs('sluice-worker-tanzu'), [
    'create',
    'create',
    'delete',
    'get',
    'get',
    'patch',
    'patch',
  ]);
  for (const cr of objects.filter((o) => o.kind === 'ClusterRole')) {
    for (const r of rulesOf(cr))
      t.false(r.verbs.includes('*') || r.resources.includes('*'), `${cr.metadata.name ?? ''}`);
  }
  t.truthy(pick(objects, 'ClusterRoleBinding', 'sluice-worker-tanzu-secrets'), 'cluster-wide by default');
});

test('rbac.secretNamespaces grants the workers Secrets only in the namespaces listed (and the release namespace)', async (t) => {
  const objects = await renderObjects({ rbac: { secretNamespaces: ['apps', 'payments'] } });
  t.false(objects.some((o) => o.kind === 'ClusterRoleBinding' && o.metadata.name?.endsWith('-secrets')));
  const bindings = objects.filter((o) => o.kind === 'RoleBinding' && o.metadata.name?.endsWith('-secrets'));
  t.deepEqual(bindings.map((b) => `${b.metadata.namespace ?? ''}/${b.metadata.name ?? ''}`).sort(), [
    'apps/sluice-worker-streambus-secrets',
    'apps/sluice-worker-tanzu-secrets',
    'payments/sluice-worker-streambus-secrets',
    'payments/sluice-worker-tanzu-secrets',
  ]);
  t.like(pick(objects, 'RoleBinding', 'sluice-worker-tanzu'), {
    metadata: { namespace: CHART_NAMESPACE },
    roleRef: { kind: 'Role', name: 'sluice-worker-tanzu' },
  });
});

test('a release named otherwise prefixes every object, so two releases never share a cluster-wide name', async (t) => {
  const objects = await renderObjects({}, 'ops');
  const clusterScoped = objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding');
  t.true(clusterScoped.length > 0);
  for (const o of clusterScoped) t.true(o.metadata.name?.startsWith('ops-sluice-'), o.metadata.name);
});

test('config.watchNamespace narrows every namespaced right to that namespace; ClusterStream, BrokerClaim and StorageClass rights stay cluster-wide', async (t) => {
  const objects = await renderObjects({ config: { watchNamespace: 'apps' } });
  t.like(pick(objects, 'ConfigMap', 'sluice-config').data, { SLUICE_WATCH_NAMESPACE: 'apps' });
  const clusterBindings = objects
    .filter((o) => o.kind === 'ClusterRoleBinding')
    .map((o) => o.metadata.name ?? '');
  t.deepEqual(clusterBindings.sort(), [
    'sluice-dispatcher-cluster',
    'sluice-worker-streambus-cluster',
    'sluice-worker-tanzu-cluster',
    'sluice-worker-tawon-cluster',
  ]);
  for (const name of clusterBindings) {
    for (const r of rulesOf(pick(objects, 'ClusterRole', name))) {
      t.true(
        r.resources.every(
          (x) => x.startsWith('clusterstreams') || x === 'brokerclaims' || x === 'storageclasses',
        ),
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
