/**
 * @module runtime/kube/object-ref
 * Object references: what a job carries instead of the object. Keys built from them (the job
 * key, display names) are in `keys.ts`.
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

/** The reference of an object of a known type. */
export function refOf(type: ResourceType, obj: KubeObject): ObjectRef {
  const name = obj.metadata.name ?? '';
  const base = { group: type.group, version: type.version, kind: type.kind, name };
  const withNs =
    type.namespaced && obj.metadata.namespace ? { ...base, namespace: obj.metadata.namespace } : base;
  return obj.metadata.uid ? { ...withNs, uid: obj.metadata.uid } : withNs;
}
