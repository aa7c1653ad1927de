/**
 * The API server fills in the defaults the CRDs declare, including inside objects the user left
 * out, and never overrides a value the user gave.
 */
import test from 'ava';
import { isolation, uniqueName } from '../helpers/env.js';
import { installCrds } from '../helpers/crds.js';
import { useNamespace } from '../helpers/kube.js';
import { apply, getObject, remove } from './objects.js';

test.before(async () => {
  await installCrds();
});

test('a StreamBusCluster with no spec gets three brokers, the default image, ports, storage and resources', async (t) => {
  const namespace = await useNamespace(t, isolation('defaults-sbc').namespace);
  await apply(
    'apiVersion: streambus.io/v1alpha1\nkind: StreamBusCluster\nmetadata:\n  name: minimal\n',
    namespace,
  );
  const stored = await getObject('streambusclusters.streambus.io', 'minimal', namespace);
  t.deepEqual(stored.spec, {
    replicas: 3,
    image: { repository: 'streambus/broker', tag: 'latest', pullPolicy: 'IfNotPresent' },
    resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '2000m', memory: '2Gi' } },
    storage: { class: 'standard', size: '10Gi', raftSize: '5Gi' },
    config: { logLevel: 'info', port: 9092, httpPort: 8081, grpcPort: 9093 },
    observability: { metrics: { enabled: true, serviceMonitor: false } },
  });
});

test('a StreamBusCluster keeps the values it was given and gets defaults only for the rest', async (t) => {
  const namespace = await useNamespace(t, isolation('defaults-sbc-given').namespace);
  await apply(
    [
      'apiVersion: streambus.io/v1alpha1',
      'kind: StreamBusCluster',
      'metadata: {name: given}',
      'spec:',
      '  replicas: 5',
      '  image: {tag: v0.7.0}',
      '  resources: {limits: {cpu: "1"}}',
      '  config: {port: 19092}',
      '  observability: {metrics: {enabled: false}}',
    ].join('\n'),
    namespace,
  );
  const stored = await getObject('streambusclusters.streambus.io', 'given', namespace);
  t.like(stored.spec, {
    replicas: 5,
    image: { repository: 'streambus/broker', tag: 'v0.7.0', pullPolicy: 'IfNotPresent' },
    config: { port: 19092, httpPort: 8081, grpcPort: 9093 },
    observability: { metrics: { enabled: false, serviceMonitor: false } },
  });
  t.deepEqual(
    stored.spec?.['resources'],
    { limits: { cpu: '1' } },
    'given resources are used exactly as written',
  );
});

test('a ClusterStream gets reclaimPolicy Retain, one partition and a replication factor of one', async (t) => {
  const name = uniqueName('defaults-cs');
  t.teardown(() => remove('clusterstreams.streaming.tanzu.vmware.com', name));
  await apply(
    `apiVersion: streaming.tanzu.vmware.com/v1alpha1\nkind: ClusterStream\nmetadata: {name: ${name}}\nspec:\n  name: orders\n`,
  );
  const stored = await getObject('clusterstreams.streaming.tanzu.vmware.com', name);
  t.deepEqual(stored.spec, {
    name: 'orders',
    storage: { reclaimPolicy: 'Retain' },
    partitions: 1,
    replicationFactor: 1,
  });
});

test('a ClusterStream that asks for reclaimPolicy Delete keeps it', async (t) => {
  const name = uniqueName('defaults-cs-delete');
  t.teardown(() => remove('clusterstreams.streaming.tanzu.vmware.com', name));
  await apply(
    `apiVersion: streaming.tanzu.vmware.com/v1alpha1\nkind: ClusterStream\nmetadata: {name: ${name}}\nspec:\n  name: orders\n  storage: {reclaimPolicy: Delete}\n`,
  );
  const stored = await getObject('clusterstreams.streaming.tanzu.vmware.com', name);
  t.like(stored.spec, { storage: { reclaimPolicy: 'Delete' } });
});

test('a StreamStore with no spec gets the nats image, one replica and claims that are retained', async (t) => {
  const namespace = await useNamespace(t, isolation('defaults-store').namespace);
  await apply(
    'apiVersion: tawon.mantisnet.com/v1alpha1\nkind: StreamStore\nmetadata:\n  name: bare\n',
    namespace,
  );
  const stored = await getObject('streamstores.tawon.mantisnet.com', 'bare', namespace);
  t.deepEqual(stored.spec, {
    image: 'nats:2.10-alpine',
    replicas: 1,
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
  });
});

test('a Directive stream without a retentionPolicy is retained by default', async (t) => {
  const namespace = await useNamespace(t, isolation('defaults-directive').namespace);
  await apply(
    [
      'apiVersion: tawon.mantisnet.com/v1alpha1',
      'kind: Directive',
      'metadata: {name: d}',
      'spec:',
      '  streams:',
      '    - {name: kept, store: s}',
      '    - {name: temporary, store: s, retentionPolicy: Delete}',
    ].join('\n'),
    namespace,
  );
  const stored = await getObject('directives.tawon.mantisnet.com', 'd', namespace);
  t.deepEqual(stored.spec?.['streams'], [
    { name: 'kept', store: 's', retentionPolicy: 'Retain' },
    { name: 'temporary', store: 's', retentionPolicy: 'Delete' },
  ]);
});
