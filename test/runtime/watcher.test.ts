/**
 * The watch building blocks à la carte (the seed's kube-rs API): watcher and metadata watcher
 * event streams, the fluent helpers, the reflector store, predicates keyed by UID, and the
 * controller builder with its misuse reports and stream forms.
 */
import test from 'ava';
import { controller } from '../../runtime/controller/builder.js';
import { Dispatcher } from '../../runtime/dispatcher/dispatcher.js';
import { SourceHub } from '../../runtime/dispatcher/hub.js';
import { ReflectorStore } from '../../runtime/watch/reflector.js';
import { metadataWatcher, watcher } from '../../runtime/watch/watcher.js';
import type { WatchEvent } from '../../runtime/watch/events.js';
import {
  Builtin,
  ConfigError,
  createLogger,
  enqueueMapped,
  generationChanged,
  and,
  not,
  labelsChanged,
  or,
  KubeClient,
  type KubeList,
  type KubeObject,
  type ListOptions,
  type ResourceType,
} from '../../runtime/index.js';
import { ClusterStreamKind } from '../../shared/index.js';
import { adminClient } from '../helpers/context.js';
import { isolation } from '../helpers/env.js';
import { eventually, useNamespace } from '../helpers/kube.js';
import { WidgetKind, widgetFunction } from './widget-function.js';
import { RuntimeRig, createWidgets, installTestCrds, keyOf } from './harness.js';

test.before(async () => {
  await installTestCrds();
});

/** Collects the first `n` items of a stream, then stops it. */
async function take<T>(stream: AsyncIterable<T>, n: number, signal: AbortController): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) {
    out.push(item);
    if (out.length >= n) break;
  }
  signal.abort();
  return out;
}

test('a watcher brackets its list with init and initDone, then yields applies and deletes', async (t) => {
  const { namespace } = isolation('w-events');
  await useNamespace(t, namespace);
  await createWidgets(namespace, 2);
  const stop = new AbortController();
  t.teardown(() => stop.abort());
  const seen: string[] = [];
  const done = (async () => {
    for await (const ev of watcher(adminClient(), WidgetKind, {
      namespace,
      signal: stop.signal,
    }).defaultBackoff()) {
      seen.push(
        ev.type === 'init' || ev.type === 'initDone'
          ? ev.type
          : `${ev.type}:${ev.object.metadata.name ?? ''}`,
      );
      if (seen.includes('delete:w-0')) break;
    }
  })();
  await eventually('the list', () => Promise.resolve(seen.includes('initDone')));
  await adminClient().delete(WidgetKind, namespace, 'w-0');
  await done;
  t.deepEqual(seen.slice(0, 4).sort(), ['init', 'initApply:w-0', 'initApply:w-1', 'initDone'].sort());
  t.is(seen[0], 'init');
  t.is(seen[3], 'initDone');
  t.true(seen.includes('delete:w-0'));
});

test('a metadata watcher of a kind with no objects lists nothing and keeps watching', async (t) => {
  const { namespace } = isolation('w-empty');
  await useNamespace(t, namespace);
  const stop = new AbortController();
  const events = await take(
    metadataWatcher(adminClient(), Builtin.NetworkPolicy, { namespace, signal: stop.signal }),
    2,
    stop,
  );
  t.deepEqual(
    events.map((e) => e.type),
    ['init', 'initDone'],
  );
});

test('a metadata watcher yields objects with metadata only', async (t) => {
  const { namespace } = isolation('w-meta');
  await useNamespace(t, namespace);
  await createWidgets(namespace, 1);
  const stop = new AbortController();
  const objects = await take(
    metadataWatcher(adminClient(), WidgetKind, { namespace, signal: stop.signal }).appliedObjects(),
    1,
    stop,
  );
  t.is(objects[0]?.metadata.name, 'w-0');
  t.is(objects[0]?.kind, 'PartialObjectMetadata');
  t.is(objects[0]?.spec, undefined);
});

test('modify, reflect, appliedObjects and predicateFilter compose: status writes are filtered, the store stays whole', async (t) => {
  const { namespace } = isolation('w-compose');
  await useNamespace(t, namespace);
  await createWidgets(namespace, 1);
  const store = new ReflectorStore<KubeObject>();
  const stop = new AbortController();
  t.teardown(() => stop.abort());
  const passed: number[] = [];
  const stream = watcher(adminClient(), WidgetKind, { namespace, signal: stop.signal })
    .defaultBackoff()
    .modify((o) => ({
      ...o,
      metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, modified: 'yes' } },
    }))
    .reflect(store)
    .appliedObjects()
    .predicateFilter(generationChanged);
  const done = (async () => {
    for await (const o of stream) {
      passed.push(o.metadata.generation ?? 0);
      if ((o.metadata.generation ?? 0) >= 2) break;
    }
  })();
  await eventually('the first object', () => Promise.resolve(passed.length === 1));
  const kube = adminClient();
  const w = await kube.get(WidgetKind, namespace, 'w-0');
  if (!w) throw new Error('gone');
  await kube.writeStatus(WidgetKind, w, { size: 1 });
  await eventually('the status write to reach the store', () =>
    Promise.resolve((store.get(namespace, 'w-0')?.status as { size?: number } | undefined)?.size === 1),
  );
  await kube.patch(WidgetKind, namespace, 'w-0', { spec: { size: 9 } });
  await done;
  t.deepEqual(passed, [1, 2], 'the status-only change did not pass');
  t.is(store.get(namespace, 'w-0')?.metadata.annotations?.modified, 'yes');
  t.true(store.ready);
});

