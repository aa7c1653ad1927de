/**
 * Pause and resume (issue 17) with the real dispatcher, worker, API server and Redis: a paused
 * object's events and resyncs are recorded in its history but not run, it carries a `Paused`
 * condition, removing the annotation resumes it at once (whatever the function's predicate), and
 * deleting it still runs its finalizer.
 */
import test, { type ExecutionContext } from 'ava';
import {
  PAUSE_ANNOTATION,
  findCondition,
  generationChanged,
  readHistory,
  type HistoryRecord,
  type KubeObject,
  type ObjectRef,
} from '../../runtime/index.js';
import { adminClient } from '../helpers/context.js';
import { isolation } from '../helpers/env.js';
import { eventually, useNamespace } from '../helpers/kube.js';
import { RuntimeRig, installTestCrds, keyOf, startWidgetDispatcher } from './harness.js';
import { WidgetKind, widgetFunction, type WidgetOptions } from './widget-function.js';

test.before(async () => {
  await installTestCrds();
});

const FINALIZER = 'test.sluice.io/widget-cleanup';

interface Setup {
  readonly rig: RuntimeRig;
  readonly namespace: string;
  history(ref: ObjectRef): Promise<HistoryRecord[]>;
  create(name: string, paused: boolean): Promise<ObjectRef>;
  setPaused(name: string, paused: boolean): Promise<void>;
  get(name: string): Promise<KubeObject | undefined>;
}

async function setup(t: ExecutionContext, fnOpts: WidgetOptions, resyncSeconds = 86_400): Promise<Setup> {
  const iso = isolation('pause');
  await useNamespace(t, iso.namespace);
  const rig = RuntimeRig.create(t, iso.queuePrefix);
  const fn = widgetFunction(rig.probe, fnOpts);
  rig.worker({}, fn);
  startWidgetDispatcher(t, rig, iso.namespace, { resyncSeconds }, fn);
  const kube = adminClient();
  const ns = iso.namespace;
  return {
    rig,
    namespace: ns,
    history: (ref) => readHistory(rig.queues.connection, rig.prefix, WidgetKind, ref),
    async create(name, paused) {
      const obj = await kube.create<KubeObject>(WidgetKind, {
        metadata: { name, namespace: ns, ...(paused ? { annotations: { [PAUSE_ANNOTATION]: 'true' } } : {}) },
        spec: { size: 1 },
      });
      return {
        group: WidgetKind.group,
        version: WidgetKind.version,
        kind: WidgetKind.kind,
        namespace: ns,
        name,
        ...(obj.metadata.uid ? { uid: obj.metadata.uid } : {}),
      };
    },
    async setPaused(name, paused) {
      await kube.patch(WidgetKind, ns, name, {
        metadata: { annotations: { [PAUSE_ANNOTATION]: paused ? 'true' : null } },
      });
    },
    get: (name) => kube.get(WidgetKind, ns, name),
  };
}

test('a paused object is not reconciled: its events and resyncs are recorded as paused, and a Paused condition says so', async (t) => {
  const s = await setup(t, {}, 2);
  const w = await s.create('paused-0', true);
  await eventually('a paused record', async () => (await s.history(w)).some((r) => r.outcome === 'paused'));
  const cond = findCondition((await s.get(w.name))?.status, 'Paused');
  t.like(cond, { status: 'True', reason: 'ReconcilePaused' });
  t.regex(cond?.message ?? '', /sluice\.io\/paused/);

  await adminClient().patch(WidgetKind, s.namespace, w.name, { spec: { size: 2 } });
  await eventually('the spec change recorded as a paused event', async () =>
    (await s.history(w)).some((r) => r.outcome === 'paused' && r.reason === 'event' && r.generation === 2),
  );
  await eventually(
    'a resync recorded as paused',
    async () => (await s.history(w)).some((r) => r.outcome === 'paused' && r.reason === 'resync'),
    20_000,
  );
  t.is(await s.rig.probe.runs(keyOf(w)), 0, 'the reconciler never ran');
  t.true((await s.history(w)).every((r) => r.outcome === 'paused'));
  const metric = await s.rig.metrics.registry.getSingleMetricAsString('sluice_reconcile_total');
  t.regex(metric, /result="paused"[^\n]* [1-9]/, 'counted as paused in sluice_reconcile_total');
});

test('removing the annotation resumes at once, even when the function’s predicate ignores annotations, and the Paused condition goes', async (t) => {
  const s = await setup(t, { predicate: generationChanged });
  const w = await s.create('resume-0', true);
  await eventually('a paused record', async () => (await s.history(w)).some((r) => r.outcome === 'paused'));
  t.is(await s.rig.probe.runs(keyOf(w)), 0);

  const at = Date.now();
  await s.setPaused(w.name, false);
  await eventually('the resumed reconcile', async () => (await s.rig.probe.runs(keyOf(w))) === 1, 10_000);
  t.log(`resumed after ${Date.now() - at} ms`);
  // History is written from a buffer after the run ends (within ~50 ms), so the run can be
  // counted before its record is in Redis: wait for a record newer than the paused ones.
  const last = await eventually('the resumed run recorded', async () => {
    const [newest] = await s.history(w);
    return newest?.outcome === 'paused' ? undefined : newest;
  });
  t.like(last, { outcome: 'success', reason: 'event' });
  await eventually(
    'the Paused condition to go',
    async () => findCondition((await s.get(w.name))?.status, 'Paused') === undefined,
  );

  // Pausing again is also let through by the generation-only predicate.
  await s.setPaused(w.name, true);
  await eventually(
    'paused again',
    async () => findCondition((await s.get(w.name))?.status, 'Paused')?.status === 'True',
  );
  t.is(await s.rig.probe.runs(keyOf(w)), 1);
});

test('deleting a paused object still runs its finalizer', async (t) => {
  const s = await setup(t, { finalizer: FINALIZER });
  const w = await s.create('delete-0', false);
  await eventually('the first reconcile', async () => (await s.rig.probe.runs(keyOf(w))) === 1);
  t.true((await s.get(w.name))?.metadata.finalizers?.includes(FINALIZER));
  await s.setPaused(w.name, true);
  await eventually('a paused record', async () => (await s.history(w)).some((r) => r.outcome === 'paused'));

  await adminClient().delete(WidgetKind, s.namespace, w.name);
  await eventually('the object to be gone', async () => (await s.get(w.name)) === undefined, 20_000);
  t.is(Number(await s.rig.redis.get(s.rig.probe.key('finalized', keyOf(w)))), 1, 'finalize ran once');
  t.is(await s.rig.probe.runs(keyOf(w)), 1, 'no reconcile ran while paused');
  await eventually('the finalized record', async () =>
    (await s.history(w)).some((r) => r.outcome === 'success' && r.path === 'finalized'),
  );
});
