/**
 * Per-object reconcile history (issue 17), against the real API server and Redis with real
 * workers: what a record holds for each outcome, the redaction of error messages, the dead
 * letters, the queue state read from BullMQ, and the caps (records, bytes, TTL, off).
 */
import test, { type ExecutionContext } from 'ava';
import {
  ConfigError,
  DEFAULT_HISTORY,
  createLogger,
  historyKey,
  loadConfig,
  readDeadLetters,
  readHistory,
  readQueueState,
  type HistoryRecord,
  type HistorySettings,
  type ObjectRef,
} from '../../runtime/index.js';
import { HistoryWriter } from '../../runtime/history/writer.js';
import { adminClient } from '../helpers/context.js';
import { isolation } from '../helpers/env.js';
import { eventually, useNamespace } from '../helpers/kube.js';
import { RuntimeRig, createWidgets, installTestCrds, keyOf } from './harness.js';
import { WidgetKind } from './widget-function.js';

test.before(async () => {
  await installTestCrds();
});

interface Setup {
  readonly rig: RuntimeRig;
  readonly namespace: string;
  history(ref: ObjectRef): Promise<HistoryRecord[]>;
  /** Waits until `ref` has at least `n` records; returns them, newest first. */
  records(ref: ObjectRef, n: number): Promise<HistoryRecord[]>;
}

async function setup(t: ExecutionContext): Promise<Setup> {
  const iso = isolation('history');
  await useNamespace(t, iso.namespace);
  const rig = RuntimeRig.create(t, iso.queuePrefix);
  const history = (ref: ObjectRef): Promise<HistoryRecord[]> =>
    readHistory(rig.queues.connection, rig.prefix, WidgetKind, ref);
  return {
    rig,
    namespace: iso.namespace,
    history,
    async records(ref, n) {
      let got: HistoryRecord[] = [];
      await eventually(`${n} history record(s) of ${ref.name}`, async () => {
        got = await history(ref);
        return got.length >= n;
      });
      return got;
    },
  };
}

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

test('a successful reconcile is recorded with why it ran, when, the worker, the trace id and the generation and resourceVersion it saw', async (t) => {
  const s = await setup(t);
  const [w] = await createWidgets(s.namespace, 1);
  if (!w) throw new Error('no widget');
  s.rig.worker({ identity: 'worker-a' });
  const before = Date.now();
  await s.rig.enqueuer.enqueue([{ ref: w, reason: 'test', trace: { traceparent: TRACEPARENT } }]);
  const [r] = await s.records(w, 1);
  const obj = await adminClient().get(WidgetKind, s.namespace, w.name);
  t.like(r, {
    reason: 'test',
    outcome: 'success',
    worker: 'worker-a',
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    generation: 1,
    resourceVersion: obj?.metadata.resourceVersion,
  });
  if (!r) return;
  t.true(r.enqueuedAt >= before - 5 && r.enqueuedAt <= r.startedAt && r.startedAt <= r.finishedAt);
  t.truthy(r.jobId);
  t.is(r.error, undefined);
});

test('each outcome is recorded: requeueAfter with its delay, errors with their attempt number, a terminal refusal', async (t) => {
  const s = await setup(t);
  const [later, flaky, refused] = await createWidgets(s.namespace, 3);
  if (!later || !flaky || !refused) throw new Error('no widgets');
  await s.rig.probe.setBehavior(keyOf(later), { requeueMs: 60_000 });
  await s.rig.probe.setBehavior(keyOf(flaky), { fail: 2 });
  await s.rig.probe.setBehavior(keyOf(refused), { terminal: 1 });
  s.rig.worker();
  await s.rig.enqueue([later, flaky, refused]);

  const [requeued] = await s.records(later, 1);
  t.like(requeued, { outcome: 'requeueAfter', delayMs: 60_000 });
  const state = await readQueueState(s.rig.queues.connection, s.rig.prefix, WidgetKind, later);
  t.like(state, { state: 'delayed', delayedFor: 'requeueAfter' });
  t.true((state.dueAt ?? 0) > Date.now() + 50_000, 'due about a minute from now');

  const flakyRecords = await s.records(flaky, 3);
  t.deepEqual(
    flakyRecords.map((r) => [r.outcome, r.attempt, r.errorReason]),
    [
      ['success', undefined, undefined],
      ['error', 2, 'ReconcileError'],
      ['error', 1, 'ReconcileError'],
    ],
    'newest first: two failures counted, then the success',
  );
  t.regex(flakyRecords[1]?.error ?? '', /scripted failure/);

  const [terminal] = await s.records(refused, 1);
  t.like(terminal, {
    outcome: 'terminal',
    errorReason: 'WidgetRefused',
    error: 'this widget cannot be reconciled',
  });
});

