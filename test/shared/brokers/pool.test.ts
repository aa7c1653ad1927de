/**
 * The broker client pool: endpoint overrides rewrite every address before it is dialed (proved by
 * dialing names that do not resolve), Kafka clients are pooled per addresses + credentials and
 * closed when idle, and bad addresses are refused without echoing credentials.
 */
import test from 'ava';
import { credentialsFingerprint } from '../../../shared/brokers/fingerprint.js';
import { createBrokerClients, type BrokerClientsOptions } from '../../../shared/brokers/pool.js';
import { TerminalError } from '../../../runtime/errors.js';
import { isolation, testEnv } from '../../helpers/env.js';
import { eventually } from '../../helpers/kube.js';

function pool(t: { teardown(fn: () => Promise<void>): void }, opts: BrokerClientsOptions = {}) {
  const clients = createBrokerClients(opts);
  t.teardown(() => clients.close());
  return clients;
}

test('resolve rewrites an exact host:port through the overrides and leaves others alone', (t) => {
  const clients = pool(t, { endpointOverrides: new Map([['kafka.streams.svc:9092', '127.0.0.1:19092']]) });
  t.is(clients.resolve('kafka.streams.svc:9092'), '127.0.0.1:19092');
  t.is(clients.resolve('kafka.streams.svc:9093'), 'kafka.streams.svc:9093');
  t.is(clients.resolve('other:9092'), 'other:9092');
});

test('a NATS server name that only the overrides know is dialed through them', async (t) => {
  const real = testEnv().natsUrl.replace(/^nats:\/\//, '');
  const clients = pool(t, { endpointOverrides: new Map([['nats.sluice-test.invalid:4222', real]]) });
  const { jsm } = await clients.jetstream(['nats://nats.sluice-test.invalid:4222']);
  t.truthy(await jsm.getAccountInfo());
});

test('a Kafka bootstrap name that only the overrides know is dialed through them', async (t) => {
  const [real] = testEnv().kafkaBrokers;
  if (real === undefined) return t.fail('no Kafka broker in the test environment');
  const clients = pool(t, {
    endpointOverrides: new Map([['kafka.sluice-test.invalid:9092', real]]),
    kafka: { operationTimeoutMs: 20_000 },
  });
  const kafka = clients.kafka(['kafka.sluice-test.invalid:9092']);
  const name = `${isolation('pool-override').topicPrefix}via-override`;
  t.teardown(() => kafka.deleteTopic(name).then(() => undefined));
  t.is(await kafka.createTopic({ name, partitions: 1, replicationFactor: 1, config: {} }), 'created');
});

test('Kafka clients are shared per sorted addresses and credentials', (t) => {
  const clients = pool(t);
  const a = clients.kafka(['b:9092', 'a:9092'], { username: 'u', password: 'p', saslMechanism: 'plain' });
  const b = clients.kafka(['a:9092', 'b:9092'], { username: 'u', password: 'p', saslMechanism: 'plain' });
  const c = clients.kafka(['a:9092', 'b:9092'], { username: 'u', password: 'other', saslMechanism: 'plain' });
  t.is(a.key, b.key);
  t.not(a.key, c.key);
  t.false(c.key.includes('other'), 'the pool key holds no secret');
  t.true(a.key.startsWith('kafka|a:9092,b:9092|'));
});

test('calls through two handles with the same key are batched by one client', async (t) => {
  const clients = pool(t);
  const brokers = testEnv().kafkaBrokers;
  const prefix = isolation('pool-shared').topicPrefix;
  const [first, second] = [clients.kafka(brokers), clients.kafka(brokers)];
  await Promise.all([first.describeTopic(`${prefix}x`), second.describeTopic(`${prefix}y`)]);
  t.is(clients.size().kafka, 1);
  t.is(first.stats().calls.describeTopic, 2);
  t.is(first.stats().batches.describeTopic, 1);
});

test('an idle Kafka client is closed and a later call opens a new one', async (t) => {
  const clients = pool(t, { idleMs: 100, sweepMs: 20 });
  const kafka = clients.kafka(testEnv().kafkaBrokers);
  const prefix = isolation('pool-idle').topicPrefix;
  t.is(await kafka.describeTopic(`${prefix}none`), undefined);
  t.is(clients.size().kafka, 1);
  await eventually('the idle client to close', () => Promise.resolve(clients.size().kafka === 0), 10_000, 20);
  t.is(kafka.stats().calls.describeTopic, 0, 'the closed client is gone');
  t.is(await kafka.describeTopic(`${prefix}none`), undefined);
  t.is(clients.size().kafka, 1);
});

const badAddresses: [string, 'kafka' | 'nats', string[]][] = [
  ['an empty Kafka list', 'kafka', []],
  ['a Kafka address without a port', 'kafka', ['kafka.streams.svc']],
  ['a Kafka URL', 'kafka', ['kafka://kafka:9092']],
  ['a NATS URL with another scheme', 'nats', ['http://nats:4222']],
  ['a NATS URL with credentials', 'nats', ['nats://alice:s3cret-value@nats:4222']],
];

for (const [what, protocol, addresses] of badAddresses) {
  test(`${what} is refused with InvalidBrokerAddress`, async (t) => {
    const clients = pool(t);
    const call = (): Promise<unknown> =>
      protocol === 'kafka'
        ? Promise.resolve().then(() => clients.kafka(addresses))
        : clients.jetstream(addresses);
    const err = await t.throwsAsync(call(), { instanceOf: TerminalError });
    t.is(err?.reason, 'InvalidBrokerAddress');
    t.false(err?.message.includes('s3cret-value'));
  });
}

test('credential fingerprints are equal for equal credentials and hide the secret', (t) => {
  const a = credentialsFingerprint({ token: 'tok-secret' });
  t.is(a, credentialsFingerprint({ token: 'tok-secret' }));
  t.not(a, credentialsFingerprint({ token: 'tok-other' }));
  t.not(a, credentialsFingerprint({ username: 'tok-secret' }));
  t.not(a, credentialsFingerprint({ token: 'tok-secret', tls: {} }));
  t.is(credentialsFingerprint(undefined), 'none');
  t.regex(a, /^[0-9a-f]{16}$/);
});
