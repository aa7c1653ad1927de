/**
 * One owner per topic, on the real API server, Kafka and NATS JetStream (issue 18): two
 * ClusterStreams with one `spec.name` on one broker get one owner, the first whose BrokerClaim the
 * API server created; the other is `ResourceConflict` and never touches the topic; deleting it
 * keeps the topic, deleting the owner deletes it and hands it over (on Kafka and NATS); an adopted
 * topic is kept unless asked; a stale claim is evicted. What an owner does with its claim over
 * time is in `ownership-fencing.test.ts`.
 */
import test from 'ava';
import { clusterStreamFunction } from '../../../functions/cluster-stream/index.js';
import { refOf, type ResourceType } from '../../../runtime/index.js';
import { ClusterStreamKind, claimWaiters } from '../../../shared/index.js';
import { adminClient } from '../../helpers/context.js';
import { isolation } from '../../helpers/env.js';
import { eventually } from '../../helpers/kube.js';
import {
  attempt,
  claimFor,
  closeBrokers,
  clusterStream,
  csContext,
  csName,
  csRef,
  getCs,
  kafkaAdmin,
  natsConnection,
  natsPrefix,
  partitionsOf,
  prepare,
  statusOf,
  topicConfig,
  topicExists,
} from '../../fixtures/tanzu/fixtures.js';
import { DELETE, provision, ready } from './ownership-helpers.js';

test.after.always(closeBrokers);

test('two ClusterStreams with one topic: the first to claim owns it, the other is ResourceConflict and leaves the topic as the owner set it', async (t) => {
  const iso = isolation('cs-own-two');
  await prepare(t, iso.namespace);
  const admin = await kafkaAdmin(t, iso.topicPrefix);
  const topic = `${iso.topicPrefix}orders`;
  const owner = await provision(
    t,
    iso.namespace,
    clusterStream({ name: csName('owner'), topic, spec: { config: { 'retention.ms': '3600000' } } }),
  );
  const loser = await provision(
    t,
    iso.namespace,
    clusterStream({
      name: csName('loser'),
      topic,
      spec: { partitions: 4, config: { 'retention.ms': '7200000' } },
      storage: DELETE,
    }),
  );

  t.like(ready(await getCs(owner)), { status: 'True', reason: 'TopicReady' });
  const lost = await getCs(loser);
  t.like(ready(lost), { status: 'False', reason: 'ResourceConflict' });
  t.regex(ready(lost).message ?? '', new RegExp(`owned by ClusterStream ${owner}`));
  const claim = await claimFor(topic);
  t.is(claim?.spec.holder.name, owner);
  t.false(claim?.spec.adopted, 'the owner created the topic');
  t.like(statusOf(lost).claim, {
    name: claim?.metadata.name,
    owner: false,
    holder: `ClusterStream ${owner}`,
  });
  t.like(statusOf(await getCs(owner)).claim, { name: claim?.metadata.name, owner: true });
  t.is(statusOf(lost).topicName, undefined, 'the loser does not call the topic its own');
  t.is(statusOf(lost).binding, undefined, 'and publishes no binding for it');
  // The loser asked for 4 partitions and 2 h: the topic kept the owner's 1 partition and 1 h.
  t.is(await partitionsOf(admin, topic), 1);
  t.is((await topicConfig(admin, topic))['retention.ms'], '3600000');

  // Another pass of the loser changes nothing and writes nothing.
  const before = (await getCs(loser))?.metadata.resourceVersion;
  t.is(
    (await attempt(clusterStreamFunction, csRef(loser), csContext(iso.namespace, loser))).error,
    undefined,
  );
  t.is((await getCs(loser))?.metadata.resourceVersion, before);
  t.is((await topicConfig(admin, topic))['retention.ms'], '3600000');
});

