/**
 * @module ownership/claim-status
 * `status.claim` of an object that wants a broker object: the claim's name, whether this object
 * holds it, and who does. It is how a converged owner skips reading its claim (it changes nothing
 * on the broker without reading it first), and how the dispatcher finds the objects waiting for a
 * claim that goes. Pure.
 */
import { isRecord } from '../../runtime/util.js';

export interface ClaimStatus {
  /** The BrokerClaim of the broker object. */
  readonly name: string;
  /** This object holds the claim: it owns the broker object. */
  readonly owner: boolean;
  /** The holder, for people (`ClusterStream orders`). */
  readonly holder: string;
}

/** Reads `status.claim` loosely. */
export function claimStatusOf(status: unknown): ClaimStatus | undefined {
  const raw = isRecord(status) ? status.claim : undefined;
  if (!isRecord(raw) || typeof raw.name !== 'string') return undefined;
  return {
    name: raw.name,
    owner: raw.owner === true,
    holder: typeof raw.holder === 'string' ? raw.holder : '',
  };
}
