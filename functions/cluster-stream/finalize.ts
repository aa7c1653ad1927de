/**
 * @module functions/cluster-stream/finalize
 * What happens to the topic when a ClusterStream is deleted: `reclaimPolicy: Retain` (the
 * default) keeps it; `Delete` removes it from the broker before the finalizer goes.
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
  messageOf,
  requeueAfter,
  type ReconcileResult,
} from '../../runtime/index.js';
import {
  FORCE_DELETE_ANNOTATION,
  type ClusterStream,
  type BrokerSettingsContext,
} from '../../shared/index.js';
import { deleteTopic, describeTopic } from './broker.js';
import { planTopic } from './spec.js';

/** How long a broker may stay unreachable before a deletion gives up on its topic. */
export const BROKER_GONE_AFTER_MS = 5 * 60_000;

/** The longest wait between two attempts to delete the topic of a ClusterStream being deleted. */
export const RETRY_MS = 15_000;

export interface FinalizeOptions {
  /** @defaultValue {@link BROKER_GONE_AFTER_MS} */
  readonly brokerGoneAfterMs?: number;
}

/**
 * The finalize step of the ClusterStream function, with its time limit.
 * @example defineFunction({ ...registration, finalize: makeFinalize({ brokerGoneAfterMs: 1000 }) })
 */
export function makeFinalize(
  opts: FinalizeOptions = {},
): (cs: ClusterStream, ctx: BrokerSettingsContext) => Promise<ReconcileResult> {
  const goneAfter = opts.brokerGoneAfterMs ?? BROKER_GONE_AFTER_MS;
  return async function finalize(cs, ctx) {
    if (cs.spec.storage.reclaimPolicy !== 'Delete') return awaitChange();
    if (cs.metadata.annotations?.[FORCE_DELETE_ANNOTATION] !== undefined) {
      await ctx.event(
        'Warning',
        'ForceDeleted',
        `deleted with ${FORCE_DELETE_ANNOTATION}: the topic ${cs.spec.name} was not deleted from the broker and may remain`,
      );
      return awaitChange();
    }
    let what = `topic ${cs.spec.name}`;
    try {
      const plan = planTopic(cs, ctx.config);
      what = describeTopic(plan);
      const deleted = await deleteTopic(plan, ctx);
      await ctx.event(
        'Normal',
        'TopicDeleted',
        deleted ? `deleted ${what} (reclaimPolicy Delete)` : `${what} was already gone`,
      );
      return awaitChange();
    } catch (err) {
      if (err instanceof TerminalError) {
        await ctx.event(
          'Warning',
          'TopicNotDeleted',
          `${what} cannot be deleted and may remain: ${err.message}`,
        );
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
