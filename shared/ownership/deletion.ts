/**
 * @module ownership/deletion
 * Whether deleting a Kubernetes object (or releasing it with `reclaimPolicy: Delete`) may delete
 * its broker object. Pure; the caller reads the claim from the API server right before (never
 * from a status), so the answer reflects who owns the object now.
 *
 * Only in managed mode, only the claim's holder, and for an adopted broker object (it existed
 * before the holder claimed it) only with `sluice.io/delete-adopted: "true"`.
 */
import type { BrokerClaim } from './claim-kind.js';
import { holderText } from './claim-kind.js';
import { DELETE_ADOPTED_ANNOTATION, MANAGEMENT_ANNOTATION, type Management } from './management.js';

export type DeletionVerdict = { readonly delete: true } | { readonly delete: false; readonly why: string };

/**
 * @param claim the claim of the broker object as read now; `undefined` when there is none.
 * @param holderUid the UID of the object being deleted or released.
 */
export function deletionVerdict(
  claim: BrokerClaim | undefined,
  holderUid: string,
  management: Management,
): DeletionVerdict {
  if (management.mode !== 'managed')
    return { delete: false, why: `${MANAGEMENT_ANNOTATION} is ${management.mode}` };
  if (!claim) return { delete: false, why: 'no BrokerClaim records this object as its owner' };
  if (claim.spec.holder.uid !== holderUid)
    return { delete: false, why: `it is owned by ${holderText(claim.spec.holder)}` };
  if (claim.spec.adopted && !management.deleteAdopted) {
    return {
      delete: false,
      why: `it existed before this object adopted it (set ${DELETE_ADOPTED_ANNOTATION}: "true" to delete it too)`,
    };
  }
  return { delete: true };
}
