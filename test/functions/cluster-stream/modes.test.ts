/**
 * The hands-off annotations of a ClusterStream on the real API server and Kafka (issue 18):
 * `sluice.io/management: read-only` reports drift (Event, metric, the Managed condition) and
 * changes, creates and deletes nothing; `unmanaged` releases the claim, drops the finalizer and
 * never deletes the topic, and a waiting ClusterStream takes it over; `sluice.io/ignore-settings`
 * leaves the settings others manage as they set them while the rest heals; an annotation Sluice
 * cannot read changes nothing.
 */
import test, { type ExecutionContext } from 'ava';
import kafkajs from 'kafkajs';
import { clusterStreamFunction } from '../../../functions/cluster-stream/index.js';
import { findCondition, type KubeObject } from '../../../runtime/index.js';
import { ClusterStreamKind } from '../../../shared/index.js';
import { adminClient } from '../../helpers/context.js';
import { isolation } from '../../helpers/env.js';
import {
  attempt,
  claimFor,
  cleanupClusterStream,
  closeBrokers,
  clusterStream,
  create,
  csContext,
  csName,
  csRef,
  getCs,
  kafkaAdmin,
  prepare,
  statusOf,
  topicConfig,
  topicExists,
} from '../../fixtures/tanzu/fixtures.js';

test.after.always(closeBrokers);

const MODE = 'sluice.io/management';

function condition(
  obj: KubeObject | undefined,
  type: string,
): { status?: string; reason?: string; message?: string } {
  return findCondition(statusOf(obj), type) ?? {};
}

async function provision(t: ExecutionContext, namespace: string, manifest: KubeObject): Promise<string> {
  const name = manifest.metadata.name ?? '';
  cleanupClusterStream(t, name);
  await create(ClusterStreamKind, manifest);
  t.is((await attempt(clusterStreamFunction, csRef(name), csContext(namespace, name))).error, undefined);
  return name;
}

async function annotate(name: string, annotations: Record<string, string | null>): Promise<void> {
  await adminClient().patch(ClusterStreamKind, undefined, name, { metadata: { annotations } });
}

async function setRetention(admin: kafkajs.Admin, topic: string, value: string): Promise<void> {
  await admin.alterConfigs({
    validateOnly: false,
    resources: [
      {
        type: kafkajs.ConfigResourceTypes.TOPIC,
        name: topic,
        configEntries: [{ name: 'retention.ms', value }],
      },
    ],
  });
}

test('a managed ClusterStream says so in its Managed condition', async (t) => {
  const iso = isolation('cs-mode-managed');
  await prepare(t, iso.namespace);
  await kafkaAdmin(t, iso.topicPrefix);
  const name = await provision(
    t,
    iso.namespace,
    clusterStream({ name: csName('managed'), topic: `${iso.topicPrefix}t` }),
  );
  t.like(condition(await getCs(name), 'Managed'), { status: 'True', reason: 'Managed' });
});

test('read-only reports drift with before and after, once, and changes nothing on the topic', async (t) => {
  const iso = isolation('cs-mode-ro');
  await prepare(t, iso.namespace);
  const admin = await kafkaAdmin(t, iso.topicPrefix);
  const topic = `${iso.topicPrefix}orders`;
  const name = await provision(
    t,
    iso.namespace,
    clusterStream({ name: csName('ro'), topic, spec: { config: { 'retention.ms': '3600000' } } }),
  );
  await annotate(name, { [MODE]: 'read-only' });
  await setRetention(admin, topic, '1000');
  const ctx = csContext(iso.namespace, name);
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);

  t.is((await topicConfig(admin, topic))['retention.ms'], '1000', 'nothing was put back');
  const cs = await getCs(name);
  t.like(condition(cs, 'Managed'), { status: 'False', reason: 'ReadOnly' });
  t.regex(condition(cs, 'Managed').message ?? '', /it differs: retention\.ms 1000 → 3600000/);
  t.like(condition(cs, 'Ready'), { status: 'True', reason: 'TopicReady' });
  const detected = ctx.recorded.filter((e) => e.reason === 'DriftDetected');
  t.is(detected.length, 1);
  t.regex(detected[0]?.message ?? '', /retention\.ms 1000 → 3600000/);
  t.regex(
    await ctx.metrics.registry.metrics(),
    /sluice_drift_total\{kind="ClusterStream",setting="retention\.ms"\} 1/,
  );

  // The same drift again: no new Event, no status write.
  const version = (await getCs(name))?.metadata.resourceVersion;
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);
  t.is(ctx.recorded.filter((e) => e.reason === 'DriftDetected').length, 1);
  t.is((await getCs(name))?.metadata.resourceVersion, version);

  // Back to managed: the drift is healed.
  await annotate(name, { [MODE]: null });
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);
  t.is((await topicConfig(admin, topic))['retention.ms'], '3600000');
  t.truthy(ctx.recorded.find((e) => e.reason === 'DriftCorrected'));
  t.like(condition(await getCs(name), 'Managed'), { status: 'True', reason: 'Managed' });
});

