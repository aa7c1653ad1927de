/**
 * How a Stream binds, on the real API server and NATS JetStream: one Stream per ClusterStream
 * (ClusterStreamBound for a second claimant, reservations honoured), and each reason a Stream
 * is refused: no ClusterStream with auto-provisioning off, a protocol mismatch, a stream mode the
 * ClusterStream does not allow, other properties that differ, a ClusterStream not ready yet.
 */
import test from 'ava';
import { clusterStreamFunction } from '../../../functions/cluster-stream/index.js';
import { POLL_MS } from '../../../functions/tanzu-stream/reconcile.js';
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
  getStream,
  natsConnection,
  natsPrefix,
  prepareTwo,
  readyReason,
  statusOf,
  stream,
  streamContext,
  streamRef,
} from '../../fixtures/tanzu/fixtures.js';

test.after.always(closeBrokers);

const fns = { stream: tanzuStreamFunction, clusterStream: clusterStreamFunction };

test('a second Stream naming a bound ClusterStream gets ClusterStreamBound and the claim stays', async (t) => {
  const iso = isolation('st-conflict');
  const { ops, app } = await prepareTwo(t, iso.namespace);
  await natsConnection(t, natsPrefix(iso.topicPrefix));
  const name = csName('conflict');
  cleanupClusterStream(t, name);
  const subject = `${iso.topicPrefix}shared`;
  await create(ClusterStreamKind, clusterStream({ name, topic: subject, protocol: 'nats' }));
  const spec = { name: subject, protocol: 'nats', storage: { clusterStream: name } };
  await adminClient().create(TanzuStreamKind, stream(app, 'first', spec));
  await adminClient().create(TanzuStreamKind, stream(app, 'second', spec));
  const first = await converge(fns, ops, app, 'first', name);
  t.is(readyReason(first), 'StreamDeployed');

  const ctx = streamContext(ops, app, 'second');
  t.is((await attempt(tanzuStreamFunction, streamRef(app, 'second'), ctx)).error, undefined);
  const second = await getStream(app, 'second');
  const ready = findCondition(statusOf(second), 'Ready');
  t.is(ready?.reason, 'ClusterStreamBound');
  t.regex(ready?.message ?? '', new RegExp(`bound to Stream ${app}/first`));
  t.is(statusOf(second).binding, undefined, 'the loser gets no binding Secret');
  t.truthy(ctx.recorded.find((e) => e.type === 'Warning' && e.reason === 'ClusterStreamBound'));
  t.like((await getCs(name))?.spec, {
    claimRef: { namespace: app, name: 'first', uid: first?.metadata.uid },
  });
});

test('a ClusterStream reserved for one Stream refuses others and binds that one', async (t) => {
  const iso = isolation('st-reserved');
  const { ops, app } = await prepareTwo(t, iso.namespace);
  await natsConnection(t, natsPrefix(iso.topicPrefix));
  const name = csName('reserved');
  cleanupClusterStream(t, name);
  const subject = `${iso.topicPrefix}vip`;
  await create(
    ClusterStreamKind,
    clusterStream({
      name,
      topic: subject,
      protocol: 'nats',
      spec: { claimRef: { namespace: app, name: 'chosen' } },
    }),
  );
  await attempt(clusterStreamFunction, csRef(name), csContext(ops, name));
  t.is(statusOf(await getCs(name)).phase, 'Available');
  const spec = { name: subject, protocol: 'nats', storage: { clusterStream: name } };
  await adminClient().create(TanzuStreamKind, stream(app, 'other', spec));
  await attempt(tanzuStreamFunction, streamRef(app, 'other'), streamContext(ops, app, 'other'));
  t.is(readyReason(await getStream(app, 'other')), 'ClusterStreamBound');

  const chosen = await adminClient().create(TanzuStreamKind, stream(app, 'chosen', spec));
  t.is(readyReason(await converge(fns, ops, app, 'chosen', name)), 'StreamDeployed');
  t.like((await getCs(name))?.spec, {
    claimRef: { namespace: app, name: 'chosen', uid: chosen.metadata.uid },
  });
  await attempt(clusterStreamFunction, csRef(name), csContext(ops, name));
  t.is(statusOf(await getCs(name)).phase, 'Bound');
});

test('with auto-provisioning off a missing ClusterStream is NoClusterStreamFound, and nothing is created', async (t) => {
  const iso = isolation('st-noauto');
  const { ops, app } = await prepareTwo(t, iso.namespace);
  const lonely = uniqueName('lonely');
  await adminClient().create(
    TanzuStreamKind,
    stream(app, lonely, { name: `${iso.topicPrefix}x`, protocol: 'kafka' }),
  );
  const ctx = streamContext(ops, app, lonely, { autoProvision: false });
  const { outcome, error } = await attempt(tanzuStreamFunction, streamRef(app, lonely), ctx);
  t.is(error, undefined);
  t.deepEqual(outcome, { kind: 'reconciled', result: { requeueAfterMs: null } });
  const ready = findCondition(statusOf(await getStream(app, lonely)), 'Ready');
  t.is(ready?.reason, 'NoClusterStreamFound');
  t.regex(ready?.message ?? '', /auto-provisioning is switched off/);
  t.is(await getCs(`${lonely}-cluster-stream`), undefined);
});

