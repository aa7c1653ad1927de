/**
 * @module runtime/watch/stream
 * Composable watch streams, after kube-rs's `WatchStreamExt`:
 *
 * ```ts
 * watcher<Widget>(client, WidgetKind)
 *   .defaultBackoff()
 *   .modify(stripManagedFields)
 *   .reflect(store)
 *   .appliedObjects()
 *   .predicateFilter(generationChanged);
 * ```
 *
 * An {@link EventStream} carries {@link WatchEvent}s (what a reflector needs); `appliedObjects()`
 * and `touchedObjects()` decode it into an {@link ObjectStream} of objects (what a controller
 * needs). Each helper also exists as a plain function for à-la-carte use. Streams are lazy: the
 * watch starts when the stream is iterated, and each iteration opens its own watch.
 */
import { identityKey } from '../kube/keys.js';
import type { ResourceType } from '../kube/resources.js';
import type { KubeObject } from '../kube/types.js';
import type { Predicate } from '../controller/predicates.js';
import { defaultBackoffPolicy, type Backoff } from '../backoff.js';
import type { WatchEvent } from './events.js';
import type { ReflectorStore } from './reflector.js';

/** What a stream watches: its resource type and whether metadata only (RBAC and docs read it). */
export interface WatchSource {
  readonly type: ResourceType;
  readonly metadataOnly: boolean;
}

/** Settings a combinator can still pass down to the watcher before it starts. */
export interface StreamOverrides {
  /** What the underlying watcher watches (set by the watcher, carried through every combinator). */
  readonly source?: WatchSource;
  readonly backoff?: Backoff;
  /** Stops the watch (combined with the watcher's own signal). */
  readonly signal?: AbortSignal;
}

type Open<T> = (overrides: StreamOverrides) => AsyncIterable<T>;

/** An object from a decoded stream, with whether it was deleted. */
interface Touched<K> {
  readonly object: K;
  readonly deleted: boolean;
}

async function* mapEvents<K extends KubeObject>(
  source: AsyncIterable<WatchEvent<K>>,
  fn: (obj: K) => K,
): AsyncGenerator<WatchEvent<K>> {
  for await (const ev of source) {
    if (ev.type === 'apply' || ev.type === 'initApply' || ev.type === 'delete')
      yield { ...ev, object: fn(ev.object) };
    else yield ev;
  }
}

async function* reflectInto<K extends KubeObject>(
  source: AsyncIterable<WatchEvent<K>>,
  store: ReflectorStore<K>,
): AsyncGenerator<WatchEvent<K>> {
  for await (const ev of source) {
    store.apply(ev);
    yield ev;
  }
}

async function* decode<K extends KubeObject>(
  source: AsyncIterable<WatchEvent<K>>,
  withDeletes: boolean,
): AsyncGenerator<Touched<K>> {
  for await (const ev of source) {
    if (ev.type === 'apply' || ev.type === 'initApply') yield { object: ev.object, deleted: false };
    else if (ev.type === 'delete' && withDeletes) yield { object: ev.object, deleted: true };
  }
}

async function* filterByPredicate<K extends KubeObject>(
  source: AsyncIterable<Touched<K>>,
  predicate: Predicate<K>,
): AsyncGenerator<Touched<K>> {
  const last = new Map<string, K>();
  for await (const item of source) {
    const uid = identityKey(item.object);
    if (item.deleted) {
      last.delete(uid);
      yield item;
      continue;
    }
    const pass = predicate(last.get(uid), item.object);
    last.set(uid, item.object);
    if (pass) yield item;
  }
}

