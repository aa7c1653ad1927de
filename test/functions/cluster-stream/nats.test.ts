/**
 * The ClusterStream function on the real NATS JetStream server: a stream named after the subject,
 * settings from `spec.config`, drift healing, settings JetStream cannot change, and refusals.
 */
import test from 'ava';
import { clusterStreamFunction } from '../../../functions/cluster-stream/index.js';
import { parseDuration } from '../../../functions/cluster-stream/nats-config.js';
import { findCondition } from '../../../runtime/index.js';
import { ClusterStreamKind } from '../../../shared/index.js';
import { adminClient } from '../../helpers/context.js';
import { isolation, testEnv } from '../../helpers/env.js';
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
  natsConnection,
  natsPrefix,
  prepare,
  secretEntries,
  statusOf,
} from '../../fixtures/tanzu/fixtures.js';

test.after.always(closeBrokers);

test('protocol nats gives a JetStream stream named after the subject, with the settings of spec.config', async (t) => {
  const iso = isolation('cs-nats');
  await prepare(t, iso.namespace);
  const nc = await natsConnection(t, natsPrefix(iso.topicPrefix));
  const jsm = await nc.jetstreamManager();
  const name = csName('nats');
  cleanupClusterStream(t, name);
  const subject = `${iso.topicPrefix}events`;
  await create(
    ClusterStreamKind,
    clusterStream({
      name,
      topic: subject,
      protocol: 'nats',
      spec: {
        keys: ['id'],
        config: { max_msgs: '1000', max_age: '1h', discard: 'new', description: 'test events' },
      },
      storage: { attributes: { team: 'payments' } },
    }),
  );
  const ctx = csContext(iso.namespace, name);
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);

  const stream = natsPrefix(subject);
  const info = await jsm.streams.info(stream);
  t.deepEqual(info.config.subjects, [subject]);
  t.is(info.config.max_msgs, 1000);
  t.is(info.config.max_age, parseDuration('1h') ?? -1);
  t.is(String(info.config.discard), 'new');
  t.is(info.config.description, 'test events');
  t.is(info.config.num_replicas, 1);

  const cs = await getCs(name);
  const status = statusOf(cs);
  t.is(findCondition(status, 'Ready')?.status, 'True');
  t.is(status.topicName, subject);
  t.is(status.partitions, undefined, 'NATS has no partitions');
  const production = (status.storageAddress as { server: Record<string, Record<string, unknown>> }).server
    .production;
  t.like(production, {
    url: testEnv().natsUrl,
    protocol: 'nats',
    variables: { team: 'payments', servers: testEnv().natsUrl, subject, stream },
  });
  t.regex(String(production?.protocolVersion), /^\d+\.\d+/);
  const entries = await secretEntries(iso.namespace, (status.binding as { name: string }).name);
  t.like(entries, {
    type: 'nats',
    provider: 'sluice',
    url: testEnv().natsUrl,
    subject,
    stream,
    topic: subject,
    keys: 'id',
  });

  // Drift: someone changes a managed setting on the server; the next pass puts it back.
  await jsm.streams.update(stream, { max_msgs: 5 });
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);
  t.is((await jsm.streams.info(stream)).config.max_msgs, 1000);
  const drift = ctx.recorded.find((e) => e.reason === 'DriftCorrected');
  t.is(drift?.type, 'Warning');
  t.regex(drift?.message ?? '', /max_msgs 5 → 1000/);
  t.regex(
    await ctx.metrics.registry.metrics(),
    /sluice_drift_total\{kind="ClusterStream",setting="max_msgs"\} 1/,
  );
});

test('an existing JetStream stream is adopted and its subjects become the ClusterStream subject', async (t) => {
  const iso = isolation('cs-nats-adopt');
  await prepare(t, iso.namespace);
  const nc = await natsConnection(t, natsPrefix(iso.topicPrefix));
  const jsm = await nc.jetstreamManager();
  const subject = `${iso.topicPrefix}legacy`;
  const stream = natsPrefix(subject);
  await jsm.streams.add({ name: stream, subjects: [`${subject}.old`] });
  const name = csName('nats-adopt');
  cleanupClusterStream(t, name);
  await create(ClusterStreamKind, clusterStream({ name, topic: subject, protocol: 'nats' }));
  const ctx = csContext(iso.namespace, name);
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);
  t.deepEqual((await jsm.streams.info(stream)).config.subjects, [subject]);
  t.truthy(ctx.recorded.find((e) => e.reason === 'TopicAdopted'));
});

test('a setting JetStream cannot change on a live stream ends in a terminal InvalidTopicConfig', async (t) => {
  const iso = isolation('cs-nats-storage');
  await prepare(t, iso.namespace);
  await natsConnection(t, natsPrefix(iso.topicPrefix));
  const name = csName('nats-storage');
  cleanupClusterStream(t, name);
  await create(ClusterStreamKind, clusterStream({ name, topic: `${iso.topicPrefix}s`, protocol: 'nats' }));
  const ctx = csContext(iso.namespace, name);
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);
  await adminClient().patch(ClusterStreamKind, undefined, name, { spec: { config: { storage: 'memory' } } });
  const { error } = await attempt(clusterStreamFunction, csRef(name), ctx);
  t.is((error as { reason?: string } | undefined)?.reason, 'InvalidTopicConfig');
  const ready = findCondition(statusOf(await getCs(name)), 'Ready');
  t.is(ready?.reason, 'InvalidTopicConfig');
  t.regex(ready?.message ?? '', /JetStream refused it/);
});

test('NATS refuses partitions with NotSupported and unknown settings with InvalidSpec, before touching the server', async (t) => {
  const iso = isolation('cs-nats-refuse');
  await prepare(t, iso.namespace);
  const nc = await natsConnection(t, natsPrefix(iso.topicPrefix));
  const jsm = await nc.jetstreamManager();
  for (const [label, spec, reason] of [
    ['parts', { partitions: 4 }, 'NotSupported'],
    ['conf', { config: { 'retention.ms': '100' } }, 'InvalidSpec'],
  ] as const) {
    const name = csName(`nats-${label}`);
    cleanupClusterStream(t, name);
    const subject = `${iso.topicPrefix}${label}`;
    await create(ClusterStreamKind, clusterStream({ name, topic: subject, protocol: 'nats', spec }));
    const { error } = await attempt(clusterStreamFunction, csRef(name), csContext(iso.namespace, name));
    t.is((error as { reason?: string } | undefined)?.reason, reason);
    const status = statusOf(await getCs(name));
    t.is(findCondition(status, 'Ready')?.reason, reason);
    await t.throwsAsync(jsm.streams.info(natsPrefix(subject)));
  }
});
