/**
 * @module runtime/controller/mappers
 * Mappers turn an event on some object into the references of the objects to reconcile. There are
 * exactly three: the object itself, its owner, or any function of the object (with read access to
 * the dispatcher's caches). A mapper's results are de-duplicated per event.
 */
import { jobKey } from '../kube/keys.js';
import { refOf, type ObjectRef } from '../kube/object-ref.js';
import { parseApiVersion, type ResourceType } from '../kube/resources.js';
import type { KubeObject } from '../kube/types.js';

/** Read access to the dispatcher's caches of watched kinds. */
export interface StoreLookup {
  list(kind: ResourceType): readonly KubeObject[];
  get(kind: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined;
}

export type Mapper = (obj: KubeObject, stores: StoreLookup) => readonly ObjectRef[];

/** Reconcile the object itself. */
export function enqueueSelf(kind: ResourceType): Mapper {
  return (obj) => (obj.metadata.name ? [refOf(kind, obj)] : []);
}

/**
 * Reconcile the object's owner of kind `owner`, found in its ownerReferences (controller or not).
 * A namespaced owner lives in the object's namespace.
 */
export function enqueueOwner(owner: ResourceType): Mapper {
  return (obj) =>
    (obj.metadata.ownerReferences ?? [])
      .filter((r) => r.kind === owner.kind && parseApiVersion(r.apiVersion).group === owner.group)
      .map((r) => ({
        group: owner.group,
        version: owner.version,
        kind: owner.kind,
        name: r.name,
        uid: r.uid,
        ...(owner.namespaced && obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
      }));
}

/** Reconcile whatever `fn` names. */
export function enqueueMapped(fn: Mapper): Mapper {
  return fn;
}

/** Removes duplicate references (same job key), keeping the first. */
export function uniqueRefs(refs: readonly ObjectRef[]): ObjectRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const k = jobKey(r);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