/** A stream of watch events. */
export class EventStream<K extends KubeObject = KubeObject> implements AsyncIterable<WatchEvent<K>> {
  constructor(
    private readonly open: Open<WatchEvent<K>>,
    private readonly overrides: StreamOverrides = {},
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent<K>> {
    return this.open(this.overrides)[Symbol.asyncIterator]();
  }

  /** Uses `policy` between retries after errors. */
  backoff(policy: Backoff): EventStream<K> {
    return new EventStream(this.open, { ...this.overrides, backoff: policy });
  }

  /** 0.8 s doubling to 30 s with jitter, reset after two healthy minutes (the watcher's default too). */
  defaultBackoff(): EventStream<K> {
    return this.backoff(defaultBackoffPolicy());
  }

  /** Rewrites every object before it goes on (for example to prune fields and save memory). */
  modify(fn: (obj: K) => K): EventStream<K> {
    const open = this.open;
    return new EventStream((o) => mapEvents(open(o), fn), this.overrides);
  }

  /** Keeps `store` in step with the events, and passes them on. */
  reflect(store: ReflectorStore<K>): EventStream<K> {
    const open = this.open;
    return new EventStream((o) => reflectInto(open(o), store), this.overrides);
  }

  /** Objects that were added or changed (including those of a re-list). */
  appliedObjects(): ObjectStream<K> {
    const open = this.open;
    return new ObjectStream((o) => decode(open(o), false), this.overrides);
  }

  /** Objects that were added, changed or deleted. */
  touchedObjects(): ObjectStream<K> {
    const open = this.open;
    return new ObjectStream((o) => decode(open(o), true), this.overrides);
  }
}

/** A stream of objects decoded from watch events. */
export class ObjectStream<K extends KubeObject = KubeObject> implements AsyncIterable<K> {
  constructor(
    private readonly open: Open<Touched<K>>,
    private readonly overrides: StreamOverrides = {},
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<K> {
    for await (const item of this.open(this.overrides)) yield item.object;
  }

  /** What the underlying watcher watches; `undefined` for a stream made another way. */
  get source(): WatchSource | undefined {
    return this.overrides.source;
  }

  /** The objects with whether each was deleted (what controllers consume); `signal` stops the watch. */
  touched(signal?: AbortSignal): AsyncIterable<Touched<K>> {
    return this.open(signal ? { ...this.overrides, signal } : this.overrides);
  }

  /**
   * Drops objects for which `predicate` says the change does not matter, comparing with the last
   * object seen with the same UID (a recreated object has a new UID and always passes). Deleted
   * objects always pass.
   */
  predicateFilter(predicate: Predicate<K>): ObjectStream<K> {
    const open = this.open;
    return new ObjectStream((o) => filterByPredicate(open(o), predicate), this.overrides);
  }

  modify(fn: (obj: K) => K): ObjectStream<K> {
    const open = this.open;
    return new ObjectStream(
      (o) =>
        (async function* () {
          for await (const item of open(o)) yield { ...item, object: fn(item.object) };
        })(),
      this.overrides,
    );
  }
}

export type { Touched };

/** Function forms, for composing without the fluent chain. */
export const defaultBackoff = <K extends KubeObject>(s: EventStream<K>): EventStream<K> => s.defaultBackoff();
export const modify = <K extends KubeObject>(s: EventStream<K>, fn: (obj: K) => K): EventStream<K> =>
  s.modify(fn);
export const appliedObjects = <K extends KubeObject>(s: EventStream<K>): ObjectStream<K> =>
  s.appliedObjects();
export const touchedObjects = <K extends KubeObject>(s: EventStream<K>): ObjectStream<K> =>
  s.touchedObjects();
export const predicateFilter = <K extends KubeObject>(s: ObjectStream<K>, p: Predicate<K>): ObjectStream<K> =>
  s.predicateFilter(p);
export const reflector = <K extends KubeObject>(
  store: ReflectorStore<K>,
  s: EventStream<K>,
): EventStream<K> => s.reflect(store);

/** Drops `managedFields` and the last-applied annotation: most of an object's size, and never needed here. */
export function stripManagedFields<K extends KubeObject>(obj: K): K {
  const { managedFields: _mf, ...metadata } = obj.metadata as K['metadata'] & { managedFields?: unknown };
  const annotations = metadata.annotations;
  if (annotations && 'kubectl.kubernetes.io/last-applied-configuration' in annotations) {
    const { 'kubectl.kubernetes.io/last-applied-configuration': _la, ...rest } = annotations;
    return { ...obj, metadata: { ...metadata, annotations: rest } };
  }
  return { ...obj, metadata };
}
