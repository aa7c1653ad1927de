/**
 * @module ownership/watch
 * What makes a waiting object take over a broker object: the deletion of the claim it waits for
 * (its owner was deleted, made unmanaged, or moved away) reconciles every object whose
 * `status.claim` names that claim without holding it, at once rather than at the next resync.
 * Claims are watched metadata-only; their creation and changes trigger nothing.
 */
import { refOf } from '../../runtime/kube/object-ref.js';
import type { ResourceType } from '../../runtime/kube/resources.js';
import type { Mapper } from '../../runtime/controller/mappers.js';
import type { Predicate } from '../../runtime/controller/predicates.js';
import type { ControllerBuilder } from '../../runtime/controller/builder.js';
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

/** Adds the watch on BrokerClaims that a function wanting broker objects of `kind` declares. */
export function watchClaimReleases(c: ControllerBuilder, kind: ResourceType): ControllerBuilder {
  return c.watches(BrokerClaimType, claimWaiters(kind), { metadataOnly: true, predicate: noClaimChange });
}