test('predicates compose and key on the UID: a recreated object passes even with the same generation', (t) => {
  const obj = (uid: string, generation: number, labels: Record<string, string> = {}): KubeObject => ({
    metadata: { uid, name: 'x', generation, labels },
  });
  t.false(generationChanged(obj('a', 1), obj('a', 1)));
  t.true(generationChanged(undefined, obj('b', 1)), 'a new UID has no previous object');
  t.true(or(generationChanged, labelsChanged)(obj('a', 1), obj('a', 1, { x: 'y' })));
  t.false(and(generationChanged, labelsChanged)(obj('a', 1), obj('a', 1, { x: 'y' })));
  t.true(not(generationChanged)(obj('a', 1), obj('a', 1)));
});

test('the controller builder reports every misuse when it is built', (t) => {
  const err = t.throws(
    () =>
      controller(WidgetKind)
        .owns(Builtin.ConfigMap)
        .owns(Builtin.ConfigMap)
        .owns(WidgetKind)
        .owns(ClusterStreamKind)
        .withPredicate(generationChanged)
        .withPredicate(generationChanged)
        .build(),
    { instanceOf: ConfigError },
  );
  t.regex(err?.message ?? '', /owns core\/ConfigMap was declared twice/);
  t.regex(err?.message ?? '', /cannot own itself/);
  t.regex(err?.message ?? '', /cluster-scoped object cannot be owned by a namespaced Widget/);
  t.regex(err?.message ?? '', /withPredicate was called twice/);
  t.notThrows(() =>
    controller(WidgetKind)
      .owns(Builtin.ConfigMap)
      .watches(
        Builtin.ConfigMap,
        enqueueMapped(() => []),
      )
      .build(),
  );
});

test('the stream forms take prepared watchers: forStream and watchesStream drive reconciles', async (t) => {
  const iso = isolation('w-streams');
  await useNamespace(t, iso.namespace);
  const rig = RuntimeRig.create(t, iso.queuePrefix);
  rig.worker();
  const kube = adminClient();
  const store = new ReflectorStore<KubeObject>();
  const main = watcher(kube, WidgetKind, { namespace: iso.namespace })
    .reflect(store)
    .appliedObjects()
    .predicateFilter(generationChanged);
  const configMaps = metadataWatcher(kube, Builtin.ConfigMap, {
    namespace: iso.namespace,
    labelSelector: 'widget',
  }).touchedObjects();
  const spec = controller(WidgetKind)
    .forStream(main, store)
    .watchesStream(
      configMaps,
      enqueueMapped((cm) => {
        const name = cm.metadata.labels?.widget;
        return name
          ? [
              {
                group: WidgetKind.group,
                version: WidgetKind.version,
                kind: WidgetKind.kind,
                namespace: iso.namespace,
                name,
              },
            ]
          : [];
      }),
    )
    .build();
  t.false(spec.watchPrimary);
  const d = new Dispatcher(
    {
      kube,
      enqueuer: rig.enqueuer,
      redis: rig.queues.connection,
      metrics: rig.metrics,
      log: createLogger({ level: 'silent' }),
    },
    [spec],
    {
      prefix: rig.prefix,
      namespace: iso.namespace,
    },
  );
  d.start();
  t.teardown(() => d.stop());
  const [ref] = await createWidgets(iso.namespace, 1);
  if (!ref) throw new Error('no widget');
  await eventually(
    'the forStream object to be reconciled',
    async () => (await rig.probe.runs(keyOf(ref))) === 1,
  );
  await kube.create(Builtin.ConfigMap, {
    metadata: { name: 'points-at-w0', namespace: iso.namespace, labels: { widget: ref.name } },
  });
  await eventually(
    'the watchesStream mapping to reconcile it',
    async () => (await rig.probe.runs(keyOf(ref))) === 2,
  );
  t.is(widgetFunction(rig.probe).kind.kind, 'Widget');
});

test('the watch event union is closed', (t) => {
  const kinds = (ev: WatchEvent): string => {
    switch (ev.type) {
      case 'init':
      case 'initDone':
        return ev.type;
      case 'initApply':
      case 'apply':
      case 'delete':
        return `${ev.type}:${ev.object.metadata.name ?? ''}`;
    }
  };
  t.is(kinds({ type: 'apply', object: { metadata: { name: 'a' } } }), 'apply:a');
});

