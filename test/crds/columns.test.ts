/**
 * `kubectl get` prints the columns the CRDs declare, filled from the spec and from a status
 * written through the status subresource, as the operator will write it.
 */
import test from 'ava';
import { isolation, uniqueName } from '../helpers/env.js';
import { installCrds } from '../helpers/crds.js';
import { useNamespace } from '../helpers/kube.js';
import { apply, patchStatus, printedRow, remove } from './objects.js';

test.before(async () => {
  await installCrds();
});

function ready(status: 'True' | 'False', reason: string): Record<string, unknown> {
  return {
    conditions: [
      {
        type: 'Ready',
        status,
        reason,
        message: 'set by the test',
        lastTransitionTime: '2024-01-15T10:30:00Z',
      },
    ],
  };
}

/** The printed row without AGE, whose value depends on the clock. */
function withoutAge(row: Record<string, string>): Record<string, string> {
  const { AGE: age, ...rest } = row;
  return age ? rest : { ...rest, AGE: 'missing' };
}

test('kubectl get prints a ClusterStream with its readiness, phase, topic and protocol', async (t) => {
  const name = uniqueName('columns-cs');
  const resource = 'clusterstreams.streaming.tanzu.vmware.com';
  t.teardown(() => remove(resource, name));
  await apply(
    `apiVersion: streaming.tanzu.vmware.com/v1alpha1\nkind: ClusterStream\nmetadata: {name: ${name}}\nspec:\n  name: orders\n  storage: {server: {protocol: kafka}}\n`,
  );
  await patchStatus(resource, name, undefined, { ...ready('True', 'TopicReady'), phase: 'Bound' });
  t.deepEqual(withoutAge(await printedRow(resource, name)), {
    NAME: name,
    READY: 'True',
    REASON: 'TopicReady',
    PHASE: 'Bound',
    TOPIC: 'orders',
    PROTOCOL: 'kafka',
  });
});

test('kubectl get prints a tanzu Stream with its readiness, protocol and ClusterStream', async (t) => {
  const namespace = await useNamespace(t, isolation('columns-ts').namespace);
  const resource = 'streams.streaming.tanzu.vmware.com';
  await apply(
    'apiVersion: streaming.tanzu.vmware.com/v1alpha1\nkind: Stream\nmetadata: {name: s}\nspec: {name: orders, protocol: kafka}\n',
    namespace,
  );
  await patchStatus(resource, 's', namespace, {
    ...ready('False', 'ProtocolMismatch'),
    clusterStream: 'orders-cs',
  });
  t.deepEqual(withoutAge(await printedRow(resource, 's', namespace)), {
    NAME: 's',
    READY: 'False',
    REASON: 'ProtocolMismatch',
    PROTOCOL: 'kafka',
    CLUSTERSTREAM: 'orders-cs',
  });
});

test('kubectl get prints a StreamBusCluster with its phase, replicas asked and ready, and readiness', async (t) => {
  const namespace = await useNamespace(t, isolation('columns-sbc').namespace);
  const resource = 'streambusclusters.streambus.io';
  await apply(
    'apiVersion: streambus.io/v1alpha1\nkind: StreamBusCluster\nmetadata: {name: c}\nspec: {replicas: 3}\n',
    namespace,
  );
  await patchStatus(resource, 'c', namespace, {
    ...ready('False', 'BrokersNotReady'),
    phase: 'Degraded',
    replicas: 3,
    readyReplicas: 2,
  });
  t.deepEqual(withoutAge(await printedRow(resource, 'c', namespace)), {
    NAME: 'c',
    PHASE: 'Degraded',
    REPLICAS: '3',
    READY: '2',
    STATUS: 'False',
    REASON: 'BrokersNotReady',
  });
});

test('kubectl get prints a StreamStore with its phase, stream count, endpoint and readiness', async (t) => {
  const namespace = await useNamespace(t, isolation('columns-store').namespace);
  const resource = 'streamstores.tawon.mantisnet.com';
  await apply(
    'apiVersion: tawon.mantisnet.com/v1alpha1\nkind: StreamStore\nmetadata: {name: st}\n',
    namespace,
  );
  await patchStatus(resource, 'st', namespace, {
    ...ready('True', 'Serving'),
    phase: 'Running',
    streams: 2,
    endpoint: `nats://st.${namespace}.svc:4222`,
  });
  t.deepEqual(withoutAge(await printedRow(resource, 'st', namespace)), {
    NAME: 'st',
    PHASE: 'Running',
    STREAMS: '2',
    ENDPOINT: `nats://st.${namespace}.svc:4222`,
    READY: 'True',
    REASON: 'Serving',
  });
});

test('kubectl get prints a tawon Stream with its store, readiness, message count and subject', async (t) => {
  const namespace = await useNamespace(t, isolation('columns-tws').namespace);
  const resource = 'streams.tawon.mantisnet.com';
  await apply(
    'apiVersion: tawon.mantisnet.com/v1alpha1\nkind: Stream\nmetadata: {name: s}\nspec: {store: {name: st}}\n',
    namespace,
  );
  await patchStatus(resource, 's', namespace, {
    ...ready('True', 'StreamReady'),
    messages: 42,
    subject: 'tawon.s',
  });
  t.deepEqual(withoutAge(await printedRow(resource, 's', namespace)), {
    NAME: 's',
    STORE: 'st',
    READY: 'True',
    REASON: 'StreamReady',
    MESSAGES: '42',
    SUBJECT: 'tawon.s',
  });
});

test('kubectl get prints a Directive with its readiness', async (t) => {
  const namespace = await useNamespace(t, isolation('columns-dir').namespace);
  const resource = 'directives.tawon.mantisnet.com';
  await apply(
    'apiVersion: tawon.mantisnet.com/v1alpha1\nkind: Directive\nmetadata: {name: d}\nspec: {}\n',
    namespace,
  );
  await patchStatus(resource, 'd', namespace, ready('False', 'StreamNotReady'));
  t.deepEqual(withoutAge(await printedRow(resource, 'd', namespace)), {
    NAME: 'd',
    READY: 'False',
    REASON: 'StreamNotReady',
  });
});
