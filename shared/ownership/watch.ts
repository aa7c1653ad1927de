/**
 * @module ownership/watch
 * What makes a waiting object take over a broker object: the deletion of the claim it waits for
 * (its owner was deleted, made unmanaged, or moved away) reconciles every object whose
 * `status.claim` names that claim without holding it, at once rather than at the next resync.
 * Claims are watched metadata-only; their creation and changes trigger nothing. Light (no handler
 * code), so the dispatcher can load it.
 */
import { refOf } from '../kube/object-ref.js';
import type { ResourceType } from '../kube/resources.js';
import type { Mapper } from '../runtime/mappers.js';
import type { Predicate } from '../runtime/predicates.js';
import type { WatchesSpec } from '../runtime/registration.js';
import { BrokerClaimType } from './claim-kind.js';
import { claimStatusOf } from './claim-status.js';

/** Objects of `kind` (from the dispatcher's cache) that wait for the claim an event is about. */
export function claimWaiters(kind: ResourceType): Mapper {
  return (claim, stores) =>
    stores
      .list(kind)
      .filter((o) => {
        const c = claimStatusOf(o.status);
        return c !== undefined && !c.owner && c.name === claim.metadata.name;
      })
      .map((o) => refOf(kind, o));
}

/** A claim's creation or change: never a reason to reconcile (deletions always pass). */
export const noClaimChange: Predicate = () => false;

/** The watch on BrokerClaims that a function wanting broker objects of `kind` declares. */
export function claimReleasedWatch(kind: ResourceType): WatchesSpec {
  return { kind: BrokerClaimType, metadataOnly: true, mapper: claimWaiters(kind), predicate: noClaimChange };
}
