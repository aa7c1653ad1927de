/**
 * Release and reclaim, on the real API server and NATS JetStream (Kafka has its own case in
 * kafka-reclaim.test.ts): Retain keeps the topic, Delete removes it, on deletion of the
 * ClusterStream and on release by its Stream; an auto-provisioned ClusterStream goes with its
 * topic; a re-created Stream does not inherit a released ClusterStream.
 */
import test from 'ava';
import type { JetStreamManager } from 'nats';
import { clusterStreamFunction } from '../../../functions/cluster-stream/index.js';
import { tanzuStreamFunction } from '../../../functions/tanzu-stream/index.js';
import { findCondition } from '../../../runtime/index.js';
import { ClusterStreamKind, TanzuStreamKind } from '../../../shared/index.js';
import { adminClient } from '../../helpers/context.js';
import { isolation, uniqueName } from '../../helpers/env.js';
import {
  attempt,
  cleanupClusterStream,
  closeBrokers,
  clusterStream,
  converge,
  create,
  csContext,
  csName,
  csRef,
  getCs,
  natsConnection,
  natsPrefix,
  prepare,
  prepareTwo,
  readyReason,
  secretEntries,
  statusOf,
  stream,
} from '../../fixtures/tanzu/fixtures.js';

test.after.always(closeBrokers);

const fns = { stream: tanzuStreamFunction, clusterStream: clusterStreamFunction };

async function exists(jsm: JetStreamManager, stream: string): Promise<boolean> {
  return jsm.streams.info(stream).then(
    () => true,
    () => false,
  );
}

for (const policy of ['Retain', 'Delete'] as const) {
  test(`deleting a ClusterStream with reclaimPolicy ${policy} ${policy === 'Retain' ? 'keeps' : 'deletes'} its topic`, async (t) => {
    const iso = isolation(`cs-del-${policy}`);
    await prepare(t, iso.namespace);
    const jsm = await (await natsConnection(t, natsPrefix(iso.topicPrefix))).jetstreamManager();
    const name = csName(`del-${policy.toLowerCase()}`);
    cleanupClusterStream(t, name);
    const subject = `${iso.topicPrefix}gone`;
    await create(
      ClusterStreamKind,
      clusterStream({ name, topic: subject, protocol: 'nats', storage: { reclaimPolicy: policy } }),
    );
    const ctx = csContext(iso.namespace, name);
    t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);
    t.deepEqual((await getCs(name))?.metadata.finalizers, ['sluice.io/cluster-stream']);
    t.true(await exists(jsm, natsPrefix(subject)));

    await adminClient().delete(ClusterStreamKind, undefined, name);
    const { outcome } = await attempt(clusterStreamFunction, csRef(name), ctx);
    t.is(outcome?.kind, 'finalized');
    t.is(await getCs(name), undefined);
    t.is(await exists(jsm, natsPrefix(subject)), policy === 'Retain');
    if (policy === 'Delete') t.truthy(ctx.recorded.find((e) => e.reason === 'TopicDeleted'));
  });
}

test('a Stream deleted from a Retain ClusterStream leaves it Released with its topic', async (t) => {
  const iso = isolation('cs-release-retain');
  const { ops, app } = await prepareTwo(t, iso.namespace);
  const jsm = await (await natsConnection(t, natsPrefix(iso.topicPrefix))).jetstreamManager();
  const name = csName('retain');
  cleanupClusterStream(t, name);
  const subject = `${iso.topicPrefix}kept`;
  await create(ClusterStreamKind, clusterStream({ name, topic: subject, protocol: 'nats' }));
  await adminClient().create(
    TanzuStreamKind,
    stream(app, 'user', { name: subject, protocol: 'nats', storage: { clusterStream: name } }),
  );
  t.is(readyReason(await converge(fns, ops, app, 'user', name)), 'StreamDeployed');
  await attempt(clusterStreamFunction, csRef(name), csContext(ops, name));
  t.is(statusOf(await getCs(name)).phase, 'Bound');

  await adminClient().delete(TanzuStreamKind, app, 'user');
  t.is((await attempt(clusterStreamFunction, csRef(name), csContext(ops, name))).error, undefined);
  const cs = await getCs(name);
  t.is(statusOf(cs).phase, 'Released');
  const ready = findCondition(statusOf(cs), 'Ready');
  t.is(ready?.status, 'True');
  t.regex(ready?.message ?? '', /retained \(reclaimPolicy Retain\)/);
  t.true(await exists(jsm, natsPrefix(subject)));

  // A new Stream of the same name does not inherit the released ClusterStream.
  await adminClient().create(
    TanzuStreamKind,
    stream(app, 'user', { name: subject, protocol: 'nats', storage: { clusterStream: name } }),
  );
  t.is(
    readyReason(await converge(fns, ops, app, 'user', name, { reason: 'ClusterStreamReleased', rounds: 2 })),
    'ClusterStreamReleased',
  );
});

