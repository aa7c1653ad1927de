/**
 * The Tawon Stream against the real API server and the real nats-server (standing in for the
 * StreamStore's Pod): the seed example's limits on the server, store defaults, the hard limit
 * clamp, in-place updates, drift healing, and the status counters.
 */
import test from 'ava';
import { DiscardPolicy, StorageType, nanos } from 'nats';
import { reconcileObject } from '../../../runtime/worker/reconcile-object.js';
import { tawonStreamFunction } from '../../../functions/tawon-stream/index.js';
import { findCondition, isRecord, type KubeObject } from '../../../runtime/index.js';
import { StreamStoreKind, TawonStreamKind } from '../../../shared/index.js';
import { adminClient } from '../../helpers/context.js';
import { applyExample, reconcileUntil, refIn } from '../../fixtures/tawon/fixtures.js';
import { closeHarness, serverStream, streamContext, streamNamespace, verifierJsm } from './harness.js';

const fn = tawonStreamFunction;
const HOUR = 3600_000;

test.after.always(closeHarness);

function statusOf(obj: KubeObject | undefined): Record<string, unknown> {
  return isRecord(obj?.status) ? obj.status : {};
}

const ready = (o: KubeObject): boolean => findCondition(o.status, 'Ready')?.status === 'True';

async function createStream(namespace: string, name: string, spec: Record<string, unknown>): Promise<void> {
  await adminClient().create(TawonStreamKind, {
    metadata: { name, namespace },
    spec: { store: { name: 'mystreamstore' }, ...spec },
  });
}

test('the seed Stream, applied unchanged, has 100000 messages, 6 h and 1 GB as limits on the server', async (t) => {
  const namespace = await streamNamespace(t, 'seed');
  const name = await applyExample('stream', namespace);
  const ref = refIn(fn, namespace, name);
  const ctx = streamContext(ref);
  const obj = await reconcileUntil(fn, ref, ctx, 'the stream to be ready', ready);

  const info = await serverStream(`${namespace}_mystream`);
  t.truthy(info, 'the JetStream stream exists');
  t.is(info?.config.max_msgs, 100000);
  t.is(info?.config.max_age, nanos(6 * HOUR));
  t.is(info?.config.max_bytes, 1_000_000_000);
  t.deepEqual(info?.config.subjects, [`tawon.${namespace}.mystream`]);
  t.is(info?.config.storage, StorageType.File);
  t.is(info?.config.discard, DiscardPolicy.Old);

  const status = statusOf(obj);
  t.is(status.subject, `tawon.${namespace}.mystream`);
  t.deepEqual(status.limits, { maxmsgs: 100000, maxage: '6h', maxbytes: '1G' });
  t.is(status.messages, 0);
  t.is(status.observedGeneration, obj.metadata.generation);
  t.is(findCondition(obj.status, 'Ready')?.reason, 'StreamReady');
  t.true(ctx.recorded.some((e) => e.reason === 'Created'));
});

test('the status counts the messages, bytes and sequences of the stream', async (t) => {
  const namespace = await streamNamespace(t, 'counters');
  await createStream(namespace, 'counted', { maxmsgs: 2 });
  const ref = refIn(fn, namespace, 'counted');
  const ctx = streamContext(ref);
  await reconcileUntil(fn, ref, ctx, 'ready', ready);
  const js = (await verifierJsm()).jetstream();
  for (const m of ['one', 'two', 'three'])
    await js.publish(`tawon.${namespace}.counted`, new TextEncoder().encode(m));
  const result = await reconcileObject(fn, ref, ctx);
  t.deepEqual(result, { kind: 'reconciled', result: { requeueAfterMs: 60_000 } }, 'it asks to be refreshed');
  const status = statusOf(await adminClient().get(TawonStreamKind, namespace, 'counted'));
  t.is(status.messages, 2, 'maxmsgs 2 discarded the oldest');
  t.is(status.firstSeq, 2);
  t.is(status.lastSeq, 3);
  t.true(typeof status.bytes === 'number' && status.bytes > 0);
});