/** A client whose LISTs wait until `gate` resolves (its watches do not). */
class GatedLists extends KubeClient {
  constructor(
    inner: KubeClient,
    private readonly gate: Promise<void>,
  ) {
    super(inner.rest);
  }

  override async list<K extends KubeObject = KubeObject>(
    type: ResourceType,
    namespace?: string,
    opts?: ListOptions,
  ): Promise<KubeList<K>> {
    await this.gate;
    return super.list<K>(type, namespace, opts);
  }
}

test('a resumed watcher opens its watch before its list: changes made while stopped arrive first, and the cache ends whole', async (t) => {
  const { namespace } = isolation('w-resume');
  await useNamespace(t, namespace);
  await createWidgets(namespace, 3);
  const kube = adminClient();
  const saved = (await kube.list(WidgetKind, namespace)).metadata.resourceVersion ?? '';
  await kube.patch(WidgetKind, namespace, 'w-0', { spec: { size: 100 } });
  await kube.delete(WidgetKind, namespace, 'w-1');
  await kube.create<KubeObject>(WidgetKind, { metadata: { name: 'w-9', namespace }, spec: { size: 9 } });

  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const stop = new AbortController();
  t.teardown(() => stop.abort());
  const store = new ReflectorStore<KubeObject>();
  const seen: string[] = [];
  const consume = (async () => {
    for await (const ev of watcher(new GatedLists(kube, gate), WidgetKind, {
      namespace,
      resumeFrom: saved,
      signal: stop.signal,
    }).reflect(store)) {
      seen.push(
        ev.type === 'init'
          ? `init:${ev.resumed ? 'resumed' : 'fresh'}`
          : ev.type === 'initDone'
            ? ev.type
            : `${ev.type}:${ev.object.metadata.name ?? ''}`,
      );
      // The list is held back until the watch has delivered every change: a watcher that
      // listed before watching would never get here.
      if (['apply:w-0', 'delete:w-1', 'apply:w-9'].every((e) => seen.includes(e))) open();
      if (ev.type === 'initDone') break;
    }
  })();
  const timedOut = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000).unref());
  t.not(await Promise.race([consume.then(() => 'done' as const), timedOut]), 'timeout', JSON.stringify(seen));
  stop.abort();

  t.is(seen[0], 'init:resumed');
  t.is(seen.at(-1), 'initDone');
  t.deepEqual(
    seen.filter((e) => e.startsWith('initApply')),
    ['initApply:w-2'],
    'the list leaves out what the watch already delivered',
  );
  t.deepEqual(
    store
      .list()
      .map((o) => o.metadata.name)
      .sort(),
    ['w-0', 'w-2', 'w-9'],
  );
  t.is((store.get(namespace, 'w-0')?.spec as { size?: number } | undefined)?.size, 100);
  t.true(store.ready);
});

test('watch events inside a list bracket reach both the live cache and the bracket', (t) => {
  const obj = (name: string, rv: string): KubeObject => ({
    metadata: { name, namespace: 'n', uid: name, resourceVersion: rv },
  });
  const store = new ReflectorStore<KubeObject>();
  store.apply({ type: 'init', resumed: false });
  store.apply({ type: 'initApply', object: obj('a', '1') });
  store.apply({ type: 'initApply', object: obj('b', '1') });
  t.deepEqual(store.apply({ type: 'initDone' }), []);
  store.apply({ type: 'init', resumed: true });
  store.apply({ type: 'apply', object: obj('c', '5') });
  store.apply({ type: 'delete', object: obj('b', '6') });
  t.is(store.get('n', 'c')?.metadata.resourceVersion, '5', 'the live cache has the event at once');
  store.apply({ type: 'initApply', object: obj('a', '2') });
  t.deepEqual(store.apply({ type: 'initDone' }), []);
  t.deepEqual(
    store
      .list()
      .map((o) => `${o.metadata.name ?? ''}@${o.metadata.resourceVersion ?? ''}`)
      .sort(),
    ['a@2', 'c@5'],
  );
});

test('a kind watched in full and metadata-only gets one shared source that serves both', (t) => {
  const hub = new SourceHub();
  const owned = hub.source(WidgetKind, true);
  const calls: string[] = [];
  owned.subscribe(() => calls.push('metadata'));
  const full = hub.source(WidgetKind, false);
  full.subscribe(() => calls.push('full'));
  t.is(hub.source(WidgetKind, true), full);
  t.deepEqual(
    hub.all().map((s) => s.key),
    [full.key],
  );
  t.false(full.metadataOnly);
  t.not(hub.source(Builtin.ConfigMap, true), full);
  t.is(hub.all().length, 2);
  t.deepEqual(calls, []);
});
