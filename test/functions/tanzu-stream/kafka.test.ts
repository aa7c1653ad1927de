/**
 * A Stream on Kafka, end to end on the real servers: it provisions its ClusterStream with its
 * partition count, binds, and publishes a binding Secret that a kafkajs client configured only
 * from the Secret's entries uses to produce and consume; a raised partitionCount raises the
 * topic's partitions through the ClusterStream.
 */
import test from 'ava';
import { Kafka, logLevel } from 'kafkajs';
import { clusterStreamFunction } from '../../../functions/cluster-stream/index.js';
import { tanzuStreamFunction } from '../../../functions/tanzu-stream/index.js';
import { TanzuStreamKind } from '../../../shared/index.js';
import { adminClient } from '../../helpers/context.js';
import { isolation, uniqueName } from '../../helpers/env.js';
import {
  attempt,
  cleanupClusterStream,
  closeBrokers,
  converge,
  csContext,
  csRef,
  getCs,
  kafkaAdmin,
  partitionsOf,
  prepareTwo,
  readyReason,
  secretEntries,
  statusOf,
  stream,
} from '../../fixtures/tanzu/fixtures.js';

test.after.always(closeBrokers);

const fns = { stream: tanzuStreamFunction, clusterStream: clusterStreamFunction };

test('a Kafka Stream provisions its ClusterStream, binds, and a client configured only from its Secret produces and consumes', async (t) => {
  const iso = isolation('st-kafka');
  const { ops, app } = await prepareTwo(t, iso.namespace);
  const admin = await kafkaAdmin(t, iso.topicPrefix);
  const name = uniqueName('clicks');
  const csNameOf = `${name}-cluster-stream`;
  cleanupClusterStream(t, csNameOf);
  const topic = `${iso.topicPrefix}clicks`;
  await adminClient().create(
    TanzuStreamKind,
    stream(app, name, {
      name: topic,
      protocol: 'kafka',
      keys: ['user'],
      partitionCount: 3,
      streamMode: ['read', 'write'],
    }),
  );
  const bound = await converge(fns, ops, app, name, csNameOf, { rounds: 10 });
  t.is(readyReason(bound), 'StreamDeployed');
  t.like((await getCs(csNameOf))?.spec, { name: topic, partitions: 3, keys: ['user'] });
  t.is(await partitionsOf(admin, topic), 3);

  const entries = await secretEntries(app, (statusOf(bound).binding as { name: string }).name);
  t.like(entries, { type: 'kafka', provider: 'sluice', topic, keys: 'user' });
  t.is(entries?.bootstrapServers, entries?.['bootstrap-servers']);

  // A client that knows nothing but the Secret's entries.
  const kafka = new Kafka({
    brokers: (entries?.['bootstrap-servers'] ?? '').split(','),
    clientId: 'bound-workload',
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: entries?.topic ?? '', messages: [{ key: 'u1', value: 'hello over kafka' }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `${iso.topicPrefix}workload` });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: entries?.topic ?? '', fromBeginning: true });
  const received = await new Promise<string>((resolve) => {
    void consumer.run({
      eachMessage: ({ message }) => Promise.resolve(resolve(message.value?.toString() ?? '')),
    });
  });
  t.is(received, 'hello over kafka');

  // A raised partitionCount raises the topic's partitions.
  await adminClient().patch(TanzuStreamKind, app, name, { spec: { partitionCount: 5 } });
  t.is(readyReason(await converge(fns, ops, app, name, csNameOf, { rounds: 10 })), 'StreamDeployed');
  t.is(((await getCs(csNameOf))?.spec as { partitions?: number }).partitions, 5);
  // The ClusterStream's generation changed: the dispatcher would reconcile it now.
  t.is((await attempt(clusterStreamFunction, csRef(csNameOf), csContext(ops, csNameOf))).error, undefined);
  t.is(await partitionsOf(admin, topic, 5), 5);
});
