/**
 * The batching Kafka admin client against the real Kafka of the test environment: create, describe,
 * alter, partitions and delete, per-topic error routing inside batches, batching itself (proved
 * with the client's request counters) and an unreachable cluster.
 *
 * Kafka applies admin changes through its controller and brokers learn them asynchronously, so a
 * read right after a change may briefly show the old state: reads after writes poll.
 */
import test, { type ExecutionContext } from 'ava';
import { BrokerUnavailableError } from '../../../shared/brokers/errors.js';
import { InvalidTopicConfigError, TopicNotFoundError } from '../../../shared/brokers/failures.js';
import type { KafkaAdminOptions } from '../../../shared/brokers/kafka-config.js';
import { createKafkaAdmin, type KafkaAdmin } from '../../../shared/brokers/kafka.js';
import { TerminalError } from '../../../runtime/errors.js';
import { isolation, testEnv } from '../../helpers/env.js';
import { eventually } from '../../helpers/kube.js';

/** A client on the test cluster, closed after the test; `created` topics are deleted then. */
function kafka(t: ExecutionContext, label: string, opts: Partial<KafkaAdminOptions> = {}) {
  const { topicPrefix } = isolation(label);
  const client = createKafkaAdmin({ brokers: testEnv().kafkaBrokers, ...opts });
  const created = new Set<string>();
  t.teardown(async () => {
    await Promise.all([...created].map((n) => client.deleteTopic(n).catch(() => undefined)));
    await client.close();
  });
  const topic = (name: string): string => {
    created.add(`${topicPrefix}${name}`);
    return `${topicPrefix}${name}`;
  };
  return { client, topic };
}

test('a new topic is created, and a second create reports that it exists', async (t) => {
  const { client, topic } = kafka(t, 'kafka-create');
  const name = topic('orders');
  const spec = { name, partitions: 3, replicationFactor: 1, config: { 'retention.ms': '3600000' } };
  t.is(await client.createTopic(spec), 'created');
  t.is(await client.createTopic(spec), 'exists');
});

test('describe gives partitions, replication factor and only the settings made on the topic', async (t) => {
  const { client, topic } = kafka(t, 'kafka-describe');
  const name = topic('described');
  const config = { 'retention.ms': '7200000', 'cleanup.policy': 'compact' };
  await client.createTopic({ name, partitions: 2, replicationFactor: 1, config });
  t.deepEqual(await client.describeTopic(name), { name, partitions: 2, replicationFactor: 1, config });
});

test('describing a missing topic gives undefined, also in a batch with an existing one', async (t) => {
  const { client, topic } = kafka(t, 'kafka-missing');
  const present = topic('present');
  await client.createTopic({ name: present, partitions: 1, replicationFactor: 1, config: {} });
  const [a, b, c] = await Promise.all([
    client.describeTopic(topic('absent')),
    client.describeTopic(present),
    client.describeTopic('not a legal topic name'),
  ]);
  t.is(a, undefined);
  t.is(b?.partitions, 1);
  t.is(c, undefined);
});

test('altering config sets the given settings and returns the ones left out to their defaults', async (t) => {
  const { client, topic } = kafka(t, 'kafka-alter');
  const name = topic('altered');
  await client.createTopic({
    name,
    partitions: 1,
    replicationFactor: 1,
    config: { 'retention.ms': '3600000', 'cleanup.policy': 'compact' },
  });
  await client.alterTopicConfig(name, { 'retention.ms': '60000', 'max.message.bytes': '2000000' }, [
    'cleanup.policy',
  ]);
  const expected = { 'retention.ms': '60000', 'max.message.bytes': '2000000' };
  const state = await eventually('the new config', async () => {
    const s = await client.describeTopic(name);
    return s !== undefined && !('cleanup.policy' in s.config) ? s : undefined;
  });
  t.deepEqual(state.config, expected);
});

test('an invalid setting in an alter is rejected for its topic only, while its batch mate is altered', async (t) => {
  const { client, topic } = kafka(t, 'kafka-alter-bad');
  const good = topic('good');
  const bad = topic('bad');
  await Promise.all(
    [good, bad].map((name) => client.createTopic({ name, partitions: 1, replicationFactor: 1, config: {} })),
  );
  const [g, b, m] = await Promise.allSettled([
    client.alterTopicConfig(good, { 'retention.ms': '120000' }, []),
    client.alterTopicConfig(bad, { 'retention.ms': 'forever' }, []),
    client.alterTopicConfig(topic('never-created'), { 'retention.ms': '1000' }, []),
  ]);
  t.is(g?.status, 'fulfilled');
  t.true(b?.status === 'rejected' && b.reason instanceof InvalidTopicConfigError);
  t.true(m?.status === 'rejected' && m.reason instanceof TopicNotFoundError);
  const state = await eventually('the new config', async () => {
    const s = await client.describeTopic(good);
    return s?.config['retention.ms'] === undefined ? undefined : s;
  });
  t.deepEqual(state.config, { 'retention.ms': '120000' });
});

