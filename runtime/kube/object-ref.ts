/**
 * @module runtime/kube/object-ref
 * Object references: what a job carries instead of the object, and the one place where the job
 * key (the per-object identity used for deduplication) is built.
 */
import type { KubeObject } from './types.js';
import type { ResourceType } from './resources.js';

/** Identifies one object. `uid` is informative: the worker reconciles whatever object now has the name. */
export interface ObjectRef {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly uid?: string;
}

/**
 * The deterministic key of an object: `group/Kind/namespace/name`, with `_` for the namespace
 * of cluster-scoped objects and `core` for the core group. It is the deduplication id of the
 * object's jobs, so it must never change shape.
 */
export function jobKey(ref: Pick<ObjectRef, 'group' | 'kind' | 'namespace' | 'name'>): string {
  return `${ref.group || 'core'}/${ref.kind}/${ref.namespace ?? '_'}/${ref.name}`;
}

/** The reference of an object of a known type. */
export function refOf(type: ResourceType, obj: KubeObject): ObjectRef {
  const name = obj.metadata.name ?? '';
  const base = { group: type.group, version: type.version, kind: type.kind, name };
  const withNs =
    type.namespaced && obj.metadata.namespace ? { ...base, namespace: obj.metadata.namespace } : base;
  return obj.metadata.uid ? { ...withNs, uid: obj.metadata.uid } : withNs;
}

/** `namespace/name` or `name`, for logs and messages. */
export function displayName(ref: Pick<ObjectRef, 'namespace' | 'name'>): string {
  return ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
}
