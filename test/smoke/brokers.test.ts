/**
 * Smoke tests of Redis (a BullMQ job round trip), NATS JetStream (limits that discard) and Kafka
 * (a three-partition topic, one message produced and consumed).
 */
import test from 'ava';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Kafka, logLevel } from 'kafkajs';
import { connect, DiscardPolicy, nanos, RetentionPolicy, StorageType } from 'nats';
import { isolation } from '../helpers/env.js';
import { testEnv } from '../helpers/env.js';

test('a BullMQ job goes round through the real Redis', async (t) => {
  const { queuePrefix } = isolation('smoke-redis');
  const connection = { url: testEnv().redisUrl, maxRetriesPerRequest: null };
  const queue = new Queue('smoke', { connection, prefix: queuePrefix });
  const events = new QueueEvents('smoke', { connection, prefix: queuePrefix });
  const worker = new Worker('smoke', (job) => Promise.resolve((job.data as { n: number }).n * 2), {
    connection,
    prefix: queuePrefix,
  });
  t.teardown(async () => {
    await worker.close();
    await events.close();
    await queue.obliterate({ force: true });
    await queue.close();
  });
  await events.waitUntilReady();
  const job = await queue.add('double', { n: 21 });
  t.is(await job.waitUntilFinished(events, 20_000), 42);
});

test('a JetStream stream with max_msgs and max_age discards the oldest message', async (t) => {
  const { topicPrefix } = isolation('smoke-nats');
  const nc = await connect({ servers: testEnv().natsUrl });
  t.teardown(() => nc.close());
  const jsm = await nc.jetstreamManager();
  const name = topicPrefix.replace(/\./g, '_') + 'limits';
  const subject = `${topicPrefix}limits`;
  const info = await jsm.streams.add({
    name,
    subjects: [subject],
    max_msgs: 3,
    max_age: nanos(60 * 60 * 1000),
    discard: DiscardPolicy.Old,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
  });
  t.teardown(() => jsm.streams.delete(name).then(() => undefined));
  t.is(info.config.max_msgs, 3);
  t.is(info.config.max_age, nanos(60 * 60 * 1000));
  const js = nc.jetstream();
  for (let i = 1; i <= 4; i++) await js.publish(subject, new TextEncoder().encode(`m${i}`));
  const state = (await jsm.streams.info(name)).state;
  t.is(state.messages, 3);
  t.is(state.first_seq, 2, 'the first message was discarded');
  t.is(state.last_seq, 4);
});

test('a Kafka topic with 3 partitions carries a message from producer to consumer', async (t) => {
  const { topicPrefix } = isolation('smoke-kafka');
  const topic = `${topicPrefix}events`;
  const kafka = new Kafka({
    brokers: [...testEnv().kafkaBrokers],
    clientId: 'smoke',
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });
  t.true(
    await admin.createTopics({
      topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
      waitForLeaders: true,
    }),
  );
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  t.is(meta.topics[0]?.partitions.length, 3);

  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ key: 'k', value: 'hello' }] });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: `${topicPrefix}group` });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  const received = await new Promise<string>((resolve) => {
    void consumer.run({
      eachMessage: ({ message }) => Promise.resolve(resolve(message.value?.toString() ?? '')),
    });
  });
  t.is(received, 'hello');
});
