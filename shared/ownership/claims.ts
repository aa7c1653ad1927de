/**
 * @module ownership/claims
 * Taking, checking and letting go of BrokerClaims: the one rule by which exactly one Kubernetes
 * object owns a broker object.
 *
 * The rule: **the first object whose claim the API server creates owns the broker object, until it
 * lets go** (it is deleted, made unmanaged, or moves to another broker), or until it no longer
 * exists (its UID is gone) and a waiting object evicts its claim. Guarantees:
 * 1. Race-free across any number of worker processes: the claim's name depends only on the broker
 *    object, and the API server creates one object per name (a second POST answers 409), whatever
 *    the timing, two creates in the same second included. No clock and no Redis is involved.
 * 2. An eviction deletes the claim with a UID and resourceVersion precondition, so it removes only
 *    the stale claim it examined, never one that a live object took in between.
 * 3. Ownership lives in the API server (etcd): it survives a Redis loss and worker restarts.
 *
 * Costs: a claim is one POST on an object's first pass (plus a JSON patch when it adopts an existing
 * broker object), a GET when an object that believes it owns is about to change the broker, a GET
 * and a DELETE when it lets go. Checking a holder that may be gone is one metadata GET.
 */
import { KubeApiError, RetryableError } from '../../runtime/errors.js';
import type { KubeClient } from '../../runtime/kube/client.js';
import { apiVersionOf, type ResourceType } from '../../runtime/kube/resources.js';
import type { KubeObject } from '../../runtime/kube/types.js';
import { sluiceRegistry } from '../kinds.js';
import { claimNameOf, type BrokerObject } from './broker-object.js';
import { asBrokerClaim, BrokerClaimType, type BrokerClaim, type ClaimHolder } from './claim-kind.js';

/** What a reconcile learnt about the broker object it wants. */
export type Ownership =
  | {
      readonly kind: 'owner';
      readonly claim: BrokerClaim;
      /** This call created the claim. */
      readonly made: boolean;
    }
  | {
      readonly kind: 'conflict';
      readonly name: string;
      /** Who holds the claim; `undefined` when the claim cannot be read as one. */
      readonly holder: ClaimHolder | undefined;
    };

/** How many times a claim may change under an acquisition before it gives up for this pass. */
const ATTEMPTS = 3;

/** The holder record of `obj`, an object of `type`. */
export function holderOf(type: ResourceType, obj: KubeObject): ClaimHolder {
  return {
    apiVersion: apiVersionOf(type),
    kind: type.kind,
    ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
    name: obj.metadata.name ?? '',
    uid: obj.metadata.uid ?? '',
  };
}

async function readClaim(kube: KubeClient, name: string): Promise<KubeObject | undefined> {
  return kube.get(BrokerClaimType, undefined, name);
}

/**
 * Whether the holder no longer exists (not found, or the name now belongs to another object).
 * A holder of a kind Sluice does not serve is never taken for gone.
 */
async function holderGone(kube: KubeClient, holder: ClaimHolder): Promise<boolean> {
  const type = sluiceRegistry().byApiVersion(holder.apiVersion, holder.kind);
  if (!type) return false;
  const current = await kube.get(type, holder.namespace, holder.name, { metadataOnly: true });
  return !current || current.metadata.uid !== holder.uid;
}

function claimBody(object: BrokerObject, holder: ClaimHolder, adopted: boolean): KubeObject {
  return {
    metadata: { name: claimNameOf(object), labels: { 'app.kubernetes.io/managed-by': 'sluice' } },
    spec: { protocol: object.protocol, broker: object.broker, object: object.name, holder, adopted },
  };
}

function isStatus(err: unknown, status: number): boolean {
  return err instanceof KubeApiError && err.status === status;
}

/**
 * Claims `object` for `holder`, or says who holds it. A claim whose holder is gone is evicted and
 * claimed again.
 * @param adopted recorded in a claim this call creates: whether the object is taken to exist already.
 * @throws RetryableError `ClaimContended` when the claim kept changing while it was read.
 */
