/**
 * @module test/deploy/scope
 * Keeps a test's dispatcher to the test's own objects on the shared API server. The dispatcher
 * watches cluster-wide, as it does in production (so the RBAC it needs is exercised as is), but
 * only queues objects of the test's namespaces and cluster-scoped objects whose names start with
 * the test's prefix. Without this, a dispatcher in a test would queue every other test's objects
 * and its workers would reconcile them.
 *
 * The dispatcher runs with a scope (see `DispatchScope`): the kinds, and so the list and watch
 * calls the dispatcher makes, do not change; events on other objects trigger nothing, and no other
 * reference is enqueued.
 */
import type { DispatchScope } from '../../runtime/index.js';

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

/** The dispatcher scope of a test release. */
export function dispatchScope(scope: Scope): DispatchScope {
  return {
    objects: (obj) => inScope(scope, obj.metadata.namespace, obj.metadata.name),
    refs: (ref) => inScope(scope, ref.namespace, ref.name),
  };
}
