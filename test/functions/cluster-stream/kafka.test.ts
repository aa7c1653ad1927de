/**
 * The ClusterStream function on the real Kafka: the seed's example gives a real topic; settings,
 * partitions and the replication factor reach the broker; drift heals; a partition decrease and a
 * replication factor change are refused without touching the topic; a rename is refused.
 */
import test from 'ava';
import kafkajs from 'kafkajs';
import { clusterStreamFunction } from '../../../functions/cluster-stream/index.js';
import { Builtin, findCondition } from '../../../runtime/index.js';
import { adminClient } from '../../helpers/context.js';
import { isolation } from '../../helpers/env.js';
import { eventually } from '../../helpers/kube.js';
import {
  attempt,
  cleanupClusterStream,
  closeBrokers,
  clusterStream,
  create,
  csContext,
  csName,
  csRef,
  getCs,
  kafkaAdmin,
  partitionsOf,
  topicExists,
  prepare,
  secretEntries,
  seedClusterStream,
  statusOf,
  topicConfig,
} from '../../fixtures/tanzu/fixtures.js';
import { ClusterStreamKind } from '../../../shared/index.js';

const { ConfigResourceTypes } = kafkajs;

test.after.always(closeBrokers);

test('the seed ClusterStream example gives a real Kafka topic, a binding Secret and a Ready status', async (t) => {
  const iso = isolation('cs-seed');
  await prepare(t, iso.namespace);
  const admin = await kafkaAdmin(t, iso.topicPrefix);
  await adminClient().create(Builtin.Secret, {
    metadata: { name: 'kafka-binding', namespace: iso.namespace },
    type: 'servicebinding.io/kafka',
    stringData: { type: 'kafka', provider: 'test' },
  });
  const name = csName('seed');
  cleanupClusterStream(t, name);
  const manifest = seedClusterStream(name, iso.topicPrefix);
  await create(ClusterStreamKind, manifest);
  const ctx = csContext(iso.namespace, name);

  const { error } = await attempt(clusterStreamFunction, csRef(name), ctx);
  t.is(error, undefined);

  const topic = `${iso.topicPrefix}topicNme`;
  t.is(await partitionsOf(admin, topic), 1);

  const cs = await getCs(name);
  const status = statusOf(cs);
  t.is(status.phase, 'Available');
  t.is(status.topicName, topic);
  t.is(status.partitions, 1);
  t.is(status.observedGeneration, cs?.metadata.generation);
  const ready = findCondition(status, 'Ready');
  t.is(ready?.status, 'True');
  t.is(ready?.reason, 'TopicReady');
  t.is(ready?.observedGeneration, cs?.metadata.generation);
  t.deepEqual(status.storageAddress, {
    server: {
      production: {
        url: manifest.spec && (manifest.spec as { storage: { server: { url: string } } }).storage.server.url,
        protocol: 'kafka',
        description: `Kafka topic ${topic}, provisioned by Sluice`,
        variables: {
          brokers: (manifest.spec as { storage: { server: { url: string } } }).storage.server.url,
          topic,
        },
      },
    },
  });
  const bindingName = (status.binding as { name?: string } | undefined)?.name ?? '';
  const entries = await secretEntries(iso.namespace, bindingName);
  t.like(entries, {
    type: 'kafka',
    provider: 'sluice',
    topic,
    keys: 'user-id',
    securityProtocol: 'PLAINTEXT',
  });
  t.truthy(ctx.recorded.find((e) => e.reason === 'TopicCreated'));
});

test('topic settings, partitions and replication factor reach Kafka, and drift on the broker heals', async (t) => {
  const iso = isolation('cs-settings');
  await prepare(t, iso.namespace);
  const admin = await kafkaAdmin(t, iso.topicPrefix);
  const name = csName('settings');
  cleanupClusterStream(t, name);
  const topic = `${iso.topicPrefix}orders`;
  await create(
    ClusterStreamKind,
    clusterStream({
      name,
      topic,
      spec: {
        partitions: 3,
        replicationFactor: 1,
        config: { 'retention.ms': '3600000', 'cleanup.policy': 'compact' },
      },
    }),
  );
  const ctx = csContext(iso.namespace, name);
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);

  t.is(await partitionsOf(admin, topic), 3);
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  t.is(meta.topics[0]?.partitions[0]?.replicas.length, 1);
  t.like(await topicConfig(admin, topic), { 'retention.ms': '3600000', 'cleanup.policy': 'compact' });

  // Someone changes a managed setting and adds another behind Sluice's back.
  await admin.alterConfigs({
    validateOnly: false,
    resources: [
      {
        type: ConfigResourceTypes.TOPIC,
        name: topic,
        configEntries: [
          { name: 'retention.ms', value: '1000' },
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'max.message.bytes', value: '2000' },
        ],
      },
    ],
  });
  t.like(await topicConfig(admin, topic), { 'retention.ms': '1000', 'max.message.bytes': '2000' });
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);
  const healed = await topicConfig(admin, topic);
  t.is(healed['retention.ms'], '3600000');
  t.is(healed['max.message.bytes'], undefined, 'a setting outside the spec is reset to the default');
  t.truthy(ctx.recorded.find((e) => e.reason === 'TopicCreated'));
  const drift = ctx.recorded.find((e) => e.reason === 'DriftCorrected');
  t.is(drift?.type, 'Warning');
  t.regex(drift?.message ?? '', /max\.message\.bytes 2000 → \(default\), retention\.ms 1000 → 3600000/);
  const metrics = await ctx.metrics.registry.metrics();
  t.regex(metrics, /sluice_drift_total\{kind="ClusterStream",setting="retention\.ms"\} 1/);
  t.regex(metrics, /sluice_drift_total\{kind="ClusterStream",setting="max\.message\.bytes"\} 1/);
});

