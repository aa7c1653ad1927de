/**
 * @module cli/demo/scope
 * Keeps the demo's Sluice to the demo's objects. The demo shares its API server with whatever
 * else runs there (other engineers' tests, another Sluice); an operator that took those objects
 * as its own would add finalizers to them and write their status.
 *
 * In scope: objects in the demo's namespaces, and cluster-scoped objects that carry the demo
 * label, are claimed by a Stream of a demo namespace, or were provisioned for one.
 *
 * How: the demo's dispatcher runs with a {@link DispatchScope}: an event on an object outside the
 * scope triggers nothing, and no reference outside it is enqueued, whatever enqueues it (an
 * event, a resync, a re-list). The worker side needs nothing: only the demo's dispatcher writes
 * to the demo's queues.
 */
import {
  isRecord,
  type DispatchScope,
  type KubeObject,
  type ObjectRef,
  type StoreLookup,
} from '../../runtime/index.js';
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
 * The demo's scope. A reference to a cluster-scoped object passes when the dispatcher's cache
 * holds it in scope, or does not hold it yet (it is about to be created by the demo's own objects).
 */
export function demoScope(namespaces: readonly string[]): DispatchScope {
  return {
    objects: (obj) => inScope(obj, namespaces),
    refs: (ref: ObjectRef, stores: StoreLookup) => {
      if (ref.namespace) return namespaces.includes(ref.namespace);
      const type = { group: ref.group, version: ref.version, kind: ref.kind, plural: '', namespaced: false };
      const cached = stores.get(type, undefined, ref.name);
      return cached === undefined || inScope(cached, namespaces);
    },
  };
}
