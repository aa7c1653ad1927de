/**
 * Unit tests of the cluster's stable identities (broker ids, peers, endpoints), of the broker
 * start command, of the configuration hash that rolls the pods, and of the Services and PDB.
 */
import test from 'ava';
import { brokerId, endpoints, peers } from '../../../functions/streambus-cluster/topology.js';
import { at, build, servicePort } from './build.js';

test('the broker id of a pod is its ordinal plus one', (t) => {
  t.deepEqual([0, 1, 2].map(brokerId), [1, 2, 3]);
});

test('the peer list names every pod through the headless Service on the Raft port', (t) => {
  t.deepEqual(peers('demo', 'prod', 3), [
    '1:demo-0.demo-headless.prod.svc.cluster.local:7000',
    '2:demo-1.demo-headless.prod.svc.cluster.local:7000',
    '3:demo-2.demo-headless.prod.svc.cluster.local:7000',
  ]);
  t.deepEqual(at(build().config, 'cluster', 'peers'), peers('demo', 'prod', 3));
});

test('the peer list is double-quoted in the file, and no peer has id 0', (t) => {
  const text = build().configText;
  t.true(text.includes('- "1:demo-0.demo-headless.prod.svc.cluster.local:7000"'));
  t.false(text.includes('"0:'));
});

test('the endpoints are one address per broker on the broker port', (t) => {
  t.deepEqual(endpoints('streambus-minimal', 'default', 3, 9092), [
    'streambus-minimal-0.streambus-minimal-headless.default.svc:9092',
    'streambus-minimal-1.streambus-minimal-headless.default.svc:9092',
    'streambus-minimal-2.streambus-minimal-headless.default.svc:9092',
  ]);
});

test('each pod derives its broker id from its name and runs the broker with the mounted file', (t) => {
  const b = build();
  const command = (b.container.command ?? []).join(' ');
  t.true(command.includes('STREAMBUS_SERVER_BROKER_ID=$(( ${POD_NAME##*-} + 1 ))'));
  t.true(command.includes('--config=/etc/streambus/config/broker.yaml'));
  t.true(
    command.includes('--broker-id="$STREAMBUS_SERVER_BROKER_ID"'),
    'the flag the broker binds to server.broker_id (its environment binding wants a dotted name)',
  );
  t.like(
    b.container.env?.find((e) => e.name === 'POD_NAME'),
    {
      valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } },
    },
  );
  t.deepEqual(
    b.container.volumeMounts?.find((m) => m.name === 'config'),
    { name: 'config', mountPath: '/etc/streambus/config', readOnly: true },
  );
  t.deepEqual(b.pod.volumes?.[0], { name: 'config', configMap: { name: 'demo-config' } });
});

test('the config hash changes with every configuration change', (t) => {
  const base = build().desired.configHash;
  const changes: Record<string, unknown>[] = [
    { config: { logLevel: 'debug' } },
    { config: { port: 9000 } },
    { replicas: 5 },
    { security: { authorization: { enabled: true } } },
    { multiTenancy: { enabled: true } },
    { observability: { tracing: { enabled: true, endpoint: 'c:4317' } } },
    { observability: { logging: { format: 'text' } } },
    { config: { maxConnections: 500 } },
    { config: { topics: { auto_create: false } } },
  ];
  for (const change of changes) {
    t.not(build(change).desired.configHash, base, JSON.stringify(change));
  }
});

test('the config hash stays the same when nothing in the configuration changes', (t) => {
  const base = build().desired.configHash;
  const changes: Record<string, unknown>[] = [
    { image: { tag: 'v0.7.0', pullPolicy: 'Always' } },
    { resources: { requests: { cpu: '1' } } },
    { storage: { size: '20Gi', raftSize: '8Gi', class: 'ssd-csi' } },
    { podAnnotations: { a: 'b' }, podLabels: { c: 'd' } },
    { nodeSelector: { workload: 'streaming' }, tolerations: [{ key: 'k', operator: 'Exists' }] },
    { affinity: { nodeAffinity: {} } },
    { observability: { metrics: { serviceMonitor: true } } },
  ];
  for (const change of changes) {
    t.is(build(change).desired.configHash, base, JSON.stringify(change));
  }
  t.is(build().desired.configHash, base, 'deterministic');
});

test('the pod template carries the config hash, so a configuration change rolls the brokers', (t) => {
  const a = build();
  const b = build({ config: { logLevel: 'debug' } });
  t.is(a.sts.spec.template.metadata?.annotations?.['sluice.io/config-hash'], a.desired.configHash);
  t.not(
    a.sts.spec.template.metadata?.annotations?.['sluice.io/config-hash'],
    b.sts.spec.template.metadata?.annotations?.['sluice.io/config-hash'],
  );
});

test('the StatefulSet starts pods in parallel, rolls them one by one, and names the headless Service', (t) => {
  const b = build();
  t.is(b.sts.metadata.name, 'demo');
  t.is(b.sts.spec.serviceName, 'demo-headless');
  t.is(b.sts.spec.podManagementPolicy, 'Parallel');
  t.deepEqual(b.sts.spec.updateStrategy, { type: 'RollingUpdate' });
  t.like(b.sts.spec.template.metadata?.labels, { 'app.kubernetes.io/name': 'streambus-broker' });
});

test('the headless Service publishes not-ready pods with the Raft port; the client Service is a ClusterIP', (t) => {
  const b = build();
  t.is(b.desired.headlessService.metadata.name, 'demo-headless');
  t.like(at(b.desired.headlessService, 'spec'), { clusterIP: 'None', publishNotReadyAddresses: true });
  t.like(servicePort(b.desired.headlessService, 'raft'), { port: 7000, targetPort: 'raft' });
  t.is(b.desired.clientService.metadata.name, 'demo');
  t.is(at(b.desired.clientService, 'spec', 'type'), 'ClusterIP');
  t.is(servicePort(b.desired.clientService, 'raft'), undefined);
});

test('the PodDisruptionBudget lets one broker down at a time', (t) => {
  const pdb = build().desired.podDisruptionBudget;
  t.like(at(pdb, 'spec'), { maxUnavailable: 1 });
  t.deepEqual(at(pdb, 'spec', 'selector', 'matchLabels'), {
    'app.kubernetes.io/name': 'streambus-broker',
    'app.kubernetes.io/instance': 'demo',
  });
});

test('every child has a controller reference to the cluster and the ConfigMap is <name>-config', (t) => {
  const d = build({
    observability: { metrics: { serviceMonitor: true } },
    multiTenancy: { enabled: true, isolation: { networkPolicies: true } },
  }).desired;
  const children = [
    d.configMap,
    d.headlessService,
    d.clientService,
    d.podDisruptionBudget,
    d.statefulSet,
    d.networkPolicy,
    d.serviceMonitor,
  ];
  for (const child of children) {
    t.like(child?.metadata.ownerReferences?.[0], {
      apiVersion: 'streambus.io/v1alpha1',
      kind: 'StreamBusCluster',
      name: 'demo',
      uid: 'uid-1',
      controller: true,
    });
    t.is(child?.metadata.namespace, 'prod');
  }
  t.is(d.configMap.metadata.name, 'demo-config');
});