test('raising partitions adds them; lowering them is refused with NotSupported and leaves the topic alone', async (t) => {
  const iso = isolation('cs-partitions');
  await prepare(t, iso.namespace);
  const admin = await kafkaAdmin(t, iso.topicPrefix);
  const name = csName('partitions');
  cleanupClusterStream(t, name);
  const topic = `${iso.topicPrefix}clicks`;
  await create(ClusterStreamKind, clusterStream({ name, topic, spec: { partitions: 2 } }));
  const ctx = csContext(iso.namespace, name);
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);

  t.is(await partitionsOf(admin, topic), 2);
  await adminClient().patch(ClusterStreamKind, undefined, name, { spec: { partitions: 5 } });
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);
  t.is(await partitionsOf(admin, topic, 5), 5);
  t.is(statusOf(await getCs(name)).partitions, 5);
  t.truthy(ctx.recorded.find((e) => e.reason === 'PartitionsIncreased'));

  await adminClient().patch(ClusterStreamKind, undefined, name, { spec: { partitions: 1 } });
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);
  t.is(await partitionsOf(admin, topic), 5);
  const cs = await getCs(name);
  const ready = findCondition(statusOf(cs), 'Ready');
  t.is(ready?.status, 'False');
  t.is(ready?.reason, 'NotSupported');
  t.regex(ready?.message ?? '', /cannot remove partitions/);
  t.is(ready?.observedGeneration, cs?.metadata.generation);
  t.is(statusOf(cs).partitions, 5);
  t.truthy(ctx.recorded.find((e) => e.type === 'Warning' && e.reason === 'NotSupported'));
});

test('an existing topic is adopted, and a replication factor it does not have is refused with NotSupported', async (t) => {
  const iso = isolation('cs-adopt');
  await prepare(t, iso.namespace);
  const admin = await kafkaAdmin(t, iso.topicPrefix);
  const topic = `${iso.topicPrefix}legacy`;
  await admin.createTopics({
    topics: [{ topic, numPartitions: 2, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  const name = csName('adopt');
  cleanupClusterStream(t, name);
  await create(
    ClusterStreamKind,
    clusterStream({ name, topic, spec: { partitions: 2, replicationFactor: 3 } }),
  );
  const ctx = csContext(iso.namespace, name);
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);
  t.truthy(ctx.recorded.find((e) => e.reason === 'TopicAdopted'));
  const ready = findCondition(statusOf(await getCs(name)), 'Ready');
  t.is(ready?.reason, 'NotSupported');
  t.regex(ready?.message ?? '', /replicationFactor asks for 3 but topic .* has 1/);
});

test('a replication factor above the broker count is a terminal InvalidTopicConfig with phase Failed', async (t) => {
  const iso = isolation('cs-rf');
  await prepare(t, iso.namespace);
  await kafkaAdmin(t, iso.topicPrefix);
  const name = csName('rf');
  cleanupClusterStream(t, name);
  await create(
    ClusterStreamKind,
    clusterStream({ name, topic: `${iso.topicPrefix}rf`, spec: { replicationFactor: 3 } }),
  );
  const { error } = await attempt(clusterStreamFunction, csRef(name), csContext(iso.namespace, name));
  t.is((error as { reason?: string } | undefined)?.reason, 'InvalidTopicConfig');
  const status = statusOf(await getCs(name));
  t.is(status.phase, 'Failed');
  t.is(findCondition(status, 'Ready')?.reason, 'InvalidTopicConfig');
});

test('renaming the topic of a provisioned ClusterStream is refused with NotSupported', async (t) => {
  const iso = isolation('cs-rename');
  await prepare(t, iso.namespace);
  await kafkaAdmin(t, iso.topicPrefix);
  const name = csName('rename');
  cleanupClusterStream(t, name);
  await create(ClusterStreamKind, clusterStream({ name, topic: `${iso.topicPrefix}before` }));
  const ctx = csContext(iso.namespace, name);
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);
  await adminClient().patch(ClusterStreamKind, undefined, name, {
    spec: { name: `${iso.topicPrefix}after` },
  });
  const { error } = await attempt(clusterStreamFunction, csRef(name), ctx);
  t.is((error as { reason?: string } | undefined)?.reason, 'NotSupported');
  const status = statusOf(await getCs(name));
  t.is(findCondition(status, 'Ready')?.reason, 'NotSupported');
  t.is(status.topicName, `${iso.topicPrefix}before`);
  t.is(status.phase, 'Available', 'the topic itself is fine, so the phase is not Failed');
});

for (const policy of ['Retain', 'Delete'] as const) {
  test(`deleting a Kafka ClusterStream with reclaimPolicy ${policy} ${policy === 'Retain' ? 'keeps' : 'deletes'} the topic`, async (t) => {
    const iso = isolation(`cs-kafka-${policy}`);
    await prepare(t, iso.namespace);
    const admin = await kafkaAdmin(t, iso.topicPrefix);
    const name = csName(`kafka-${policy.toLowerCase()}`);
    cleanupClusterStream(t, name);
    const topic = `${iso.topicPrefix}reclaimed`;
    await create(ClusterStreamKind, clusterStream({ name, topic, storage: { reclaimPolicy: policy } }));
    const ctx = csContext(iso.namespace, name);
    t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);
    t.is(await partitionsOf(admin, topic), 1);

    await adminClient().delete(ClusterStreamKind, undefined, name);
    t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).outcome?.kind, 'finalized');
    t.is(await getCs(name), undefined);
    if (policy === 'Retain') {
      t.true(await topicExists(admin, topic));
    } else {
      t.true(
        await eventually('the topic to be deleted', async () => !(await topicExists(admin, topic)), 20_000),
      );
    }
  });
}