test('deleting the ClusterStream that lost keeps the topic its owner uses, even with reclaimPolicy Delete', async (t) => {
  const iso = isolation('cs-own-del-loser');
  await prepare(t, iso.namespace);
  const admin = await kafkaAdmin(t, iso.topicPrefix);
  const topic = `${iso.topicPrefix}orders`;
  const owner = await provision(
    t,
    iso.namespace,
    clusterStream({ name: csName('owner'), topic, storage: DELETE }),
  );
  const loser = await provision(
    t,
    iso.namespace,
    clusterStream({ name: csName('loser'), topic, storage: DELETE }),
  );
  t.is(ready(await getCs(loser)).reason, 'ResourceConflict');

  await adminClient().delete(ClusterStreamKind, undefined, loser);
  const ctx = csContext(iso.namespace, loser);
  t.is((await attempt(clusterStreamFunction, csRef(loser), ctx)).outcome?.kind, 'finalized');
  t.is(await getCs(loser), undefined);
  t.true(await topicExists(admin, topic), 'the owner keeps its topic');
  const kept = ctx.recorded.find((e) => e.reason === 'TopicKept');
  t.regex(kept?.message ?? '', new RegExp(`owned by ClusterStream ${owner}`));
  t.is((await claimFor(topic))?.spec.holder.name, owner, 'the claim stays with the owner');
  t.is(
    (await attempt(clusterStreamFunction, csRef(owner), csContext(iso.namespace, owner))).error,
    undefined,
  );
  t.like(ready(await getCs(owner)), { status: 'True', reason: 'TopicReady' });
});

test("deleting the owner deletes its topic; the claim's deletion wakes the waiting ClusterStream, which takes the topic over with its own spec", async (t) => {
  const iso = isolation('cs-own-takeover');
  await prepare(t, iso.namespace);
  const admin = await kafkaAdmin(t, iso.topicPrefix);
  const topic = `${iso.topicPrefix}orders`;
  const owner = await provision(
    t,
    iso.namespace,
    clusterStream({ name: csName('owner'), topic, storage: DELETE }),
  );
  const waiter = await provision(
    t,
    iso.namespace,
    clusterStream({
      name: csName('waiter'),
      topic,
      spec: { partitions: 3, config: { 'retention.ms': '7200000' } },
    }),
  );
  const claim = await claimFor(topic);
  t.truthy(claim);

  await adminClient().delete(ClusterStreamKind, undefined, owner);
  t.is(
    (await attempt(clusterStreamFunction, csRef(owner), csContext(iso.namespace, owner))).outcome?.kind,
    'finalized',
  );
  await eventually(
    'the owner topic to be gone',
    async () => ((await topicExists(admin, topic)) ? undefined : true),
    20_000,
  );
  t.is(await claimFor(topic), undefined, 'the owner let go of its claim');

  // The dispatcher maps the claim's deletion to the ClusterStreams whose status names it.
  const waiting = (await getCs(waiter)) ?? { metadata: {} };
  const lookup = {
    list: (k: ResourceType) => (k === ClusterStreamKind ? [waiting] : []),
    get: () => undefined,
  };
  t.deepEqual(claimWaiters(ClusterStreamKind)({ metadata: { name: claim?.metadata.name ?? '' } }, lookup), [
    refOf(ClusterStreamKind, waiting),
  ]);

  // Kafka may still be finishing the deletion: the takeover converges within a few passes.
  const ctx = csContext(iso.namespace, waiter);
  await eventually(
    'the waiting ClusterStream to own the topic',
    async () => {
      await attempt(clusterStreamFunction, csRef(waiter), ctx);
      return ready(await getCs(waiter)).reason === 'TopicReady' ? true : undefined;
    },
    30_000,
  );
  t.is((await claimFor(topic))?.spec.holder.name, waiter);
  t.is(await partitionsOf(admin, topic, 3), 3);
  t.is((await topicConfig(admin, topic))['retention.ms'], '7200000');
});

