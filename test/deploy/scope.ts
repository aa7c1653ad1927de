/**
 * @module test/deploy/scope
 * Keeps a test's dispatcher to the test's own objects on the shared API server. The dispatcher
 * watches cluster-wide, as it does in production (so the RBAC it needs is exercised as is), but
 * only queues objects of the test's namespaces and cluster-scoped objects whose names start with
 * the test's prefix. Without this, a dispatcher in a test would queue every other test's objects
 * and its workers would reconcile them.
 *
 * Each function's primary predicate gets a scope check, and owned kinds become watches whose owner
 * mapper is filtered, like the watched kinds' mappers. The kinds, and so the list and watch calls
 * the dispatcher makes, do not change. A primary object's deletion is queued whatever the scope,
 * which is harmless: the worker finds the object gone.
 */
import {
  defaultPrimaryPredicate,
  enqueueOwner,
  kindKey,
  or,
  resourceVersionChanged,
  type KubeObject,
  type Mapper,
  type ObjectRef,
  type SluiceFunction,
  type WatchesSpec,
} from '../../shared/index.js';

export interface Scope {
  /** Namespaced objects of these namespaces are in scope. */
  readonly namespaces: readonly string[];
  /** Cluster-scoped objects whose names start with this are in scope. */
  readonly clusterPrefix: string;
}

/** Whether an object (or a reference) with this namespace and name is the test's. */
export function inScope(scope: Scope, namespace: string | undefined, name: string | undefined): boolean {
  return namespace ? scope.namespaces.includes(namespace) : (name ?? '').startsWith(scope.clusterPrefix);
}

function filtered(mapper: Mapper, scope: Scope): Mapper {
  return (obj, stores) =>
    mapper(obj, stores).filter((ref: ObjectRef) => inScope(scope, ref.namespace, ref.name));
}

/** `fn` with its dispatcher-side configuration limited to `scope`; its reconciler is unchanged. */
export function scopedFunction(fn: SluiceFunction, scope: Scope): SluiceFunction {
  const primary = fn.watch.predicate ?? defaultPrimaryPredicate;
  const watches = new Map<string, WatchesSpec>();
  for (const w of fn.watch.watches ?? []) {
    watches.set(kindKey(w.kind), { ...w, mapper: filtered(w.mapper, scope) });
  }
  // Owned kinds become watches (an owned object's deletion is queued without a predicate, so
  // only a mapper can filter it); a kind both owned and watched gets both mappers.
  for (const o of fn.watch.owns ?? []) {
    const owner = enqueueOwner(fn.kind);
    const ownsPredicate = o.predicate ?? resourceVersionChanged;
    const both = watches.get(kindKey(o.kind));
    watches.set(
      kindKey(o.kind),
      both
        ? {
            ...both,
            mapper: filtered((obj, stores) => [...owner(obj, stores), ...both.mapper(obj, stores)], scope),
            predicate: or(ownsPredicate, both.predicate ?? resourceVersionChanged),
          }
        : { kind: o.kind, metadataOnly: true, mapper: filtered(owner, scope), predicate: ownsPredicate },
    );
  }
  return {
    ...fn,
    watch: {
      predicate: (old: KubeObject | undefined, cur: KubeObject) =>
        inScope(scope, cur.metadata.namespace, cur.metadata.name) && primary(old, cur),
      owns: [],
      watches: [...watches.values()],
    },
  };
}

/** Every function of `fns`, scoped. */
export function scopedFunctions(fns: readonly SluiceFunction[], scope: Scope): SluiceFunction[] {
  return fns.map((fn) => scopedFunction(fn, scope));
}