test('a Stream that sets no limits gets the store defaults on the server', async (t) => {
  const namespace = await streamNamespace(t, 'defaults');
  await createStream(namespace, 'plain', {});
  const ref = refIn(fn, namespace, 'plain');
  const obj = await reconcileUntil(fn, ref, streamContext(ref), 'ready', ready);
  const info = await serverStream(`${namespace}_plain`);
  t.is(info?.config.max_msgs, 1000000);
  t.is(info?.config.max_age, nanos(240 * HOUR));
  t.is(info?.config.max_bytes, 1_000_000_000);
  t.deepEqual(statusOf(obj).limits, { maxmsgs: 1000000, maxage: '240h', maxbytes: '1G' });
});

test('a request above the hard limit gets the store limit: Ready, each clamped value named, one Warning per change (issue 13)', async (t) => {
  const namespace = await streamNamespace(t, 'clamped');
  await createStream(namespace, 'capped', { maxage: '6h' });
  const ref = refIn(fn, namespace, 'capped');
  const ctx = streamContext(ref);
  const first = await reconcileUntil(fn, ref, ctx, 'ready', ready);
  t.is(findCondition(first.status, 'LimitsClamped')?.reason, 'WithinStoreLimits');
  t.deepEqual(statusOf(first).clamped, []);
  const kube = adminClient();
  await kube.patch(TawonStreamKind, namespace, 'capped', { spec: { maxage: '3000h', maxbytes: '3G' } });
  const obj = await reconcileUntil(
    fn,
    ref,
    ctx,
    'the clamped limits',
    (o) =>
      ready(o) &&
      statusOf(o).observedGeneration === o.metadata.generation &&
      findCondition(o.status, 'LimitsClamped')?.status === 'True',
  );
  t.is(findCondition(obj.status, 'Ready')?.reason, 'StreamReady');
  const cond = findCondition(obj.status, 'LimitsClamped');
  t.is(cond?.reason, 'StoreLimitApplied');
  t.regex(cond?.message ?? '', /maxage 3000h clamped to 2400h/);
  t.regex(cond?.message ?? '', /maxbytes 3G clamped to 2G/);
  t.is(cond?.observedGeneration, obj.metadata.generation);
  t.deepEqual(statusOf(obj).clamped, [
    { field: 'maxage', asked: '3000h', applied: '2400h' },
    { field: 'maxbytes', asked: '3G', applied: '2G' },
  ]);
  t.deepEqual(statusOf(obj).limits, { maxmsgs: 1000000, maxage: '2400h', maxbytes: '2G' });
  const info = await serverStream(`${namespace}_capped`);
  t.is(info?.config.max_age, nanos(2400 * HOUR), 'the server has the hard limit');
  t.is(info?.config.max_bytes, 2_000_000_000);
  const warnings = () => ctx.recorded.filter((e) => e.reason === 'LimitClamped');
  t.is(warnings().length, 1);
  t.is(warnings()[0]?.type, 'Warning');
  await reconcileObject(fn, ref, ctx);
  t.is(warnings().length, 1, 'a resync of the same clamp records nothing');

  await kube.patch(TawonStreamKind, namespace, 'capped', { spec: { maxage: '1h', maxbytes: null } });
  const within = await reconcileUntil(
    fn,
    ref,
    ctx,
    'within the limits again',
    (o) => findCondition(o.status, 'LimitsClamped')?.status === 'False',
  );
  t.deepEqual(statusOf(within).clamped, []);
  t.is((await serverStream(`${namespace}_capped`))?.config.max_age, nanos(HOUR));

  await createStream(namespace, 'born-too-big', { maxmsgs: 20000000 });
  const big = refIn(fn, namespace, 'born-too-big');
  await reconcileUntil(fn, big, streamContext(big), 'ready', ready);
  t.is(
    (await serverStream(`${namespace}_born-too-big`))?.config.max_msgs,
    10000000,
    'created at the hard limit',
  );
});

