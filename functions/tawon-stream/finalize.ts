/**
 * @module functions/tawon-stream/finalize
 * Deleting a Tawon Stream deletes its JetStream stream (and its messages), through the finalizer
 * `STREAM_FINALIZER` (watch.ts), which never wedges the deletion:
 * 1. annotation {@link FORCE_DELETE_ANNOTATION} (every value but `false`): finish at once, leave the
 *    JetStream stream alone, Warning Event `ForceDeleted`;
 * 2. the store is gone: nothing is left to clean, Warning Event `StoreGone`;
 * 3. read-only or unmanaged (`sluice.io/management`), another object's stream (its BrokerClaim,
 *    read now, names another holder, or none), or an adopted one (it existed before this Stream
 *    claimed it) without `sluice.io/delete-adopted: "true"`: the stream is kept, Event
 *    `StreamKept` saying why;
 * 4. otherwise the server answers: delete the stream (already gone counts as done), Event `Deleted`;
 * 5. the server cannot be reached: retried with backoff, and given up after
 *    {@link GIVE_UP_AFTER_MS} since the deletion began, with a Warning Event `CleanupAbandoned`.
 *
 * Every path that finishes lets go of the claim, so that an object waiting for the stream takes it
 * over.
 */
import { awaitChange, type ReconcileResult } from '../../runtime/index.js';
import {
  BrokerUnavailableError,
  StreamStoreKind,
  claimNameOf,
  claimNamed,
  claimStatusOf,
  deletionVerdict,
  managementOf,
  releaseClaim,
  type BrokerDriftContext,
} from '../../shared/index.js';
import { deleteStream, storeManager } from './jetstream.js';
import { jetStreamName } from './naming.js';
import { storeStreamObject } from './ownership.js';
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

/** Lets go of the claim the status says this Stream holds (another holder's is left alone). */
async function releaseOwn(stream: TawonStream, ctx: BrokerDriftContext, except?: string): Promise<void> {
  const claim = claimStatusOf(stream.status);
  if (claim?.owner && claim.name !== except)
    await releaseClaim(ctx.kube, claim.name, stream.metadata.uid ?? '');
}

export async function finalizeTawonStream(
  stream: TawonStream,
  ctx: BrokerDriftContext,
): Promise<ReconcileResult> {
  const namespace = stream.metadata.namespace ?? '';
  const uid = stream.metadata.uid ?? '';
  const name = jetStreamName(namespace, stream.metadata.name ?? '');
  const storeName = stream.spec.store.name;
  if (forced(stream)) {
    await ctx.event(
      'Warning',
      'ForceDeleted',
      `${FORCE_DELETE_ANNOTATION} is set: JetStream stream ${name} on StreamStore ${storeName} was not deleted`,
    );
    await releaseOwn(stream, ctx);
    return awaitChange();
  }
  const management = managementOf(stream);
  if (management.mode !== 'managed') {
    await ctx.event(
      'Normal',
      'StreamKept',
      `JetStream stream ${name} on StreamStore ${storeName} was not deleted: sluice.io/management is ${management.mode}`,
    );
    await releaseOwn(stream, ctx);
    return awaitChange();
  }
  if (!(await ctx.kube.get(StreamStoreKind, namespace, storeName))) {
    await ctx.event(
      'Warning',
      'StoreGone',
      `StreamStore ${storeName} is gone; JetStream stream ${name} went with it`,
    );
    await releaseOwn(stream, ctx);
    return awaitChange();
  }
  const claimName = claimNameOf(storeStreamObject(storeName, namespace, name));
  const claim = await claimNamed(ctx.kube, claimName);
  const verdict = deletionVerdict(claim, uid, management);
  try {
    if (!verdict.delete) {
      await ctx.event(
        'Warning',
        'StreamKept',
        `JetStream stream ${name} on StreamStore ${storeName} was not deleted: ${verdict.why}`,
      );
    } else if (await deleteStream(await storeManager(ctx, storeName, namespace), name)) {
      await ctx.event('Normal', 'Deleted', `JetStream stream ${name} deleted from StreamStore ${storeName}`);
    }
  } catch (err) {
    if (err instanceof BrokerUnavailableError && deletingFor(stream, ctx.clock.now()) >= GIVE_UP_AFTER_MS) {
      await ctx.event(
        'Warning',
        'CleanupAbandoned',
        `StreamStore ${storeName} has been unreachable for ${Math.round(GIVE_UP_AFTER_MS / 60_000)} minutes; ` +
          `JetStream stream ${name} may be left behind: ${err.message}`,
      );
    } else {
      throw err;
    }
  }
  if (claim?.spec.holder.uid === uid) await releaseClaim(ctx.kube, claimName, uid);
  await releaseOwn(stream, ctx, claimName);
  return awaitChange();
}
