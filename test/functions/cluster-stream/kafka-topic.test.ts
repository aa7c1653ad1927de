/**
 * `inspectKafkaTopic` (and the pass it returns, applied) on the real Kafka, counting the admin
 * calls it makes: a topic the status never named is created without being described, an existing
 * one is found by the create and adopted as it is, a known topic is described first (creating it
 * would only be refused), and looking alone never changes a topic.
 */
import test, { type ExecutionContext } from 'ava';
import {
  inspectKafkaTopic,
  type InspectOptions,
  type TopicPass,
} from '../../../functions/cluster-stream/kafka-topic.js';
import { createKafkaAdmin, type KafkaAdmin } from '../../../shared/brokers/kafka.js';
import type { KafkaTopicSpec } from '../../../shared/index.js';
import { isolation, testEnv } from '../../helpers/env.js';

function admin(t: ExecutionContext, prefix: string): KafkaAdmin {
  const client = createKafkaAdmin({ brokers: testEnv().kafkaBrokers, lingerMs: 0 });
  t.teardown(async () => {
    for (const name of [`${prefix}new`, `${prefix}old`, `${prefix}known`])
      await client.deleteTopic(name).catch(() => undefined);
    await client.close();
  });
  return client;
}

/** Looks, then makes the changes, as the owner of the topic does. */
async function ensure(
  kafka: KafkaAdmin,
  spec: KafkaTopicSpec,
  opts: InspectOptions = {},
): Promise<TopicPass> {
  const pass = await inspectKafkaTopic(kafka, spec, opts);
  const applied = await pass.apply();
  return {
    ...pass,
    actions: [...pass.actions, ...applied.actions],
    ...(applied.partitions === undefined ? {} : { partitions: applied.partitions }),
  };
}

function want(name: string, config: Record<string, string> = {}): KafkaTopicSpec {
  return { name, partitions: 2, replicationFactor: 1, config };
}

test('a new topic expected missing is created with one CreateTopics and never described', async (t) => {
  const { topicPrefix } = isolation('cs-topic-new');
  const kafka = admin(t, topicPrefix);
  const spec = want(`${topicPrefix}new`, { 'retention.ms': '3600000' });
  const observed = await ensure(kafka, spec, { createFirst: true });
  t.false(observed.existed);
  t.is(observed.partitions, 2);
  t.deepEqual(observed.refusals, []);
  t.deepEqual(
    observed.actions.map((a) => a.reason),
    ['TopicCreated'],
  );
  const { calls } = kafka.stats();
  t.is(calls.createTopic, 1);
  t.is(calls.describeTopic, 0);
  t.is(calls.alterTopicConfig, 0);
});

test('an existing topic expected missing is found by the create, described and adopted unchanged', async (t) => {
  const { topicPrefix } = isolation('cs-topic-old');
  const kafka = admin(t, topicPrefix);
  const name = `${topicPrefix}old`;
  t.is(await kafka.createTopic({ ...want(name), partitions: 3 }), 'created');
  const observed = await ensure(kafka, want(name), { createFirst: true });
  t.true(observed.existed);
  t.deepEqual(observed.actions, []);
  // Kafka cannot remove partitions: the 3 it has are reported, and the ask for 2 is refused.
  t.is(observed.partitions, 3);
  t.is(observed.refusals.length, 1);
  const { calls } = kafka.stats();
  t.is(calls.createTopic, 2);
  t.true(calls.describeTopic >= 1);
});

test('a known topic is described first and not created again', async (t) => {
  const { topicPrefix } = isolation('cs-topic-known');
  const kafka = admin(t, topicPrefix);
  const name = `${topicPrefix}known`;
  t.is(await ensure(kafka, want(name), { createFirst: true }).then((o) => o.existed), false);
  const before = kafka.stats().calls;
  // Brokers learn a new topic asynchronously: until one does, the describe misses it and the
  // create answers `exists`; either way the topic is adopted, never created twice.
  const again = await ensure(kafka, want(name));
  t.true(again.existed);
  t.deepEqual(again.actions, []);
  const after = kafka.stats().calls;
  t.true(after.describeTopic > before.describeTopic);
  t.true(after.createTopic - before.createTopic <= 1);
});

test('looking at a topic that differs from the spec changes nothing until the pass is applied', async (t) => {
  const { topicPrefix } = isolation('cs-topic-look');
  const kafka = admin(t, topicPrefix);
  const name = `${topicPrefix}old`;
  t.is(await kafka.createTopic({ ...want(name, { 'retention.ms': '1000' }), partitions: 1 }), 'created');
  const spec = want(name, { 'retention.ms': '3600000' });
  const pass = await inspectKafkaTopic(kafka, spec);
  t.true(pass.existed);
  t.deepEqual(
    pass.changes,
    [
      { setting: 'partitions', broker: '1', spec: '2' },
      { setting: 'retention.ms', broker: '1000', spec: '3600000' },
    ].sort((a, b) => a.setting.localeCompare(b.setting)),
  );
  const looked = kafka.stats().calls;
  t.is(looked.alterTopicConfig, 0);
  t.is(looked.createPartitions, 0);
  t.is((await kafka.describeTopic(name))?.config['retention.ms'], '1000');
  const applied = await pass.apply();
  t.deepEqual(
    applied.actions.map((a) => a.reason),
    ['TopicConfigured', 'PartitionsIncreased'],
  );
});

test('settings left alone keep the value another tool gave them when the others are put back', async (t) => {
  const { topicPrefix } = isolation('cs-topic-ignore');
  const kafka = admin(t, topicPrefix);
  const name = `${topicPrefix}known`;
  const throttle = 'leader.replication.throttled.replicas';
  t.is(await kafka.createTopic({ ...want(name, { 'retention.ms': '1000', [throttle]: '0:0' }) }), 'created');
  const pass = await inspectKafkaTopic(kafka, want(name, { 'retention.ms': '3600000' }), {
    ignored: new Set([throttle]),
  });
  t.deepEqual(
    pass.changes.map((c) => c.setting),
    ['retention.ms'],
  );
  await pass.apply();
  const after = await kafka.describeTopic(name);
  t.is(after?.config['retention.ms'], '3600000');
  t.is(after?.config[throttle], '0:0', 'the ignored setting kept its value through the alteration');
});
