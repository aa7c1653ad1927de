/**
 * @module tanzu/claim
 * PersistentVolume-style binding between a ClusterStream and at most one Stream, as pure rules.
 *
 * `spec.claimRef` names the one Stream: `{namespace, name}` alone reserves the ClusterStream for
 * that Stream (an administrator's pre-binding); with `uid` it is bound to that exact Stream. A
 * Stream recreated under the same name has another UID and does not inherit the binding.
 *
 * Phases: Available (no claim, or only a reservation), Bound (the named Stream exists with that
 * UID and is not being deleted), Released (it is gone, recreated, or being deleted). Failed is set
 * by the reconciler when the topic cannot be provisioned or reclaimed.
 */
import { namespacedName } from '../../runtime/kube/keys.js';
import type { ClaimRefSpec, ClusterStream, ClusterStreamPhase } from './cluster-stream.js';

/** The Stream that wants (or holds) a ClusterStream. */
export interface StreamIdentity {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** What the ClusterStream reconciler found when it looked up its claimant. */
export interface ClaimantState {
  readonly uid: string;
  readonly deleting: boolean;
}

/** A complete claim reference. */
export interface BoundClaimRef {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** The binding phase, from the claim and the claimant's current state (`undefined`: it does not exist). */
export function bindingPhase(
  claimRef: ClaimRefSpec | undefined,
  claimant: ClaimantState | undefined,
): Exclude<ClusterStreamPhase, 'Failed'> {
  if (!claimRef?.name || !claimRef.uid) return 'Available';
  if (!claimant || claimant.uid !== claimRef.uid || claimant.deleting) return 'Released';
  return 'Bound';
}

/** What a Stream may do with a ClusterStream. */
export type ClaimDecision =
  | { readonly kind: 'bound' }
  | { readonly kind: 'claim'; readonly claimRef: BoundClaimRef }
  | {
      readonly kind: 'refused';
      readonly reason: 'ClusterStreamBound' | 'ClusterStreamReleased';
      readonly message: string;
    };

function named(ref: ClaimRefSpec): string {
  return namespacedName(ref.namespace, ref.name ?? '');
}

/**
 * Decides whether `stream` holds, may take, or may not take `cs`.
 * @example decideClaim(unclaimed, s) // { kind: 'claim', claimRef: { namespace, name, uid } }
 */
export function decideClaim(cs: ClusterStream, stream: StreamIdentity): ClaimDecision {
  const ref = cs.spec.claimRef;
  const csName = cs.metadata.name ?? '';
  const claimRef: BoundClaimRef = { namespace: stream.namespace, name: stream.name, uid: stream.uid };
  if (!ref?.name) return { kind: 'claim', claimRef };
  const same = ref.name === stream.name && (ref.namespace ?? '') === stream.namespace;
  if (same && ref.uid === stream.uid) return { kind: 'bound' };
  if (same && !ref.uid) return { kind: 'claim', claimRef };
  if (same) {
    return {
      kind: 'refused',
      reason: 'ClusterStreamReleased',
      message:
        `ClusterStream ${csName} was bound to an earlier Stream named ${named(ref)} (uid ${ref.uid ?? ''}) ` +
        `and is released (reclaimPolicy ${cs.spec.storage.reclaimPolicy}); a new Stream does not inherit it. ` +
        `An administrator can remove spec.claimRef to make it available again.`,
    };
  }
  return {
    kind: 'refused',
    reason: 'ClusterStreamBound',
    message: ref.uid
      ? `ClusterStream ${csName} is bound to Stream ${named(ref)}`
      : `ClusterStream ${csName} is reserved for Stream ${named(ref)}`,
  };
}