export async function acquireClaim(
  kube: KubeClient,
  object: BrokerObject,
  holder: ClaimHolder,
  adopted: boolean,
): Promise<Ownership> {
  const name = claimNameOf(object);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      const made = asBrokerClaim(await kube.create(BrokerClaimType, claimBody(object, holder, adopted)));
      if (made) return { kind: 'owner', claim: made, made: true };
    } catch (err) {
      if (!isStatus(err, 409)) throw err;
    }
    const found = await readClaim(kube, name);
    if (!found) continue;
    const claim = asBrokerClaim(found);
    if (claim?.spec.holder.uid === holder.uid) return { kind: 'owner', claim, made: false };
    if (!claim || !(await holderGone(kube, claim.spec.holder)))
      return { kind: 'conflict', name, holder: claim?.spec.holder };
    try {
      await kube.delete(BrokerClaimType, undefined, name, {
        ...(found.metadata.uid ? { uid: found.metadata.uid } : {}),
        ...(found.metadata.resourceVersion ? { resourceVersion: found.metadata.resourceVersion } : {}),
      });
    } catch (err) {
      if (!isStatus(err, 409)) throw err;
    }
  }
  throw new RetryableError(
    'ClaimContended',
    `the BrokerClaim ${name} of ${object.what} kept changing while it was read; retrying`,
  );
}

/**
 * Checks, right before a change to the broker, that `holder` still owns `object` (one GET); when
 * its claim has gone, claims it again as {@link acquireClaim} does.
 */
export async function confirmClaim(
  kube: KubeClient,
  object: BrokerObject,
  holder: ClaimHolder,
  adopted: boolean,
): Promise<Ownership> {
  const found = await readClaim(kube, claimNameOf(object));
  const claim = found ? asBrokerClaim(found) : undefined;
  if (claim?.spec.holder.uid === holder.uid) return { kind: 'owner', claim, made: false };
  return acquireClaim(kube, object, holder, adopted);
}

/**
 * What `holderUid` owns under the claim `name`, read without claiming: the claim when it holds it,
 * `undefined` otherwise (no claim, or another holder's).
 */
export async function heldClaim(
  kube: KubeClient,
  name: string,
  holderUid: string,
): Promise<BrokerClaim | undefined> {
  const claim = await claimNamed(kube, name);
  return claim?.spec.holder.uid === holderUid ? claim : undefined;
}

/** The claim `name` as it is now; `undefined` when there is none (or it cannot be read as one). */
export async function claimNamed(kube: KubeClient, name: string): Promise<BrokerClaim | undefined> {
  const found = await readClaim(kube, name);
  return found ? asBrokerClaim(found) : undefined;
}

/**
 * Lets go of the claim `name` if `holderUid` holds it (a claim of another holder is left alone).
 * @returns whether a claim was deleted.
 */
export async function releaseClaim(kube: KubeClient, name: string, holderUid: string): Promise<boolean> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const claim = await heldClaim(kube, name, holderUid);
    if (!claim) return false;
    try {
      return await kube.delete(BrokerClaimType, undefined, name, {
        ...(claim.metadata.uid ? { uid: claim.metadata.uid } : {}),
        ...(claim.metadata.resourceVersion ? { resourceVersion: claim.metadata.resourceVersion } : {}),
      });
    } catch (err) {
      if (!isStatus(err, 409)) throw err;
    }
  }
  throw new RetryableError('ClaimContended', `the BrokerClaim ${name} kept changing while it was released`);
}

/**
 * Records in the claim that its object existed before the holder claimed it. Fenced by the claim's
 * resourceVersion, so a claim deleted and taken by another object in between is not touched (409,
 * or 404 when it is gone).
 */
export async function markAdopted(kube: KubeClient, claim: BrokerClaim): Promise<BrokerClaim> {
  if (claim.spec.adopted) return claim;
  const patched = await kube.fencedPatch(BrokerClaimType, claim, { spec: { adopted: true } });
  return asBrokerClaim(patched) ?? { ...claim, spec: { ...claim.spec, adopted: true } };
}

/**
 * Lets go of the claim `held` names when the object now wants another broker object (it moved to
 * another broker or store): that claim is no longer this object's to keep.
 */
export async function releaseMoved(
  kube: KubeClient,
  held: { readonly name: string; readonly owner: boolean } | undefined,
  wanted: string,
  holderUid: string,
): Promise<void> {
  if (held?.owner && held.name !== wanted) await releaseClaim(kube, held.name, holderUid);
}
