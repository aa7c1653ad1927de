/**
 * The dispatcher end to end with the worker host: watch events become reconciles, our own status
 * writes do not loop, owned and mapped kinds re-enqueue their primary, a restart resumes from the
 * saved resourceVersion, a resumed watch that gets 410 re-lists without missing a change, and the
 * leader ages low-priority jobs.
 */
import test from 'ava';
import { Builtin, checkpointKey, epochKey, readQueueState, type KubeObject } from '../../runtime/index.js';
import { adminClient } from '../helpers/context.js';
import { isolation } from '../helpers/env.js';
import { eventually, useNamespace } from '../helpers/kube.js';
import { GadgetKind, WidgetKind } from './widget-function.js';
import {
  RuntimeRig,
  createWidgets,
  installTestCrds,
  keyOf,
  settled,
  startWidgetDispatcher,
} from './harness.js';

test.before(async () => {
  await installTestCrds();
});

test('a created object is reconciled, and a spec change reconciles it again', async (t) => {
  const iso = isolation('d-basic');
  await useNamespace(t, iso.namespace);
  const rig = RuntimeRig.create(t, iso.queuePrefix);
  rig.worker();
  const d = startWidgetDispatcher(t, rig, iso.namespace);
  await eventually('the dispatcher to watch', () =>
    Promise.resolve(d.health().sources.every((s) => s.state === 'watching') && d.health().sources.length > 0),
  );
  const [ref] = await createWidgets(iso.namespace, 1);
  if (!ref) throw new Error('no widget');
  await eventually('the first reconcile', async () => (await rig.probe.runs(keyOf(ref))) === 1);
  await adminClient().patch(WidgetKind, iso.namespace, ref.name, { spec: { size: 42 } });
  await eventually('the reconcile of the change', async () => (await rig.probe.runs(keyOf(ref))) === 2);
  const value = async (name: string, labels: Record<string, string>): Promise<number> => {
    const base = name.replace(/_count$/, '');
    const m = (await rig.metrics.registry.getMetricsAsJSON()).find((x) => x.name === base);
    const values =
      (m as { values?: { labels: Record<string, string>; value: number; metricName?: string }[] } | undefined)
        ?.values ?? [];
    return values
      .filter(
        (v) => (v.metricName ?? base) === name && Object.entries(labels).every(([k, l]) => v.labels[k] === l),
      )
      .reduce((a, v) => a + v.value, 0);
  };
  // The probe counts a run inside the reconcile; the metric once it has returned: wait for both.
  await eventually(
    'both reconciles to be counted',
    async () => (await value('sluice_reconcile_total', { kind: 'Widget', result: 'success' })) === 2,
  );
  t.is(await value('sluice_reconcile_total', { kind: 'Widget', result: 'success' }), 2);
  t.true((await value('sluice_watch_events_total', { kind: 'Widget', type: 'apply' })) >= 1);
  t.true((await value('sluice_enqueued_total', { kind: 'Widget', reason: 'event' })) >= 1);
  t.is(await value('sluice_queue_wait_seconds_count', { kind: 'Widget' }), 2);
});

test('our own status writes do not make the object loop', async (t) => {
  const iso = isolation('d-noloop');
  await useNamespace(t, iso.namespace);
  const rig = RuntimeRig.create(t, iso.queuePrefix);
  await rig.probe.setBehavior('*', { writeStatus: 1 });
  rig.worker();
  const d = startWidgetDispatcher(t, rig, iso.namespace);
  const [ref] = await createWidgets(iso.namespace, 1);
  if (!ref) throw new Error('no widget');
  await eventually('the status to be written', async () => {
    const w = await adminClient().get(WidgetKind, iso.namespace, ref.name);
    return (w?.status as { size?: number } | undefined)?.size === 0;
  });
  // The status write's watch event came before the sentinel's: once the sentinel ran and the
  // queue is empty, a reconcile it caused would have run.
  await settled(rig, d, iso.namespace);
  t.is(await rig.probe.runs(keyOf(ref)), 1);
});

test('a change to an owned ConfigMap and to a mapped Gadget reconciles the Widget', async (t) => {
  const iso = isolation('d-owned');
  await useNamespace(t, iso.namespace);
  const rig = RuntimeRig.create(t, iso.queuePrefix);
  rig.worker();
  startWidgetDispatcher(t, rig, iso.namespace);
  const [ref] = await createWidgets(iso.namespace, 1);
  if (!ref) throw new Error('no widget');
  await eventually('the first reconcile', async () => (await rig.probe.runs(keyOf(ref))) === 1);
  const kube = adminClient();
  await kube.create(Builtin.ConfigMap, {
    metadata: {
      name: 'owned',
      namespace: iso.namespace,
      ownerReferences: [
        { apiVersion: 'test.sluice.io/v1', kind: 'Widget', name: ref.name, uid: ref.uid ?? '' },
      ],
    },
    data: { a: '1' },
  });
  await eventually('the owner to be reconciled', async () => (await rig.probe.runs(keyOf(ref))) === 2);
  const gadget = `g-${iso.queuePrefix}`;
  await kube.create<KubeObject>(GadgetKind, {
    metadata: { name: gadget },
    spec: { widget: `${iso.namespace}/${ref.name}` },
  });
  t.teardown(() => kube.delete(GadgetKind, undefined, gadget).then(() => undefined));
  await eventually(
    'the mapped Widget to be reconciled',
    async () => (await rig.probe.runs(keyOf(ref))) === 3,
  );
  t.pass();
});

