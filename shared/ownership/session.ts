/**
 * @module ownership/session
 * The ownership of one broker object during one reconcile pass, settled with as few API calls as
 * the pass allows:
 * - an object whose status says it owns the claim, and which changes nothing on the broker, makes
 *   no call at all (a converged pass writes nothing and reads no claim);
 * - before any change to the broker, {@link ClaimSession.confirm} reads the claim (one GET) unless
 *   this pass already took or read it, so a claim lost since the status was written is noticed
 *   before the broker is touched;
 * - an object that does not know itself the owner claims at once (one POST).
 */
import type { KubeClient } from '../../runtime/kube/client.js';
import { claimNameOf, type BrokerObject } from './broker-object.js';
import type { ClaimHolder } from './claim-kind.js';
import { acquireClaim, confirmClaim, markAdopted, type Ownership } from './claims.js';

export interface ClaimSessionOptions {
  /** The status says this object holds the claim and has used the broker object. */
  readonly believed: boolean;
  /**
   * This object has used the broker object before (its status names it). A claim made now is
   * then recorded as adopted: whether Sluice created the object under an earlier claim cannot be
   * known, and keeping a broker object is the safe side of that doubt.
   */
  readonly usedBefore: boolean;
}

export class ClaimSession {
  /** The claim's name. */
  readonly name: string;
  private known: Ownership | undefined;

  constructor(
    private readonly kube: KubeClient,
    readonly object: BrokerObject,
    readonly holder: ClaimHolder,
    private readonly opts: ClaimSessionOptions,
  ) {
    this.name = claimNameOf(object);
  }

  /** `believed` without a call when the status says so; otherwise the claim taken, or its holder. */
  async start(): Promise<Ownership | 'believed'> {
    if (this.opts.believed) return 'believed';
    this.known ??= await acquireClaim(this.kube, this.object, this.holder, this.opts.usedBefore);
    return this.known;
  }

  /** The ownership as the API server has it now; call before changing anything on the broker. */
  async confirm(): Promise<Ownership> {
    this.known ??= await confirmClaim(this.kube, this.object, this.holder, this.opts.usedBefore);
    return this.known;
  }

  /**
   * After a pass that found the broker object already there: records it as adopted in a claim
   * this object holds, unless this object had used it before (then the claim says so already).
   * @returns whether the claim now says adopted (false when unknown: only believed).
   */
  async settleAdoption(existed: boolean): Promise<boolean> {
    const known = this.known;
    if (known?.kind !== 'owner') return false;
    if (existed && !this.opts.usedBefore && !known.claim.spec.adopted) {
      this.known = { ...known, claim: await markAdopted(this.kube, known.claim) };
      return true;
    }
    return known.claim.spec.adopted;
  }
}