test('a limit change is applied in place, keeping the messages', async (t) => {
  const namespace = await streamNamespace(t, 'update');
  await applyExample('stream', namespace);
  const ref = refIn(fn, namespace, 'mystream');
  const ctx = streamContext(ref);
  await reconcileUntil(fn, ref, ctx, 'ready', ready);
  const js = (await verifierJsm()).jetstream();
  for (let i = 0; i < 3; i++)
    await js.publish(`tawon.${namespace}.mystream`, new TextEncoder().encode(`m${i}`));
  const before = await serverStream(`${namespace}_mystream`);
  await adminClient().patch(TawonStreamKind, namespace, 'mystream', { spec: { maxmsgs: 50, maxage: '90m' } });
  const obj = await reconcileUntil(
    fn,
    ref,
    ctx,
    'the new limits',
    (o) => isRecord(statusOf(o).limits) && (statusOf(o).limits as Record<string, unknown>).maxmsgs === 50,
  );
  const after = await serverStream(`${namespace}_mystream`);
  t.is(after?.config.max_msgs, 50);
  t.is(after?.config.max_age, nanos(90 * 60_000));
  t.is(after?.created, before?.created, 'the same stream, not a new one');
  t.is(after?.state.messages, 3);
  t.is(statusOf(obj).messages, 3);
  t.true(ctx.recorded.some((e) => e.reason === 'Updated' && e.message.includes('max_msgs')));
});

test('a limit changed on the server out of band is restored on the next reconcile', async (t) => {
  const namespace = await streamNamespace(t, 'drift');
  await applyExample('stream', namespace);
  const ref = refIn(fn, namespace, 'mystream');
  const ctx = streamContext(ref);
  await reconcileUntil(fn, ref, ctx, 'ready', ready);
  const jsm = await verifierJsm();
  await jsm.streams.update(`${namespace}_mystream`, { max_msgs: 7, max_age: nanos(HOUR) });
  t.is((await serverStream(`${namespace}_mystream`))?.config.max_msgs, 7);
  await reconcileObject(fn, ref, ctx);
  const info = await serverStream(`${namespace}_mystream`);
  t.is(info?.config.max_msgs, 100000);
  t.is(info?.config.max_age, nanos(6 * HOUR));
  const drift = ctx.recorded.find((e) => e.reason === 'DriftCorrected');
  t.is(drift?.type, 'Warning');
  t.regex(drift?.message ?? '', /max_msgs 7 → 100000, max_age 3600000000000 → 21600000000000/);
  t.regex(await ctx.metrics.registry.metrics(), /sluice_drift_total\{kind="Stream",setting="max_msgs"\} 1/);
});

test('a Stream on a missing store waits with StoreNotFound, and an invalid store gives StoreInvalid', async (t) => {
  const namespace = await streamNamespace(t, 'nostore');
  await adminClient().create(TawonStreamKind, {
    metadata: { name: 'orphan', namespace },
    spec: { store: { name: 'nowhere' } },
  });
  const ref = refIn(fn, namespace, 'orphan');
  const outcome = await reconcileObject(fn, ref, streamContext(ref));
  t.deepEqual(outcome, { kind: 'reconciled', result: { requeueAfterMs: null } });
  const obj = await adminClient().get(TawonStreamKind, namespace, 'orphan');
  t.is(findCondition(obj?.status, 'Ready')?.reason, 'StoreNotFound');
  t.is(await serverStream(`${namespace}_orphan`), undefined);

  await adminClient().patch(StreamStoreKind, namespace, 'mystreamstore', {
    spec: { defaults: { maxage: 'a week' } },
  });
  await createStream(namespace, 'on-bad-store', {});
  const bad = refIn(fn, namespace, 'on-bad-store');
  await reconcileObject(fn, bad, streamContext(bad));
  const badObj = await adminClient().get(TawonStreamKind, namespace, 'on-bad-store');
  t.is(findCondition(badObj?.status, 'Ready')?.reason, 'StoreInvalid');
  t.regex(findCondition(badObj?.status, 'Ready')?.message ?? '', /spec\.defaults\.maxage/);
});
