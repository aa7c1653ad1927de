/**
 * @module functions/cluster-stream/finalize
 * What happens to the topic when a ClusterStream is deleted: `reclaimPolicy: Retain` (the
 * default) keeps it; `Delete` removes it from the broker before the finalizer goes, if this
 * ClusterStream owns it right now (its BrokerClaim, read at that moment, names it), is in managed
 * mode, and created the topic (an adopted topic needs `sluice.io/delete-adopted: "true"`). A topic
 * that is kept gets a `TopicKept` Event saying why. Every path lets go of the claim, so that a
 * ClusterStream waiting for the topic takes it over.
 *
 * Guarantees (the finalizer never wedges a deletion):
 * 1. A topic that is already gone counts as deleted.
 * 2. The annotation `sluice.io/force-delete` lets the deletion finish at once, without touching
 *    the broker; a Warning Event `ForceDeleted` says the topic may remain.
 * 3. A broker that cannot be reached (or whose binding Secret is gone) is retried every
 *    {@link RETRY_MS} at most, for {@link BROKER_GONE_AFTER_MS} counted from the deletion
 *    request; after that the deletion finishes with a Warning Event `BrokerGone`.
 * 4. A spec or binding that cannot work (terminal) cannot be cleaned up either: the deletion
 *    finishes with a Warning Event `TopicNotDeleted`.
 */
import {
  TerminalError,
  awaitChange,
  findCondition,
  messageOf,
  requeueAfter,
  type ReconcileResult,
} from '../../runtime/index.js';
import {
  claimNameOf,
  claimNamed,
  claimStatusOf,
  deletionVerdict,
  managementOf,
  releaseClaim,
  type BrokerSettingsDriftContext,
} from '../../shared/index.js';
import { FORCE_DELETE_ANNOTATION, type ClusterStream } from '../../shared/index.js';
import { connectionFor, deleteTopic, describeTopic } from './broker.js';
import { brokerObjectOf } from './ownership.js';
import { planTopic } from './spec.js';

/** How long a broker may stay unreachable before a deletion gives up on its topic. */
export const BROKER_GONE_AFTER_MS = 5 * 60_000;

/** The longest wait between two attempts to delete the topic of a ClusterStream being deleted. */
export const RETRY_MS = 15_000;

export interface FinalizeOptions {
  /** @defaultValue {@link BROKER_GONE_AFTER_MS} */
  readonly brokerGoneAfterMs?: number;
}

/** Lets go of the claim the status says this ClusterStream holds (another holder's is left alone). */
async function releaseOwn(
  cs: ClusterStream,
  ctx: BrokerSettingsDriftContext,
  except?: string,
): Promise<void> {
  const claim = claimStatusOf(cs.status);
  if (claim?.owner && claim.name !== except) await releaseClaim(ctx.kube, claim.name, cs.metadata.uid ?? '');
}

/**
 * Deletes the topic when this ClusterStream may (see `shared/ownership/deletion.ts`), records why
 * not otherwise, and releases the claim.
 */
async function deleteOwnedTopic(cs: ClusterStream, ctx: BrokerSettingsDriftContext): Promise<void> {
  const uid = cs.metadata.uid ?? '';
  const plan = planTopic(cs, ctx.config);
  const what = describeTopic(plan);
  const management = managementOf(cs);
  if (management.mode !== 'managed') {
    await ctx.event(
      'Normal',
      'TopicKept',
      `${what} was not deleted: sluice.io/management is ${management.mode}`,
    );
    return releaseOwn(cs, ctx);
  }
  const connection = await connectionFor(plan, ctx);
  const object = await brokerObjectOf(plan, connection, ctx);
  const name = claimNameOf(object);
  const claim = await claimNamed(ctx.kube, name);
  const verdict = deletionVerdict(claim, uid, management);
  if (verdict.delete) {
    const deleted = await deleteTopic(plan, connection, ctx);
    await ctx.event(
      'Normal',
      'TopicDeleted',
      deleted ? `deleted ${what} (reclaimPolicy Delete)` : `${what} was already gone`,
    );
  } else {
    await ctx.event('Warning', 'TopicKept', `${what} was not deleted: ${verdict.why}`);
  }
  if (claim?.spec.holder.uid === uid) await releaseClaim(ctx.kube, name, uid);
  await releaseOwn(cs, ctx, name);
}

/**
 * The finalize step of the ClusterStream function, with its time limit.
 * @example defineFunction({ ...registration, finalize: makeFinalize({ brokerGoneAfterMs: 1000 }) })
 */
export function makeFinalize(
  opts: FinalizeOptions = {},
): (cs: ClusterStream, ctx: BrokerSettingsDriftContext) => Promise<ReconcileResult> {
  const goneAfter = opts.brokerGoneAfterMs ?? BROKER_GONE_AFTER_MS;
  return async function finalize(cs, ctx) {
    // Retain keeps the topic; a ClusterStream reclaimed already (released with Delete) has done
    // what its policy asks.
    if (
      cs.spec.storage.reclaimPolicy !== 'Delete' ||
      findCondition(cs.status, 'Ready')?.reason === 'Released'
    ) {
      await releaseOwn(cs, ctx);
      return awaitChange();
    }
    if (cs.metadata.annotations?.[FORCE_DELETE_ANNOTATION] !== undefined) {
      await ctx.event(
        'Warning',
        'ForceDeleted',
        `deleted with ${FORCE_DELETE_ANNOTATION}: the topic ${cs.spec.name} was not deleted from the broker and may remain`,
      );
      await releaseOwn(cs, ctx);
      return awaitChange();
    }
    const what = `topic ${cs.spec.name}`;
    try {
      await deleteOwnedTopic(cs, ctx);
      return awaitChange();
    } catch (err) {
      if (err instanceof TerminalError) {
        await ctx.event(
          'Warning',
          'TopicNotDeleted',
          `${what} cannot be deleted and may remain: ${err.message}`,
        );
        await releaseOwn(cs, ctx);
        return awaitChange();
      }
      const requested = Date.parse(cs.metadata.deletionTimestamp ?? '') || ctx.clock.now().getTime();
      const waited = ctx.clock.now().getTime() - requested;
      if (waited >= goneAfter) {
        await ctx.event(
          'Warning',
          'BrokerGone',
          `gave up deleting ${what} after ${Math.round(waited / 1000)} s: ${messageOf(err)}; the topic may remain on the broker`,
        );
        await releaseOwn(cs, ctx);
        return awaitChange();
      }
      await ctx.event(
        'Warning',
        'TopicDeleteFailed',
        `could not delete ${what}, will retry: ${messageOf(err)}`,
      );
      return requeueAfter(Math.max(0, Math.min(RETRY_MS, goneAfter - waited)));
    }
  };
}
