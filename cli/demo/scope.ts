/**
 * @module cli/demo/scope
 * Keeps the demo's Sluice to the demo's objects. The demo shares its API server with whatever
 * else runs there (other engineers' tests, another Sluice); an operator that took those objects
 * as its own would add finalizers to them and write their status.
 *
 * In scope: objects in the demo's namespaces, and cluster-scoped objects that carry the demo
 * label, are claimed by a Stream of a demo namespace, or were provisioned for one.
 *
 * How: each function's watch configuration is rewritten. The primary predicate also asks "in
 * scope?". Owned kinds become watched kinds with the owner mapper, because the dispatcher maps
 * the deletion of an owned object to its owner without asking a predicate, and only a mapper sees
 * deletions; every mapper then keeps only references into the scope. (A kind both owned and
 * watched becomes one watch whose mapper names both: the owner and the mapped objects.) The
 * worker side needs nothing: only the demo's dispatcher writes to the demo's queues.
 *
 * Two paths bypass predicates and mappers: the periodic resync (the demo sets its period to a
 * day) and the re-enqueue after Redis lost its data (which re-queues every cached object once).
 * The deletion of a primary object outside the scope is queued too, but its reconcile finds the
 * object gone and does nothing.
 */
import {
  and,
  defaultPrimaryPredicate,
  enqueueOwner,
  isRecord,
  kindKey,
  or,
  resourceVersionChanged,
  type KubeObject,
  type Mapper,
  type ObjectRef,
  type Predicate,
  type SluiceFunction,
  type StoreLookup,
  type WatchesSpec,
} from '../../shared/index.js';
import { PROVISIONED_FOR_ANNOTATION } from '../../shared/tanzu/index.js';
import { DEMO_LABEL, DEMO_LABEL_VALUE } from './examples.js';

/** Whether an object belongs to the demo whose namespaces are `namespaces`. */
export function inScope(obj: KubeObject, namespaces: readonly string[]): boolean {
  const { namespace, labels, annotations } = obj.metadata;
  if (namespace) return namespaces.includes(namespace);
  if (labels?.[DEMO_LABEL] === DEMO_LABEL_VALUE) return true;
  const claim = isRecord(obj.spec) && isRecord(obj.spec.claimRef) ? obj.spec.claimRef : undefined;
  if (typeof claim?.namespace === 'string' && namespaces.includes(claim.namespace)) return true;
  const provisionedFor = annotations?.[PROVISIONED_FOR_ANNOTATION];
  return namespaces.some((ns) => provisionedFor?.startsWith(`${ns}/`) === true);
}

/**
 * A mapper that ignores objects outside the scope and drops references that leave it. A reference
 * to a cluster-scoped object passes when the dispatcher's cache holds it in scope, or does not hold
 * it yet (it is about to be created by the demo's own objects).
 */
function scopedMapper(mapper: Mapper, namespaces: readonly string[]): Mapper {
  const refInScope = (ref: ObjectRef, stores: StoreLookup): boolean => {
    if (ref.namespace) return namespaces.includes(ref.namespace);
    const type = { group: ref.group, version: ref.version, kind: ref.kind, plural: '', namespaced: false };
    const cached = stores.get(type, undefined, ref.name);
    return cached === undefined || inScope(cached, namespaces);
  };
  return (obj, stores) =>
    inScope(obj, namespaces) ? mapper(obj, stores).filter((ref) => refInScope(ref, stores)) : [];
}

/** One watch per kind: owned kinds as owner-mapped watches, merged with a watch of the same kind. */
function watchesOf(fn: SluiceFunction): WatchesSpec[] {
  const merged = new Map<string, WatchesSpec>();
  const owned: WatchesSpec[] = (fn.watch.owns ?? []).map((o) => ({
    kind: o.kind,
    mapper: enqueueOwner(fn.kind),
    metadataOnly: true,
    predicate: o.predicate ?? resourceVersionChanged,
  }));
  for (const w of [...owned, ...(fn.watch.watches ?? [])]) {
    const key = kindKey(w.kind);
    const before = merged.get(key);
    const predicate = w.predicate ?? resourceVersionChanged;
    merged.set(
      key,
      before
        ? {
            kind: w.kind,
            mapper: (obj, stores) => [...before.mapper(obj, stores), ...w.mapper(obj, stores)],
            metadataOnly: (before.metadataOnly ?? false) && (w.metadataOnly ?? false),
            predicate: or(before.predicate ?? resourceVersionChanged, predicate),
          }
        : { ...w, predicate },
    );
  }
  return [...merged.values()];
}

/** `fn` with its watch configuration limited to the scope; its reconciler is unchanged. */
export function scoped(fn: SluiceFunction, namespaces: readonly string[]): SluiceFunction {
  const primary: Predicate = fn.watch.predicate ?? defaultPrimaryPredicate;
  return {
    ...fn,
    watch: {
      predicate: and((_old, cur) => inScope(cur, namespaces), primary),
      watches: watchesOf(fn).map((w) => ({ ...w, mapper: scopedMapper(w.mapper, namespaces) })),
    },
  };
}