test('a topic that existed before its ClusterStream is adopted and kept on deletion; sluice.io/delete-adopted: "true" deletes it', async (t) => {
  const iso = isolation('cs-own-adopt');
  await prepare(t, iso.namespace);
  const admin = await kafkaAdmin(t, iso.topicPrefix);
  for (const explicit of [false, true]) {
    const topic = `${iso.topicPrefix}legacy-${explicit}`;
    await admin.createTopics({
      topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    const name = await provision(
      t,
      iso.namespace,
      clusterStream({
        name: csName(`adopt-${explicit}`),
        topic,
        storage: DELETE,
        ...(explicit ? { annotations: { 'sluice.io/delete-adopted': 'true' } } : {}),
      }),
    );
    t.like(ready(await getCs(name)), { status: 'True', reason: 'TopicReady' });
    t.true((await claimFor(topic))?.spec.adopted, 'the claim records the adoption');

    await adminClient().delete(ClusterStreamKind, undefined, name);
    const ctx = csContext(iso.namespace, name);
    t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).outcome?.kind, 'finalized');
    if (explicit) {
      t.truthy(ctx.recorded.find((e) => e.reason === 'TopicDeleted'));
      await eventually(
        'the adopted topic to be deleted',
        async () => ((await topicExists(admin, topic)) ? undefined : true),
        20_000,
      );
    } else {
      t.true(await topicExists(admin, topic), 'an adopted topic is kept');
      t.regex(
        ctx.recorded.find((e) => e.reason === 'TopicKept')?.message ?? '',
        /existed before this object adopted it/,
      );
    }
    t.is(await claimFor(topic), undefined);
  }
});

test('a claim whose holder no longer exists is evicted and taken by the next ClusterStream that wants the topic', async (t) => {
  const iso = isolation('cs-own-stale');
  await prepare(t, iso.namespace);
  await kafkaAdmin(t, iso.topicPrefix);
  const topic = `${iso.topicPrefix}orders`;
  const first = await provision(t, iso.namespace, clusterStream({ name: csName('gone'), topic }));
  const stale = await claimFor(topic);
  // The holder vanishes without its finalizer (stripped by hand): its claim stays behind.
  await adminClient().patch(ClusterStreamKind, undefined, first, { metadata: { finalizers: null } });
  await adminClient().delete(ClusterStreamKind, undefined, first);
  t.truthy(await claimFor(topic));

  const next = await provision(t, iso.namespace, clusterStream({ name: csName('next'), topic }));
  t.like(ready(await getCs(next)), { status: 'True', reason: 'TopicReady' });
  const claim = await claimFor(topic);
  t.is(claim?.spec.holder.name, next);
  t.not(claim?.metadata.uid, stale?.metadata.uid, 'a new claim, not the stale one');
});

test('two NATS ClusterStreams with one subject: one owns the JetStream stream, and deleting it hands the stream over', async (t) => {
  const iso = isolation('cs-own-nats');
  await prepare(t, iso.namespace);
  const jsm = await (await natsConnection(t, natsPrefix(iso.topicPrefix))).jetstreamManager();
  const subject = `${iso.topicPrefix}events`;
  const stream = natsPrefix(subject);
  const nats = { protocol: 'nats', storage: DELETE };
  const owner = await provision(
    t,
    iso.namespace,
    clusterStream({
      name: csName('nats-owner'),
      topic: subject,
      ...nats,
      spec: { config: { max_msgs: '10' } },
    }),
  );
  const waiter = await provision(
    t,
    iso.namespace,
    clusterStream({
      name: csName('nats-waiter'),
      topic: subject,
      ...nats,
      spec: { config: { max_msgs: '20' } },
    }),
  );
  t.is(ready(await getCs(waiter)).reason, 'ResourceConflict');
  t.is((await jsm.streams.info(stream)).config.max_msgs, 10, 'the loser did not change the stream');

  await adminClient().delete(ClusterStreamKind, undefined, owner);
  t.is(
    (await attempt(clusterStreamFunction, csRef(owner), csContext(iso.namespace, owner))).outcome?.kind,
    'finalized',
  );
  t.is(
    (await attempt(clusterStreamFunction, csRef(waiter), csContext(iso.namespace, waiter))).error,
    undefined,
  );
  t.like(ready(await getCs(waiter)), { status: 'True', reason: 'TopicReady' });
  t.is((await jsm.streams.info(stream)).config.max_msgs, 20, 'the new owner made the stream it asks for');
});