test('an error message is redacted before it is recorded', async (t) => {
  const s = await setup(t);
  const [w] = await createWidgets(s.namespace, 1);
  if (!w) throw new Error('no widget');
  await s.rig.probe.setBehavior(keyOf(w), {
    failWith: 'cannot reach redis://admin:hunter2@db:6379 (token=abc123secret, Bearer eyJhbGciOi.x.y)',
  });
  s.rig.worker();
  await s.rig.enqueue([w]);
  const [r] = await s.records(w, 1);
  const text = r?.error ?? '';
  t.is(r?.outcome, 'error');
  for (const secret of ['hunter2', 'abc123secret', 'eyJhbGciOi']) t.false(text.includes(secret), secret);
  t.regex(text, /\[redacted\]/);
  const raw = await s.rig.queues.connection.lrange(historyKey(s.rig.prefix, WidgetKind, w), 0, -1);
  t.false(raw.join('').includes('hunter2'), 'nothing unredacted is stored');
});

test('the dead letters hold the objects whose last reconcile failed, and a success takes an object out', async (t) => {
  const s = await setup(t);
  const [failing, refused, fine] = await createWidgets(s.namespace, 3);
  if (!failing || !refused || !fine) throw new Error('no widgets');
  await s.rig.probe.setBehavior(keyOf(failing), { fail: 1_000_000 });
  await s.rig.probe.setBehavior(keyOf(refused), { terminal: 1 });
  s.rig.worker();
  await s.rig.enqueue([failing, refused, fine]);
  const dead = async (): Promise<string[]> =>
    (await readDeadLetters(s.rig.queues.connection, s.rig.prefix, WidgetKind)).map((d) => d.name).sort();
  await eventually('two dead letters', async () => (await dead()).length === 2);
  t.deepEqual(await dead(), [failing.name, refused.name].sort());
  const [entry] = (await readDeadLetters(s.rig.queues.connection, s.rig.prefix, WidgetKind)).filter(
    (d) => d.name === refused.name,
  );
  t.like(entry, { namespace: s.namespace, last: { outcome: 'terminal', errorReason: 'WidgetRefused' } });

  await s.rig.probe.setBehavior(keyOf(failing), {});
  await s.rig.enqueue([failing]);
  await eventually('the healed object to leave the dead letters', async () => (await dead()).length === 1);
  t.deepEqual(await dead(), [refused.name]);
});

test('the queue state says waiting without a worker, active while it runs, delayed in backoff with its due time and failures, none when done', async (t) => {
  const s = await setup(t);
  const [w] = await createWidgets(s.namespace, 1);
  if (!w) throw new Error('no widget');
  const state = () => readQueueState(s.rig.queues.connection, s.rig.prefix, WidgetKind, w);
  t.like(await state(), { state: 'none' });
  await s.rig.enqueue([w]);
  t.like(await state(), { state: 'waiting' });

  await s.rig.probe.setBehavior(keyOf(w), { block: 1 });
  await s.rig.redis.set(s.rig.probe.key('block', keyOf(w)), '1');
  s.rig.worker();
  await eventually('the job to be active', async () => (await state()).state === 'active');
  await s.rig.enqueue([w]);
  t.like(await state(), { state: 'active', followUp: true }, 'an event during the run is a follow-up');

  await s.rig.probe.setBehavior(keyOf(w), { fail: 1_000_000 });
  await s.rig.redis.del(s.rig.probe.key('block', keyOf(w)));
  // One snapshot, asserted as read: the job moves on between two reads.
  const q = await eventually('a backoff of several failures', async () => {
    const seen = await state();
    return seen.state === 'delayed' && (seen.failures ?? 0) >= 3 ? seen : undefined;
  });
  t.is(q.delayedFor, 'backoff');
  t.true((q.dueAt ?? 0) >= Date.now() - 1000, 'a due time');
  t.true((q.delayMs ?? 0) > 0, 'the backoff it waits out');

  await s.rig.probe.setBehavior(keyOf(w), {});
  await s.rig.enqueue([w]);
  await eventually('the object to be done', async () => (await state()).state === 'none');
});

