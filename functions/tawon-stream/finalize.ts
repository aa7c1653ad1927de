/**
 * @module functions/tawon-stream/finalize
 * Deleting a Tawon Stream deletes its JetStream stream (and its messages), through the finalizer
 * `STREAM_FINALIZER` (watch.ts), which never wedges the deletion:
 * 1. annotation {@link FORCE_DELETE_ANNOTATION} (every value but `false`): finish at once, leave the
 *    JetStream stream alone, Warning Event `ForceDeleted`;
 * 2. the store is gone: nothing is left to clean, Warning Event `StoreGone`;
 * 3. the server answers: delete the stream (already gone counts as done), Event `Deleted`;
 * 4. the server cannot be reached: retried with backoff, and given up after
 *    {@link GIVE_UP_AFTER_MS} since the deletion began, with a Warning Event `CleanupAbandoned`.
 */
import { awaitChange, type ReconcileResult } from '../../runtime/index.js';
import { BrokerUnavailableError, StreamStoreKind, type BrokerContext } from '../../shared/index.js';
import { deleteStream, storeManager } from './jetstream.js';
import { jetStreamName } from './naming.js';
import type { TawonStream } from './spec.js';

/** Lets an administrator finish a deletion without cleaning up on the server. */
export const FORCE_DELETE_ANNOTATION = 'sluice.io/force-delete';

/** How long an unreachable store may hold up a deletion. */
export const GIVE_UP_AFTER_MS = 5 * 60_000;

function forced(stream: TawonStream): boolean {
  const value = stream.metadata.annotations?.[FORCE_DELETE_ANNOTATION];
  return value !== undefined && value.trim().toLowerCase() !== 'false';
}

/** Milliseconds since the deletion began (0 when the timestamp is missing or unreadable). */
function deletingFor(stream: TawonStream, now: Date): number {
  const since = Date.parse(stream.metadata.deletionTimestamp ?? '');
  return Number.isNaN(since) ? 0 : now.getTime() - since;
}

export async function finalizeTawonStream(stream: TawonStream, ctx: BrokerContext): Promise<ReconcileResult> {
  const namespace = stream.metadata.namespace ?? '';
  const name = jetStreamName(namespace, stream.metadata.name ?? '');
  const storeName = stream.spec.store.name;
  if (forced(stream)) {
    await ctx.event(
      'Warning',
      'ForceDeleted',
      `${FORCE_DELETE_ANNOTATION} is set: JetStream stream ${name} on StreamStore ${storeName} was not deleted`,
    );
    return awaitChange();
  }
  if (!(await ctx.kube.get(StreamStoreKind, namespace, storeName))) {
    await ctx.event(
      'Warning',
      'StoreGone',
      `StreamStore ${storeName} is gone; JetStream stream ${name} went with it`,
    );
    return awaitChange();
  }
  try {
    const existed = await deleteStream(await storeManager(ctx, storeName, namespace), name);
    if (existed)
      await ctx.event('Normal', 'Deleted', `JetStream stream ${name} deleted from StreamStore ${storeName}`);
    return awaitChange();
  } catch (err) {
    if (err instanceof BrokerUnavailableError && deletingFor(stream, ctx.clock.now()) >= GIVE_UP_AFTER_MS) {
      await ctx.event(
        'Warning',
        'CleanupAbandoned',
        `StreamStore ${storeName} has been unreachable for ${Math.round(GIVE_UP_AFTER_MS / 60_000)} minutes; ` +
          `JetStream stream ${name} may be left behind: ${err.message}`,
      );
      return awaitChange();
    }
    throw err;
  }
}
