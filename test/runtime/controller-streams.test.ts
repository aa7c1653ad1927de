/**
 * The controller stream forms of the seed's kube-rs chapter (issue 13): a `forStream` controller
 * reconciles nothing until its store holds the first list, and `ownsStream` drives reconciles of
 * the owner from a prepared metadata watcher.
 */
import test, { type ExecutionContext } from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { controller, type ControllerSpec } from '../../runtime/controller/builder.js';
import { Dispatcher } from '../../runtime/dispatcher/dispatcher.js';
import { EventStream } from '../../runtime/watch/stream.js';
import { ReflectorStore } from '../../runtime/watch/reflector.js';
import { metadataWatcher, watcher } from '../../runtime/watch/watcher.js';
import type { WatchEvent } from '../../runtime/watch/events.js';
import { Builtin, controllerRef, createLogger, type KubeObject } from '../../runtime/index.js';
import { adminClient } from '../helpers/context.js';
import { isolation } from '../helpers/env.js';
import { eventually, useNamespace } from '../helpers/kube.js';
import { WidgetKind } from './widget-function.js';
import { RuntimeRig, createWidgets, installTestCrds, keyOf } from './harness.js';

test.before(async () => {
  await installTestCrds();
});

function startDispatcher(
  t: ExecutionContext,
  rig: RuntimeRig,
  spec: ControllerSpec,
  namespace: string,
): void {
  const d = new Dispatcher(
    {
      kube: adminClient(),
      enqueuer: rig.enqueuer,
      redis: rig.queues.connection,
      metrics: rig.metrics,
      log: createLogger({ level: 'silent' }),
    },
    [spec],
    { prefix: rig.prefix, namespace },
  );
  d.start();
  t.teardown(() => d.stop());
}

test('a forStream controller reconciles nothing until its store holds the first list, then each object once', async (t) => {
  const iso = isolation('s-ready');
  await useNamespace(t, iso.namespace);
  const rig = RuntimeRig.create(t, iso.queuePrefix);
  rig.worker();
  const refs = await createWidgets(iso.namespace, 3);
  const kube = adminClient();

  // The widgets' own watch, with the end of its first list held back until the test lets it go:
  // the listed objects are in the stream already, the store is not ready yet.
  let release!: () => void;
  const listDone = new Promise<void>((r) => (release = r));
  let listedObjects = 0;
  const held = new EventStream<KubeObject>((o) =>
    (async function* (): AsyncGenerator<WatchEvent<KubeObject>> {
      const inner = watcher(kube, WidgetKind, {
        namespace: iso.namespace,
        ...(o.signal ? { signal: o.signal } : {}),
      });
      for await (const ev of inner) {
        if (ev.type === 'initApply') listedObjects++;
        if (ev.type === 'initDone' && !store.ready) await listDone;
        yield ev;
      }
    })(),
  );
  const store = new ReflectorStore<KubeObject>();
  const spec = controller(WidgetKind).forStream(held.reflect(store).appliedObjects(), store).build();
  startDispatcher(t, rig, spec, iso.namespace);
  try {
    await eventually('the list to reach the stream', () => Promise.resolve(listedObjects === 3));
    await sleep(1500);
    t.false(store.ready);
    for (const ref of refs) t.is(await rig.probe.runs(keyOf(ref)), 0, `${ref.name} waits for the store`);
  } finally {
    release(); // also when an assertion fails: the dispatcher's stop waits for this stream
  }
  for (const ref of refs) {
    await eventually(`${ref.name} to be reconciled`, async () => (await rig.probe.runs(keyOf(ref))) === 1);
  }
  t.true(store.ready);
  t.is(store.size, 3);
  await sleep(500);
  t.is(await rig.probe.totalRuns(), 3, 'each held request became one reconcile');
});

test('a store resolves untilReady at its first list, and an abort resolves it false', async (t) => {
  const store = new ReflectorStore<KubeObject>();
  const stop = new AbortController();
  const aborted = store.untilReady(stop.signal);
  stop.abort();
  t.false(await aborted);
  const waiting = store.untilReady();
  store.apply({ type: 'init', resumed: false });
  store.apply({ type: 'initApply', object: { metadata: { name: 'a' } } });
  store.apply({ type: 'initDone' });
  t.true(await waiting);
  t.true(await store.untilReady(), 'at once once ready');
});

test('ownsStream drives reconciles of the owner from a prepared metadata watcher', async (t) => {
  const iso = isolation('s-owns');
  await useNamespace(t, iso.namespace);
  const rig = RuntimeRig.create(t, iso.queuePrefix);
  rig.worker();
  const kube = adminClient();
  const owned = metadataWatcher(kube, Builtin.ConfigMap, {
    namespace: iso.namespace,
    labelSelector: 'owned-by-widget',
  }).touchedObjects();
  t.true(owned.source?.metadataOnly, 'the prepared stream is a metadata watcher');
  const spec = controller(WidgetKind).ownsStream(owned).build();
  t.true(spec.watchPrimary, 'the widgets themselves are still watched');
  startDispatcher(t, rig, spec, iso.namespace);

  const [ref] = await createWidgets(iso.namespace, 1);
  if (!ref) throw new Error('no widget');
  await eventually(
    'the widget to be reconciled for itself',
    async () => (await rig.probe.runs(keyOf(ref))) === 1,
  );
  const widget = await kube.get(WidgetKind, iso.namespace, ref.name);
  if (!widget) throw new Error('the widget is gone');
  const cm = await kube.create<KubeObject>(Builtin.ConfigMap, {
    metadata: {
      name: 'child',
      namespace: iso.namespace,
      labels: { 'owned-by-widget': 'yes' },
      ownerReferences: [controllerRef(WidgetKind, widget)],
    },
    data: { a: '1' },
  });
  await eventually(
    'the owned ConfigMap to reconcile its owner',
    async () => (await rig.probe.runs(keyOf(ref))) === 2,
  );
  await kube.patch(Builtin.ConfigMap, iso.namespace, 'child', { data: { a: '2' } });
  await eventually(
    'a change of it to reconcile the owner again',
    async () => (await rig.probe.runs(keyOf(ref))) === 3,
  );
  await kube.delete(Builtin.ConfigMap, iso.namespace, 'child', { uid: cm.metadata.uid ?? '' });
  await eventually('its deletion too', async () => (await rig.probe.runs(keyOf(ref))) === 4);
  const unowned = await kube.create<KubeObject>(Builtin.ConfigMap, {
    metadata: { name: 'stranger', namespace: iso.namespace, labels: { 'owned-by-widget': 'no' } },
  });
  t.truthy(unowned.metadata.uid);
  await sleep(1500);
  t.is(await rig.probe.runs(keyOf(ref)), 4, 'an object without an owner reference triggers nothing');
});
