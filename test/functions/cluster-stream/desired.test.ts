/**
 * Unit tests of the ClusterStream's pure decisions and of the shared binding Secret, storage
 * address and claim rules (shared/tanzu).
 */
import test from 'ava';
import {
  clusterStreamSecret,
  clusterStreamStatus,
  kafkaConfigChange,
  partitionPlan,
} from '../../../functions/cluster-stream/desired.js';
import { parse } from '../../../functions/cluster-stream/spec.js';
import { findCondition } from '../../../runtime/index.js';
import { parseBindingSecret, type BrokerCredentials } from '../../../shared/index.js';
import {
  bindingEntries,
  bindingPhase,
  bindingSecret,
  boundedName,
  decideClaim,
  decodeSecretData,
  labelValue,
  storageAddressFor,
  topicEndpoint,
} from '../../../shared/tanzu/index.js';

const CA = `-----BEGIN CERTIFICATE-----
MIIBkTCCATegAwIBAgIUQ0K1cW0Qwq9m2G7Xh2V7yqXx0nEwCgYIKoZIzj0EAwIw
-----END CERTIFICATE-----`;

test('config changes set what differs and reset what the spec leaves out', (t) => {
  t.deepEqual(kafkaConfigChange({ a: '1', b: '2' }, { a: '1', b: '3', c: '4' }), {
    set: { b: '2' },
    reset: ['c'],
  });
  t.deepEqual(kafkaConfigChange({ a: '1' }, { a: '1' }), { set: {}, reset: [] });
});

test('partitions can be raised and kept, never lowered', (t) => {
  t.is(partitionPlan(3, 3), 'keep');
  t.is(partitionPlan(5, 3), 'raise');
  t.is(partitionPlan(1, 3), 'refuse');
});

