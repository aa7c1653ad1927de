/**
 * Faults of the API server, recovered without restarting any Sluice process: the API server is
 * restarted, and etcd is compacted so that the reconnecting watch gets 410 Gone and re-lists.
 * These tests restart shared servers, so they run alone, after the rest of the suite.
 */
import test from 'ava';
import { restart, restartApiServerCompacted } from '../env/manager.js';
import { adminClient } from '../helpers/context.js';
import { isolation } from '../helpers/env.js';
import { eventually, useNamespace } from '../helpers/kube.js';
import { WidgetKind } from '../runtime/widget-function.js';
import {
  RuntimeRig,
  createWidgets,
  installTestCrds,
  keyOf,
  startWidgetDispatcher,
} from '../runtime/harness.js';

test.before(async () => {
  await installTestCrds();
});

async function listCount(rig: RuntimeRig): Promise<number> {
  const m = await rig.metrics.watchEvents.get();
  return m.values
    .filter((v) => v.labels.kind === 'Widget' && v.labels.type === 'list')
    .reduce((a, v) => a + v.value, 0);
}

test.serial('an API server restart is recovered by the running dispatcher and workers', async (t) => {
  t.timeout(180_000);
  const iso = isolation('c-apiserver');
  await useNamespace(t, iso.namespace);
  const rig = RuntimeRig.create(t, iso.queuePrefix);
  rig.worker();
  const d = startWidgetDispatcher(t, rig, iso.namespace);
  const [ref] = await createWidgets(iso.namespace, 1);
  if (!ref) throw new Error('no widget');
  await eventually('the first reconcile', async () => (await rig.probe.runs(keyOf(ref))) === 1, 30_000);
  await restart('kube-apiserver', { downMs: 2000 });
  await adminClient().patch(WidgetKind, iso.namespace, ref.name, { spec: { size: 5 } });
  await eventually(
    'the change after the restart to be reconciled',
    async () => (await rig.probe.runs(keyOf(ref))) === 2,
    90_000,
  );
  t.true(
    d.health().sources.some((s) => s.restarts > 0),
    'the watch noticed the outage and restarted',
  );
  await eventually(
    'every watch to be back',
    () => Promise.resolve(d.health().sources.every((s) => s.state === 'watching')),
    60_000,
  );
});

test.serial(
  'a watch that reconnects after etcd was compacted gets 410, re-lists, and misses no change',
  async (t) => {
    t.timeout(180_000);
    const iso = isolation('c-compact');
    await useNamespace(t, iso.namespace);
    const rig = RuntimeRig.create(t, iso.queuePrefix);
    rig.worker({ concurrency: 10 });
    startWidgetDispatcher(t, rig, iso.namespace);
    const refs = await createWidgets(iso.namespace, 10);
    await eventually('all reconciled', async () => (await rig.probe.totalRuns()) === 10, 30_000);
    const listsBefore = await listCount(rig);
    // Compacted past every resourceVersion the watch can hold, so its resume is sure to get 410.
    await restartApiServerCompacted({ downMs: 1000 });
    // Changes made as the watch reconnects: whether they arrive as events or through the re-list,
    // each must be reconciled.
    for (const r of refs.slice(0, 5))
      await adminClient().patch(WidgetKind, iso.namespace, r.name, { spec: { size: 1000 } });
    await eventually(
      'every changed object to be reconciled',
      async () =>
        (await Promise.all(refs.slice(0, 5).map((r) => rig.probe.runs(keyOf(r))))).every((n) => n >= 2),
      90_000,
    );
    t.true((await listCount(rig)) > listsBefore, 'the watch re-listed after 410 Gone');
  },
);