test('a Stream deleted from a Delete ClusterStream an administrator made deletes the topic and leaves it Released', async (t) => {
  const iso = isolation('cs-release-delete');
  const { ops, app } = await prepareTwo(t, iso.namespace);
  const jsm = await (await natsConnection(t, natsPrefix(iso.topicPrefix))).jetstreamManager();
  const name = csName('delete');
  cleanupClusterStream(t, name);
  const subject = `${iso.topicPrefix}dropped`;
  await create(
    ClusterStreamKind,
    clusterStream({ name, topic: subject, protocol: 'nats', storage: { reclaimPolicy: 'Delete' } }),
  );
  await adminClient().create(
    TanzuStreamKind,
    stream(app, 'user', { name: subject, protocol: 'nats', storage: { clusterStream: name } }),
  );
  t.is(readyReason(await converge(fns, ops, app, 'user', name)), 'StreamDeployed');
  const secretName = (statusOf(await getCs(name)).binding as { name: string }).name;

  await adminClient().delete(TanzuStreamKind, app, 'user');
  const ctx = csContext(ops, name);
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);
  t.false(await exists(jsm, natsPrefix(subject)));
  const cs = await getCs(name);
  t.truthy(cs, 'a ClusterStream an administrator made stays');
  t.is(statusOf(cs).phase, 'Released');
  t.is(findCondition(statusOf(cs), 'Ready')?.reason, 'Released');
  t.is(statusOf(cs).binding, undefined);
  t.is(await secretEntries(ops, secretName), undefined);
  t.truthy(ctx.recorded.find((e) => e.reason === 'TopicDeleted'));

  // A second pass neither recreates the topic nor writes anything.
  const rv = cs?.metadata.resourceVersion;
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);
  t.false(await exists(jsm, natsPrefix(subject)));
  t.is((await getCs(name))?.metadata.resourceVersion, rv);

  // Removing the claim makes it Available again, with a new topic.
  await adminClient().patch(ClusterStreamKind, undefined, name, { spec: { claimRef: null } });
  t.is((await attempt(clusterStreamFunction, csRef(name), ctx)).error, undefined);
  t.is(statusOf(await getCs(name)).phase, 'Available');
  t.true(await exists(jsm, natsPrefix(subject)));
});

test('deleting a Stream deletes its auto-provisioned ClusterStream and topic', async (t) => {
  const iso = isolation('cs-release-auto');
  const { ops, app } = await prepareTwo(t, iso.namespace);
  const jsm = await (await natsConnection(t, natsPrefix(iso.topicPrefix))).jetstreamManager();
  const name = uniqueName('auto');
  const csNameOf = `${name}-cluster-stream`;
  cleanupClusterStream(t, csNameOf);
  const subject = `${iso.topicPrefix}auto`;
  await adminClient().create(TanzuStreamKind, stream(app, name, { name: subject, protocol: 'nats' }));
  t.is(readyReason(await converge(fns, ops, app, name, csNameOf)), 'StreamDeployed');
  t.true(await exists(jsm, natsPrefix(subject)));

  await adminClient().delete(TanzuStreamKind, app, name);
  const ctx = csContext(ops, csNameOf);
  t.is((await attempt(clusterStreamFunction, csRef(csNameOf), ctx)).error, undefined);
  t.false(await exists(jsm, natsPrefix(subject)));
  t.truthy((await getCs(csNameOf))?.metadata.deletionTimestamp, 'the ClusterStream deleted itself');
  t.is((await attempt(clusterStreamFunction, csRef(csNameOf), ctx)).outcome?.kind, 'finalized');
  t.is(await getCs(csNameOf), undefined);
});
