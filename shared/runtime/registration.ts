/**
 * @module runtime/registration
 * How a kind plugs into Sluice: its reconciler (run by the worker host) and its watch
 * configuration (run by the dispatcher). Each `functions/<kind>/index.ts` exports one
 * {@link FunctionRegistration}; the composition roots hand them to both sides.
 */
import { ConfigError } from '../errors.js';
import type { ResourceType } from '../kube/resources.js';
import type { KubeObject } from '../kube/types.js';
import type { KindInfo } from '../registry.js';
import type { ReconcileResult } from '../result.js';
import type { ReconcileContext } from './context.js';
import type { Mapper } from './mappers.js';
import type { Predicate } from './predicates.js';

/** A kind this kind owns: events on its objects reconcile their owner. Watched metadata-only. */
export interface OwnsSpec {
  readonly kind: ResourceType;
  /** @defaultValue every change (an owned object's status matters to its owner) */
  readonly predicate?: Predicate;
}

/** Another kind whose events map to objects of this kind. */
export interface WatchesSpec {
  readonly kind: ResourceType;
  readonly mapper: Mapper;
  /** Watch metadata only, when the mapper needs no more. @defaultValue false */
  readonly metadataOnly?: boolean;
  /** Keep a cache of the kind for mappers to read. @defaultValue true when not metadata-only */
  readonly predicate?: Predicate;
}

export interface WatchConfig {
  /** Filter for the kind's own events. @defaultValue `defaultPrimaryPredicate` */
  readonly predicate?: Predicate;
  readonly owns?: readonly OwnsSpec[];
  readonly watches?: readonly WatchesSpec[];
}

export interface FunctionRegistration<K extends KubeObject = KubeObject> {
  readonly kind: KindInfo;
  /**
   * Narrows the object read from the API server. Throws `TerminalError` for a spec that cannot
   * work (the worker sets `Ready=False` with its reason and does not retry).
   */
  readonly parse: (obj: KubeObject) => K;
  readonly reconcile: (obj: K, ctx: ReconcileContext) => Promise<ReconcileResult>;
  /**
   * Cleans up what lives outside Kubernetes. When set, the worker keeps {@link finalizer} on every
   * object and calls this once the object is being deleted; the finalizer is removed when it
   * returns `awaitChange()`. It must never wedge: a broker that is gone counts as cleaned up.
   */
  readonly finalize?: (obj: K, ctx: ReconcileContext) => Promise<ReconcileResult>;
  /** The finalizer name, required with `finalize`. */
  readonly finalizer?: string;
  /**
   * Whether the object needs {@link finalizer} now (it reads metadata only: it runs before
   * `parse`). When it answers false, none is added, and one already there is removed after a
   * successful reconcile, as for an object Sluice has let go of. @defaultValue always true
   */
  readonly keepsFinalizer?: (obj: KubeObject) => boolean;
  readonly watch: WatchConfig;
}

/**
 * A registration with its object type erased, as the runtime holds it: `parse` and the handlers
 * stay paired inside.
 */
export interface SluiceFunction {
  readonly kind: KindInfo;
  readonly watch: WatchConfig;
  readonly finalizer: string | undefined;
  /** Whether the object needs the finalizer now (see {@link FunctionRegistration.keepsFinalizer}). */
  keepsFinalizer(obj: KubeObject): boolean;
  /** Parses and reconciles. */
  reconcile(obj: KubeObject, ctx: ReconcileContext): Promise<ReconcileResult>;
  /** Parses and finalizes; `undefined` when the kind has no cleanup. */
  readonly finalize: ((obj: KubeObject, ctx: ReconcileContext) => Promise<ReconcileResult>) | undefined;
}

/**
 * What the dispatcher needs of a function: its kind, what triggers it, and its finalizer (whose
 * addition its primary predicate ignores). A {@link SluiceFunction} is one; each function also
 * declares it in a module of its own without the handler code, so that the dispatcher does not load
 * the broker clients and validators the handlers use.
 */
export type WatchRegistration = Pick<SluiceFunction, 'kind' | 'watch' | 'finalizer'>;

/**
 * Checks a registration and erases its object type.
 * @throws ConfigError when `finalize` and `finalizer` do not come together.
 */
export function defineFunction<K extends KubeObject>(r: FunctionRegistration<K>): SluiceFunction {
  if ((r.finalize === undefined) !== (r.finalizer === undefined)) {
    throw new ConfigError(`${r.kind.kind}.${r.kind.group}: finalize and finalizer must be given together`);
  }
  const finalize = r.finalize;
  return {
    kind: r.kind,
    watch: r.watch,
    finalizer: r.finalizer,
    keepsFinalizer: r.keepsFinalizer ?? (() => true),
    reconcile: (obj, ctx) => r.reconcile(r.parse(obj), ctx),
    finalize: finalize ? (obj, ctx) => finalize(r.parse(obj), ctx) : undefined,
  };
}