test('a protocol Sluice cannot provision is a terminal ProtocolNotSupported', async (t) => {
  const iso = isolation('st-pulsar');
  const { ops, app } = await prepareTwo(t, iso.namespace);
  const pulsar = uniqueName('pulsar');
  await adminClient().create(TanzuStreamKind, stream(app, pulsar, { name: 'r', protocol: 'pulsar' }));
  const { error } = await attempt(
    tanzuStreamFunction,
    streamRef(app, pulsar),
    streamContext(ops, app, pulsar),
  );
  t.is((error as { reason?: string } | undefined)?.reason, 'ProtocolNotSupported');
  t.is(readyReason(await getStream(app, pulsar)), 'ProtocolNotSupported');
  t.is(await getCs(`${pulsar}-cluster-stream`), undefined);
});

test('a NATS Stream asking for partitions is a terminal NotSupported', async (t) => {
  const iso = isolation('st-nats-parts');
  const { ops, app } = await prepareTwo(t, iso.namespace);
  const parts = uniqueName('parts');
  await adminClient().create(
    TanzuStreamKind,
    stream(app, parts, { name: 'p', protocol: 'nats', partitionCount: 3 }),
  );
  const { error } = await attempt(tanzuStreamFunction, streamRef(app, parts), streamContext(ops, app, parts));
  t.is((error as { reason?: string } | undefined)?.reason, 'NotSupported');
  t.is(await getCs(`${parts}-cluster-stream`), undefined);
});

test('a ClusterStream of another protocol, mode or topic is refused with its reason, and not claimed', async (t) => {
  const iso = isolation('st-misfit');
  const { ops, app } = await prepareTwo(t, iso.namespace);
  await natsConnection(t, natsPrefix(iso.topicPrefix));
  const name = csName('misfit');
  cleanupClusterStream(t, name);
  const subject = `${iso.topicPrefix}readonly`;
  await create(
    ClusterStreamKind,
    clusterStream({
      name,
      topic: subject,
      protocol: 'nats',
      spec: { streamModes: ['read'] },
      storage: { attributes: { tier: 'gold' } },
    }),
  );
  await attempt(clusterStreamFunction, csRef(name), csContext(ops, name));
  const cases = [
    ['kafka', { name: subject, protocol: 'kafka', storage: { clusterStream: name } }, 'ProtocolMismatch'],
    [
      'writer',
      { name: subject, protocol: 'nats', streamMode: ['write'], storage: { clusterStream: name } },
      'StreamModeNotAllowed',
    ],
    [
      'other-topic',
      { name: `${subject}.other`, protocol: 'nats', storage: { clusterStream: name } },
      'ClusterStreamMismatch',
    ],
    [
      'silver',
      { name: subject, protocol: 'nats', attributes: { tier: 'silver' }, storage: { clusterStream: name } },
      'ClusterStreamMismatch',
    ],
  ] as const;
  for (const [sname, spec, reason] of cases) {
    await adminClient().create(TanzuStreamKind, stream(app, sname, spec));
    const { error } = await attempt(
      tanzuStreamFunction,
      streamRef(app, sname),
      streamContext(ops, app, sname),
    );
    t.is(error, undefined);
    const ready = findCondition(statusOf(await getStream(app, sname)), 'Ready');
    t.is(ready?.reason, reason, sname);
    t.is(ready?.status, 'False');
  }
  t.is(
    ((await getCs(name))?.spec as { claimRef?: unknown } | undefined)?.claimRef,
    undefined,
    'nobody claimed it',
  );
  // The reader that fits binds.
  await adminClient().create(
    TanzuStreamKind,
    stream(app, 'reader', {
      name: subject,
      protocol: 'nats',
      streamMode: ['read'],
      attributes: { tier: 'gold' },
      storage: { clusterStream: name },
    }),
  );
  t.is(readyReason(await converge(fns, ops, app, 'reader', name)), 'StreamDeployed');
});

test('a Stream waits with ClusterStreamNotReady while its ClusterStream has no topic yet', async (t) => {
  const iso = isolation('st-notready');
  const { ops, app } = await prepareTwo(t, iso.namespace);
  await natsConnection(t, natsPrefix(iso.topicPrefix));
  const name = csName('notready');
  cleanupClusterStream(t, name);
  const subject = `${iso.topicPrefix}later`;
  await create(ClusterStreamKind, clusterStream({ name, topic: subject, protocol: 'nats' }));
  await adminClient().create(
    TanzuStreamKind,
    stream(app, 'early', { name: subject, protocol: 'nats', storage: { clusterStream: name } }),
  );
  const { outcome } = await attempt(
    tanzuStreamFunction,
    streamRef(app, 'early'),
    streamContext(ops, app, 'early'),
  );
  t.deepEqual(outcome, { kind: 'reconciled', result: { requeueAfterMs: POLL_MS } });
  t.is(readyReason(await getStream(app, 'early')), 'ClusterStreamNotReady');
  t.like((await getCs(name))?.spec, { claimRef: { namespace: app, name: 'early' } }, 'claimed while waiting');
  t.is(readyReason(await converge(fns, ops, app, 'early', name)), 'StreamDeployed');
});