async function runTimes(s: Setup, ref: ObjectRef, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) {
    await s.rig.enqueue([ref]);
    await eventually(`run ${i}`, async () => (await s.rig.probe.runs(keyOf(ref))) >= i);
    await s.rig.drained();
  }
}

const settings = (over: Partial<HistorySettings>): HistorySettings => ({
  records: 20,
  bytes: 0,
  ttlSeconds: 0,
  ...over,
});

test('history keeps the configured number of records, newest first', async (t) => {
  const s = await setup(t);
  const [w] = await createWidgets(s.namespace, 1);
  if (!w) throw new Error('no widget');
  const worker = s.rig.worker({ history: settings({ records: 3 }) });
  await runTimes(s, w, 5);
  await worker.close();
  const records = await s.history(w);
  t.is(records.length, 3);
  const times = records.map((r) => r.finishedAt);
  t.deepEqual(
    times,
    [...times].sort((a, b) => b - a),
  );
});

test('history keeps at most the configured bytes per object, dropping the oldest records', async (t) => {
  const s = await setup(t);
  const [w] = await createWidgets(s.namespace, 1);
  if (!w) throw new Error('no widget');
  const worker = s.rig.worker({ history: settings({ bytes: 700 }) });
  await runTimes(s, w, 6);
  await worker.close();
  const raw = await s.rig.queues.connection.lrange(historyKey(s.rig.prefix, WidgetKind, w), 0, -1);
  const bytes = raw.reduce((n, r) => n + Buffer.byteLength(r), 0);
  t.true(raw.length >= 1 && raw.length < 6, `${raw.length} of 6 records kept`);
  t.true(bytes <= 700, `${bytes} bytes kept`);
});

test('an object’s history expires after the configured TTL, and SLUICE_HISTORY_RECORDS=0 writes none', async (t) => {
  const s = await setup(t);
  const [w, off] = await createWidgets(s.namespace, 2);
  if (!w || !off) throw new Error('no widgets');
  const worker = s.rig.worker({ history: settings({ ttlSeconds: 1 }) });
  await runTimes(s, w, 1);
  await worker.close();
  const key = historyKey(s.rig.prefix, WidgetKind, w);
  const ttl = await s.rig.queues.connection.pttl(key);
  t.true(ttl > 0 && ttl <= 1000, `expires in ${ttl} ms`);
  await eventually('the history to expire', async () => (await s.rig.queues.connection.exists(key)) === 0);

  const silent = s.rig.worker({ history: settings({ records: 0 }) });
  await runTimes(s, off, 1);
  await silent.close();
  t.is(await s.rig.probe.runs(keyOf(off)), 1, 'it ran');
  t.deepEqual(await s.history(off), [], 'nothing recorded');
});

test('loadConfig reads SLUICE_HISTORY_* (0 allowed) and refuses a malformed value naming the variable', (t) => {
  t.deepEqual(loadConfig({}).history, DEFAULT_HISTORY);
  t.deepEqual(
    loadConfig({ SLUICE_HISTORY_RECORDS: '0', SLUICE_HISTORY_BYTES: '0', SLUICE_HISTORY_TTL_SECONDS: '60' })
      .history,
    { records: 0, bytes: 0, ttlSeconds: 60 },
  );
  for (const name of ['SLUICE_HISTORY_RECORDS', 'SLUICE_HISTORY_BYTES', 'SLUICE_HISTORY_TTL_SECONDS']) {
    const err = t.throws(() => loadConfig({ [name]: '-1' }));
    t.true(err instanceof ConfigError);
    t.regex(err?.message ?? '', new RegExp(name));
  }
});

test('a history write that cannot reach Redis drops its records, warns, and never throws', async (t) => {
  const warnings: string[] = [];
  const log = createLogger({ level: 'silent' });
  const spy = Object.assign(Object.create(log) as typeof log, {
    warn: (_o: unknown, msg?: string) => warnings.push(msg ?? ''),
  });
  const writer = new HistoryWriter(WidgetKind, {
    redis: 'redis://127.0.0.1:1',
    settings: DEFAULT_HISTORY,
    log: spy,
  });
  const ref = { group: WidgetKind.group, version: 'v1', kind: 'Widget', namespace: 'x', name: 'y' };
  const at = Date.now();
  writer.record(ref, {
    reason: 'test',
    enqueuedAt: at,
    startedAt: at,
    finishedAt: at,
    outcome: 'success',
    worker: 'w',
    jobId: '1',
  });
  await writer.close();
  t.is(writer.dropped, 1);
  t.deepEqual(warnings, ['could not write reconcile history; those records are dropped']);
});
