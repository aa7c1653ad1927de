/**
 * @module runtime/kube/owner
 * Owner references and the labels Sluice puts on every object it creates.
 */
import { apiVersionOf, type ResourceType } from './resources.js';
import type { KubeObject, OwnerReference } from './types.js';

/** A controller owner reference to `owner`, so the garbage collector deletes the child with it. */
export function controllerRef(type: ResourceType, owner: KubeObject): OwnerReference {
  return {
    apiVersion: apiVersionOf(type),
    kind: type.kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** A non-controller owner reference (several owners may share a child). */
export function ownerRef(type: ResourceType, owner: KubeObject): OwnerReference {
  return { ...controllerRef(type, owner), controller: false };
}

export const MANAGED_BY = 'app.kubernetes.io/managed-by';

/** The standard labels of an object Sluice manages for `instance`. */
export function managedLabels(name: string, instance: string, component?: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': instance,
    [MANAGED_BY]: 'sluice',
    ...(component ? { 'app.kubernetes.io/component': component } : {}),
  };
}