test('a restarted dispatcher resumes its watch: unchanged objects are not reconciled again, a change is', async (t) => {
  const iso = isolation('d-resume');
  await useNamespace(t, iso.namespace);
  const rig = RuntimeRig.create(t, iso.queuePrefix);
  rig.worker({ concurrency: 20 });
  const refs = await createWidgets(iso.namespace, 30);
  const first = startWidgetDispatcher(t, rig, iso.namespace);
  await eventually('all thirty reconciled', async () => (await rig.probe.totalRuns()) === 30, 30_000);
  // A stop saves how far the watch got (the final checkpoint).
  await first.stop();
  const changed = refs[7]!;
  await adminClient().patch(WidgetKind, iso.namespace, changed.name, { spec: { size: 700 } });
  const second = startWidgetDispatcher(t, rig, iso.namespace);
  // Its start ends once the watches are open (and the replay had 10 ms to arrive). Whether the
  // replayed change is already queued at that moment depends on the machine's load (it was not,
  // once, on two busy cores), so only the start's end and the reconcile are asserted.
  await second.whenStarted();
  await eventually(
    'the change made while stopped to be reconciled',
    async () => (await rig.probe.runs(keyOf(changed))) === 2,
    30_000,
  );
  // The resumed list is in and acted on; the sentinel's own reconcile is the 32nd.
  await settled(rig, second, iso.namespace);
  t.is(await rig.probe.totalRuns(), 32, 'only the changed object ran again');
});

test('a resumed watch whose resourceVersion is too old (410) re-lists and misses nothing', async (t) => {
  const iso = isolation('d-gone');
  await useNamespace(t, iso.namespace);
  const rig = RuntimeRig.create(t, iso.queuePrefix);
  rig.worker({ concurrency: 20 });
  await createWidgets(iso.namespace, 10);
  // Pretend an earlier dispatcher saved a resourceVersion long since compacted away.
  await rig.redis.set(epochKey(rig.prefix), 'earlier');
  await rig.redis.set(checkpointKey(rig.prefix, 'test.sluice.io/Widget'), '1');
  const d = startWidgetDispatcher(t, rig, iso.namespace);
  await eventually(
    'every object to be reconciled after the re-list',
    async () => (await rig.probe.totalRuns()) === 10,
    30_000,
  );
  t.true(
    d.health().sources.some((s) => s.restarts > 0),
    'the watch restarted',
  );
});

test('a standby’s start ends after its first election attempt, while another candidate holds the Lease', async (t) => {
  const iso = isolation('d-standby');
  await useNamespace(t, iso.namespace);
  const rig = RuntimeRig.create(t, iso.queuePrefix);
  const renewTime = new Date().toISOString().replace('Z', '000Z');
  await adminClient().create(Builtin.Lease, {
    metadata: { name: 'widgets', namespace: iso.namespace },
    spec: { holderIdentity: 'someone-else', leaseDurationSeconds: 3600, renewTime },
  });
  const d = startWidgetDispatcher(t, rig, iso.namespace, {
    leaderElection: { namespace: iso.namespace, name: 'widgets', identity: 'standby' },
  });
  await d.whenStarted();
  t.false(d.isLeader, 'the start is over without leading');
  t.deepEqual(d.health().sources, [], 'a standby watches nothing');
});

test('the leading dispatcher ages its re-list: low-priority jobs that waited past SLUICE_QUEUE_MAX_WAIT_SECONDS (1 s) move to the front', async (t) => {
  const iso = isolation('d-aging');
  await useNamespace(t, iso.namespace);
  const rig = RuntimeRig.create(t, iso.queuePrefix);
  const refs = await createWidgets(iso.namespace, 3);
  // No worker: the first list's low-priority jobs wait, and only aging moves them.
  startWidgetDispatcher(t, rig, iso.namespace, { maxWaitSeconds: 1 });
  const states = () =>
    Promise.all(refs.map((r) => readQueueState(rig.queues.connection, rig.prefix, WidgetKind, r)));
  await eventually('the re-list to be queued', async () =>
    (await states()).every((s) => s.state === 'waiting'),
  );
  await eventually(
    'the jobs to be moved out of low priority',
    async () => (await states()).every((s) => s.state === 'waiting' && s.lowPriority !== true),
    15_000,
  );
  const aged = await rig.metrics.registry.getSingleMetricAsString('sluice_queue_aged_total');
  t.regex(aged, /sluice_queue_aged_total\{kind="Widget"\} 3/);
});
