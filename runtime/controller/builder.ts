/**
 * @module runtime/controller/builder
 * The controller builder: which events reconcile which objects of a kind.
 *
 * ```ts
 * const spec = controller(StreamBusClusterKind)
 *   .owns(Builtin.StatefulSet)
 *   .watches(Builtin.Secret, enqueueMapped(secretToClusters))
 *   .withPredicate(generationChanged)
 *   .build();
 * ```
 *
 * The stream forms take a prepared watcher instead (`forStream`, `ownsStream`, `watchesStream`),
 * as kube-rs's do. Misuse (a second primary, a kind owned twice, a cluster-scoped kind owned by a
 * namespaced one...) is collected and reported once, by `build()`, as a {@link ConfigError}.
 */
import { ConfigError } from '../errors.js';
import { type ResourceType } from '../kube/resources.js';
import { kindKey } from '../kube/keys.js';
import { type KindInfo } from '../registry.js';
import { enqueueOwner, enqueueSelf, type Mapper } from './mappers.js';
import {
  defaultPrimaryPredicate,
  primaryPredicateFor,
  resourceVersionChanged,
  type Predicate,
} from './predicates.js';
import type { Store } from '../watch/reflector.js';
import type { ObjectStream } from '../watch/stream.js';

export interface OwnedSource {
  readonly kind: ResourceType;
  readonly predicate: Predicate;
}

export interface WatchedSource {
  readonly kind: ResourceType;
  readonly mapper: Mapper;
  readonly metadataOnly: boolean;
  readonly predicate: Predicate;
}

export interface StreamSource {
  readonly stream: ObjectStream;
  readonly mapper: Mapper;
  readonly role: 'primary' | 'owned' | 'watched';
}

/** A validated controller: what the dispatcher wires up. */
export interface ControllerSpec {
  readonly kind: KindInfo;
  /** Filter of the primary kind's own events (not used with `forStream`). */
  readonly predicate: Predicate;
  /** Whether the primary kind is watched by the dispatcher (false with `forStream`). */
  readonly watchPrimary: boolean;
  readonly owns: readonly OwnedSource[];
  readonly watches: readonly WatchedSource[];
  readonly streams: readonly StreamSource[];
  /** The store of a `forStream` primary, if any (resync reads it). */
  readonly primaryStore: Store | undefined;
}

export class ControllerBuilder {
  private predicate: Predicate = defaultPrimaryPredicate;
  private predicateSet = false;
  private finalizerName: string | undefined;
  private readonly owned: OwnedSource[] = [];
  private readonly watched: WatchedSource[] = [];
  private readonly streams: StreamSource[] = [];
  private primaryStore: Store | undefined;
  private readonly problems: string[] = [];

  constructor(private readonly kind: KindInfo) {}

  private seen(kind: ResourceType, what: 'owns' | 'watches'): void {
    const key = kindKey(kind);
    if (key === kindKey(this.kind))
      this.problems.push(`${what} ${key}: a kind cannot ${what === 'owns' ? 'own' : 'watch'} itself`);
    const list: readonly { kind: ResourceType }[] = what === 'owns' ? this.owned : this.watched;
    if (list.some((o) => kindKey(o.kind) === key)) this.problems.push(`${what} ${key} was declared twice`);
  }

  /** Reconcile the owner when an object of `kind` it owns changes (watched metadata-only). */
  owns(kind: ResourceType, opts: { predicate?: Predicate } = {}): this {
    this.seen(kind, 'owns');
    if (!kind.namespaced && this.kind.namespaced) {
      this.problems.push(
        `owns ${kindKey(kind)}: a cluster-scoped object cannot be owned by a namespaced ${this.kind.kind}`,
      );
    }
    this.owned.push({ kind, predicate: opts.predicate ?? resourceVersionChanged });
    return this;
  }

  /** Reconcile what `mapper` names when an object of `kind` changes. */
  watches(
    kind: ResourceType,
    mapper: Mapper,
    opts: { metadataOnly?: boolean; predicate?: Predicate } = {},
  ): this {
    this.seen(kind, 'watches');
    if (typeof mapper !== 'function')
      this.problems.push(`watches ${kindKey(kind)}: a mapper function is required`);
    this.watched.push({
      kind,
      mapper,
      metadataOnly: opts.metadataOnly ?? false,
      predicate: opts.predicate ?? resourceVersionChanged,
    });
    return this;
  }

  /**
   * The finalizer the function keeps on its objects. Its own addition is then not an event worth
   * a reconcile (the worker goes on with the patched object), unless a predicate is set.
   */
  finalizer(name: string | undefined): this {
    this.finalizerName = name;
    return this;
  }

  /** Filter of the primary kind's own events. @defaultValue generation, finalizers, deletion or annotations changed */
  withPredicate(predicate: Predicate): this {
    if (this.predicateSet) this.problems.push('withPredicate was called twice');
    this.predicateSet = true;
    this.predicate = predicate;
    return this;
  }

  /**
   * Uses a prepared stream of primary objects (already filtered) and its store, instead of a
   * watch. The stream must reflect into `store`: the dispatcher holds every reconcile request of
   * this controller (from any of its sources) until the store is populated, as kube-rs does.
   */
  forStream(stream: ObjectStream, store: Store): this {
    if (this.streams.some((s) => s.role === 'primary')) this.problems.push('forStream was called twice');
    this.streams.push({ stream, mapper: enqueueSelf(this.kind), role: 'primary' });
    this.primaryStore = store;
    return this;
  }

  /** Uses a prepared stream of owned objects (usually from a metadata watcher). */
  ownsStream(stream: ObjectStream): this {
    this.streams.push({ stream, mapper: enqueueOwner(this.kind), role: 'owned' });
    return this;
  }

  /** Uses a prepared stream of related objects, mapped to primaries by `mapper`. */
  watchesStream(stream: ObjectStream, mapper: Mapper): this {
    if (typeof mapper !== 'function') this.problems.push('watchesStream: a mapper function is required');
    this.streams.push({ stream, mapper, role: 'watched' });
    return this;
  }

  /** @throws ConfigError listing every misuse. */
  build(): ControllerSpec {
    const hasPrimaryStream = this.streams.some((s) => s.role === 'primary');
    if (hasPrimaryStream && this.predicateSet)
      this.problems.push('withPredicate has no effect with forStream: filter the stream itself');
    if (this.problems.length > 0) {
      throw new ConfigError(
        `controller for ${kindKey(this.kind)} is misconfigured: ${this.problems.join('; ')}`,
      );
    }
    return {
      kind: this.kind,
      predicate: this.predicateSet ? this.predicate : primaryPredicateFor(this.finalizerName),
      watchPrimary: !hasPrimaryStream,
      owns: [...this.owned],
      watches: [...this.watched],
      streams: [...this.streams],
      primaryStore: this.primaryStore,
    };
  }
}

/** Starts a controller for `kind`. */
export function controller(kind: KindInfo): ControllerBuilder {
  return new ControllerBuilder(kind);
}