test('a Kafka binding Secret reads back to the credentials it was written from', (t) => {
  const credentials: BrokerCredentials = {
    username: 'app',
    password: 's3cret',
    saslMechanism: 'scram-sha-512',
  };
  const endpoint = topicEndpoint('kafka', ['k-0:9092', 'k-1:9092'], 'orders');
  const secret = bindingSecret({
    name: 'b',
    namespace: 'ns',
    type: 'kafka',
    entries: bindingEntries(endpoint, credentials),
    labels: {},
    owner: { apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u' },
  });
  t.is((secret as { type?: string }).type, 'servicebinding.io/kafka');
  const entries = decodeSecretData(secret);
  t.like(entries, {
    type: 'kafka',
    provider: 'sluice',
    'bootstrap-servers': 'k-0:9092,k-1:9092',
    bootstrapServers: 'k-0:9092,k-1:9092',
    host: 'k-0',
    port: '9092',
    topic: 'orders',
    username: 'app',
    user: 'app',
    password: 's3cret',
    saslMechanism: 'SCRAM-SHA-512',
    securityProtocol: 'SASL_PLAINTEXT',
  });
  const parsed = parseBindingSecret(secret, 'kafka');
  t.deepEqual(parsed.credentials, credentials);
  t.deepEqual(parsed.servers, ['k-0:9092', 'k-1:9092']);
});

test('a NATS binding Secret carries the URL, subject and stream and reads back to its token', (t) => {
  const endpoint = topicEndpoint('nats', ['nats://n:4222'], 'orders.eu');
  const entries = bindingEntries(endpoint, { token: 'tok' });
  t.like(entries, {
    type: 'nats',
    url: 'nats://n:4222',
    uri: 'nats://n:4222',
    host: 'n',
    port: '4222',
    topic: 'orders.eu',
    subject: 'orders.eu',
    stream: 'orders_eu',
    token: 'tok',
  });
  t.is(entries.securityProtocol, undefined);
  const secret = bindingSecret({
    name: 'b',
    namespace: 'n',
    type: 'nats',
    entries,
    labels: {},
    owner: { apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u' },
  });
  t.deepEqual(parseBindingSecret(secret, 'nats'), {
    credentials: { token: 'tok' },
    servers: ['nats://n:4222'],
  });
});

test('TLS material is published under the Service Binding keys', (t) => {
  const entries = bindingEntries(topicEndpoint('kafka', ['k:9093'], 't'), { tls: { ca: CA } });
  t.is(entries.certificates, CA);
  t.is(entries.securityProtocol, 'SSL');
});

test('the ClusterStream Secret adds its keys and is owned by the ClusterStream', (t) => {
  const cs = parse({ metadata: { name: 'orders', uid: 'u1' }, spec: { name: 'orders', keys: ['a', 'b'] } });
  const secret = clusterStreamSecret(cs, topicEndpoint('kafka', ['k:9092'], 'orders'), {}, 'ops');
  t.is(secret.metadata.name, 'orders-clusterstream-binding');
  t.is(secret.metadata.namespace, 'ops');
  t.is(decodeSecretData(secret).keys, 'a,b');
  t.like(secret.metadata.ownerReferences?.[0], {
    kind: 'ClusterStream',
    name: 'orders',
    uid: 'u1',
    controller: true,
  });
});

test('the storage address has the Streaming Runtime shape, attributes as variables under ours', (t) => {
  const address = storageAddressFor(topicEndpoint('kafka', ['k:9092'], 'orders'), {
    namespace: 'x',
    topic: 'spoof',
  });
  t.deepEqual(address, {
    server: {
      production: {
        url: 'k:9092',
        protocol: 'kafka',
        description: 'Kafka topic orders, provisioned by Sluice',
        variables: { namespace: 'x', brokers: 'k:9092', topic: 'orders' },
      },
    },
  });
  t.is(
    storageAddressFor(topicEndpoint('nats', ['nats://n:4222'], 'a.b'), {}, '2.10.1').server.production
      ?.protocolVersion,
    '2.10.1',
  );
});

test('a status rewrite with the same Ready status keeps its transition time', (t) => {
  const cs = parse({ metadata: { name: 'x', generation: 2 }, spec: { name: 'x' } });
  const first = clusterStreamStatus(
    cs,
    { phase: 'Available', ready: { status: 'True', reason: 'TopicReady', message: 'm' } },
    new Date('2024-01-01T00:00:00Z'),
  );
  const again = clusterStreamStatus(
    { ...cs, status: first },
    { phase: 'Available', ready: { status: 'True', reason: 'TopicReady', message: 'm' } },
    new Date('2024-06-01T00:00:00Z'),
  );
  t.deepEqual(again, first);
  t.is(findCondition(again, 'Ready')?.observedGeneration, 2);
  t.is(again.observedGeneration, 2);
});

test('the phase follows the claim: Available, Bound, Released', (t) => {
  t.is(bindingPhase(undefined, undefined), 'Available');
  t.is(
    bindingPhase({ namespace: 'n', name: 's' }, undefined),
    'Available',
    'a reservation is still available',
  );
  t.is(bindingPhase({ namespace: 'n', name: 's', uid: 'u' }, { uid: 'u', deleting: false }), 'Bound');
  t.is(bindingPhase({ namespace: 'n', name: 's', uid: 'u' }, undefined), 'Released');
  t.is(bindingPhase({ namespace: 'n', name: 's', uid: 'u' }, { uid: 'v', deleting: false }), 'Released');
  t.is(bindingPhase({ namespace: 'n', name: 's', uid: 'u' }, { uid: 'u', deleting: true }), 'Released');
});

test('one Stream claims, keeps, or is refused a ClusterStream', (t) => {
  const me = { namespace: 'n', name: 's', uid: 'u' };
  const withClaim = (claimRef?: Record<string, string>): ReturnType<typeof parse> =>
    parse({ metadata: { name: 'cs' }, spec: { name: 't', ...(claimRef ? { claimRef } : {}) } });
  t.deepEqual(decideClaim(withClaim(), me), { kind: 'claim', claimRef: me });
  t.deepEqual(decideClaim(withClaim({ namespace: 'n', name: 's' }), me), { kind: 'claim', claimRef: me });
  t.deepEqual(decideClaim(withClaim(me), me), { kind: 'bound' });
  t.like(decideClaim(withClaim({ namespace: 'n', name: 'other', uid: 'x' }), me), {
    kind: 'refused',
    reason: 'ClusterStreamBound',
  });
  t.like(decideClaim(withClaim({ namespace: 'n', name: 'other' }), me), {
    kind: 'refused',
    reason: 'ClusterStreamBound',
  });
  t.like(decideClaim(withClaim({ namespace: 'n', name: 's', uid: 'old' }), me), {
    kind: 'refused',
    reason: 'ClusterStreamReleased',
  });
});

test('derived names stay within Kubernetes limits', (t) => {
  t.is(boundedName('a', '-b'), 'a-b');
  const long = boundedName('x'.repeat(300), '-clusterstream-binding');
  t.true(long.length <= 253);
  t.true(long.endsWith('-clusterstream-binding'));
  t.is(labelValue('orders'), 'orders');
  t.true(labelValue('y'.repeat(100)).length <= 63);
  t.not(labelValue('y'.repeat(100)), labelValue('y'.repeat(101)));
});