test('partitions can be raised, asking for the current count is a no-op, and lowering is refused', async (t) => {
  const { client, topic } = kafka(t, 'kafka-partitions');
  const name = topic('grows');
  await client.createTopic({ name, partitions: 1, replicationFactor: 1, config: {} });
  await client.createPartitions(name, 4);
  await client.createPartitions(name, 4);
  const err = await t.throwsAsync(client.createPartitions(name, 2), { instanceOf: InvalidTopicConfigError });
  t.is(err?.reason, 'InvalidTopicConfig');
  const state = await eventually('4 partitions', async () => {
    const s = await client.describeTopic(name);
    return s?.partitions === 4 ? s : undefined;
  });
  t.is(state.partitions, 4);
});

test('deleting a topic gives true, and deleting a missing topic gives false', async (t) => {
  const { client, topic } = kafka(t, 'kafka-delete');
  const name = topic('doomed');
  await client.createTopic({ name, partitions: 1, replicationFactor: 1, config: {} });
  const [deleted, missing] = await Promise.all([
    client.deleteTopic(name),
    client.deleteTopic(topic('ghost')),
  ]);
  t.true(deleted);
  t.false(missing);
  await eventually('the topic to be gone', async () => (await client.describeTopic(name)) === undefined);
  t.false(await client.deleteTopic(name));
});

test('an invalid config or replication factor is rejected with InvalidTopicConfig, its batch mates are created', async (t) => {
  const { client, topic } = kafka(t, 'kafka-invalid');
  const [badConfig, badReplication, badName, good] = await Promise.allSettled([
    client.createTopic({
      name: topic('bad-config'),
      partitions: 1,
      replicationFactor: 1,
      config: { 'retention.ms': 'not-a-number' },
    }),
    client.createTopic({ name: topic('bad-rf'), partitions: 1, replicationFactor: 3, config: {} }),
    client.createTopic({ name: 'no spaces allowed', partitions: 1, replicationFactor: 1, config: {} }),
    client.createTopic({ name: topic('good'), partitions: 1, replicationFactor: 1, config: {} }),
  ]);
  for (const r of [badConfig, badReplication, badName]) {
    t.is(r?.status, 'rejected');
    const reason: unknown = r?.status === 'rejected' ? r.reason : undefined;
    t.true(reason instanceof InvalidTopicConfigError, String(reason));
    t.true(reason instanceof TerminalError);
    t.is((reason as TerminalError).reason, 'InvalidTopicConfig');
  }
  t.deepEqual(good, { status: 'fulfilled', value: 'created' });
  t.is(await client.describeTopic(topic('bad-config')), undefined);
});

test('in one batch with an existing topic, each new topic is reported created and the existing one exists', async (t) => {
  const { client, topic } = kafka(t, 'kafka-mixed');
  const spec = (name: string) => ({ name: topic(name), partitions: 1, replicationFactor: 1, config: {} });
  t.is(await client.createTopic(spec('old')), 'created');
  const batchesBefore = client.stats().batches.createTopic;
  const answers = await Promise.all(['new-a', 'old', 'new-b'].map((n) => client.createTopic(spec(n))));
  t.deepEqual(answers, ['created', 'exists', 'created']);
  t.is(client.stats().batches.createTopic - batchesBefore, 1);
  t.true(client.stats().requests.validateTopics >= 1);
});

test('300 concurrent creates, describes and deletes are served by a handful of admin requests', async (t) => {
  const { client, topic } = kafka(t, 'kafka-batching');
  const names = Array.from({ length: 300 }, (_, i) => topic(`bulk-${i}`));
  const results = await Promise.all(
    names.map((name) => client.createTopic({ name, partitions: 1, replicationFactor: 1, config: {} })),
  );
  t.true(results.every((r) => r === 'created'));
  const described = await Promise.all(names.map((n) => client.describeTopic(n)));
  t.true(described.every((d) => d?.partitions === 1));
  const deleted = await Promise.all(names.map((n) => client.deleteTopic(n)));
  t.true(deleted.every(Boolean));

  const { calls, batches, requests, wire } = client.stats();
  t.log({ calls, batches, requests, wire });
  t.is(calls.createTopic, 300);
  t.is(calls.describeTopic, 300);
  t.is(calls.deleteTopic, 300);
  t.true(requests.createTopics <= 10, `${requests.createTopics} CreateTopics requests`);
  t.true(requests.describeConfigs <= 10, `${requests.describeConfigs} DescribeConfigs requests`);
  t.true(requests.deleteTopics <= 10, `${requests.deleteTopics} DeleteTopics requests`);
  t.true((wire.CreateTopics ?? 0) <= 10, `${wire.CreateTopics ?? 0} CreateTopics on the wire`);
});

test('an unreachable broker fails with BrokerUnavailableError', async (t) => {
  const client: KafkaAdmin = createKafkaAdmin({
    brokers: ['127.0.0.1:1'],
    connectionTimeoutMs: 500,
    retries: 1,
    operationTimeoutMs: 5000,
  });
  t.teardown(() => client.close());
  const err = await t.throwsAsync(client.describeTopic('anything'), { instanceOf: BrokerUnavailableError });
  t.is(err?.reason, 'BrokerUnavailable');
  await t.throwsAsync(
    client.createTopic({ name: 'anything', partitions: 1, replicationFactor: 1, config: {} }),
    { instanceOf: BrokerUnavailableError },
  );
});

test('a closed client rejects calls with BrokerUnavailableError', async (t) => {
  const client = createKafkaAdmin({ brokers: testEnv().kafkaBrokers });
  await client.close();
  await t.throwsAsync(client.describeTopic('x'), { instanceOf: BrokerUnavailableError });
});