test('read-only does not create a missing topic, and its deletion with reclaimPolicy Delete keeps the topic', async (t) => {
  const iso = isolation('cs-mode-ro-create');
  await prepare(t, iso.namespace);
  const admin = await kafkaAdmin(t, iso.topicPrefix);
  const topic = `${iso.topicPrefix}orders`;
  const name = await provision(
    t,
    iso.namespace,
    clusterStream({
      name: csName('ro-create'),
      topic,
      annotations: { [MODE]: 'read-only' },
      storage: { reclaimPolicy: 'Delete' },
    }),
  );
  t.false(await topicExists(admin, topic));
  t.like(condition(await getCs(name), 'Ready'), { status: 'False', reason: 'TopicNotFound' });

  await admin.createTopics({
    topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  t.is((await attempt(clusterStreamFunction, csRef(name), csContext(iso.namespace, name))).error, undefined);
  t.like(condition(await getCs(name), 'Ready'), { status: 'True', reason: 'TopicReady' });

  await adminClient().delete(ClusterStreamKind, undefined, name);
  const ctx = csContext(iso.namespace, name);
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).outcome?.kind, 'finalized');
  t.true(await topicExists(admin, topic));
  t.regex(ctx.recorded.find((e) => e.reason === 'TopicKept')?.message ?? '', /read-only/);
});

test('unmanaged lets go: the claim is released, the finalizer removed, the topic kept, and a waiting ClusterStream takes it over', async (t) => {
  const iso = isolation('cs-mode-unmanaged');
  await prepare(t, iso.namespace);
  const admin = await kafkaAdmin(t, iso.topicPrefix);
  const topic = `${iso.topicPrefix}orders`;
  const name = await provision(
    t,
    iso.namespace,
    clusterStream({ name: csName('unmanaged'), topic, storage: { reclaimPolicy: 'Delete' } }),
  );
  const waiter = await provision(
    t,
    iso.namespace,
    clusterStream({ name: csName('waiter'), topic, spec: { config: { 'retention.ms': '7200000' } } }),
  );
  t.is(condition(await getCs(waiter), 'Ready').reason, 'ResourceConflict');

  await annotate(name, { [MODE]: 'unmanaged' });
  const ctx = csContext(iso.namespace, name);
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);
  const cs = await getCs(name);
  t.deepEqual(cs?.metadata.finalizers ?? [], [], 'the finalizer is gone');
  t.like(condition(cs, 'Managed'), { status: 'False', reason: 'Unmanaged' });
  t.like(condition(cs, 'Ready'), { status: 'True', reason: 'Unmanaged' });
  t.is(statusOf(cs).claim, undefined);
  t.is(await claimFor(topic), undefined, 'the claim is released');
  t.truthy(ctx.recorded.find((e) => e.reason === 'TopicReleased'));

  // A second pass keeps the finalizer off (the worker host asks the function first).
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);
  t.deepEqual((await getCs(name))?.metadata.finalizers ?? [], []);

  // Deleting it is immediate and leaves the topic.
  await adminClient().delete(ClusterStreamKind, undefined, name);
  t.is(await getCs(name), undefined);
  t.true(await topicExists(admin, topic));

  t.is(
    (await attempt(clusterStreamFunction, csRef(waiter), csContext(iso.namespace, waiter))).error,
    undefined,
  );
  t.like(condition(await getCs(waiter), 'Ready'), { status: 'True', reason: 'TopicReady' });
  t.is((await claimFor(topic))?.spec.holder.name, waiter);
  t.true((await claimFor(topic))?.spec.adopted, 'the waiter found the topic there: it adopted it');
  t.is((await topicConfig(admin, topic))['retention.ms'], '7200000');
});

test('settings in sluice.io/ignore-settings keep what others set, while drift on the rest heals', async (t) => {
  const iso = isolation('cs-mode-ignore');
  await prepare(t, iso.namespace);
  const admin = await kafkaAdmin(t, iso.topicPrefix);
  const topic = `${iso.topicPrefix}orders`;
  const throttle = 'leader.replication.throttled.replicas';
  const name = await provision(
    t,
    iso.namespace,
    clusterStream({
      name: csName('ignore'),
      topic,
      spec: { config: { 'retention.ms': '3600000' } },
      annotations: { 'sluice.io/ignore-settings': `${throttle}, follower.replication.throttled.replicas` },
    }),
  );
  // Cruise Control sets a throttle, someone changes the retention: AlterConfigs sends the whole set.
  await admin.alterConfigs({
    validateOnly: false,
    resources: [
      {
        type: kafkajs.ConfigResourceTypes.TOPIC,
        name: topic,
        configEntries: [
          { name: 'retention.ms', value: '1000' },
          { name: throttle, value: '0:0' },
        ],
      },
    ],
  });
  const ctx = csContext(iso.namespace, name);
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);
  const config = await topicConfig(admin, topic);
  t.is(config['retention.ms'], '3600000');
  t.is(config[throttle], '0:0');
  const drift = ctx.recorded.find((e) => e.reason === 'DriftCorrected');
  t.regex(drift?.message ?? '', /retention\.ms 1000 → 3600000/);
  t.notRegex(drift?.message ?? '', /throttled/);
});

test('an annotation Sluice cannot read is a terminal InvalidAnnotation, and the topic is not touched', async (t) => {
  const iso = isolation('cs-mode-invalid');
  await prepare(t, iso.namespace);
  const admin = await kafkaAdmin(t, iso.topicPrefix);
  const topic = `${iso.topicPrefix}orders`;
  const name = csName('invalid');
  cleanupClusterStream(t, name);
  await create(ClusterStreamKind, clusterStream({ name, topic, annotations: { [MODE]: 'hands-off' } }));
  const { error } = await attempt(clusterStreamFunction, csRef(name), csContext(iso.namespace, name));
  t.is((error as { reason?: string } | undefined)?.reason, 'InvalidAnnotation');
  const ready = condition(await getCs(name), 'Ready');
  t.like(ready, { status: 'False', reason: 'InvalidAnnotation' });
  t.regex(ready.message ?? '', /use one of managed, read-only, unmanaged/);
  t.false(await topicExists(admin, topic));
});
