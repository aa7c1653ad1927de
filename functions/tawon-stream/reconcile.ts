/**
 * @module functions/tawon-stream/reconcile
 * The Tawon Stream reconciler: one JetStream stream on the Stream's store.
 *
 * Expected flow:
 * 1. Read the store. Missing → `Ready=False` `StoreNotFound`; its limits malformed →
 *    `Ready=False` `StoreInvalid` (both wait for the store to change: the store is watched).
 * 2. Parse the Stream's own limits strictly (TerminalError `InvalidLimit`) and resolve them
 *    against the store: request, else default, else hard limit. A request above a hard limit is a
 *    TerminalError `LimitExceeded`, raised before the server is touched, so the JetStream stream
 *    stays as it was.
 * 3. Create the JetStream stream, or update it in place where the server differs from what is
 *    wanted: a spec change (Event `Updated`) or a change made out of band (Warning `DriftCorrected`).
 * 4. Write the status (subject, applied limits, messages, bytes, sequences) and look again after
 *    {@link REFRESH_MS}, which refreshes the counters and heals drift.
 */
import {
  TerminalError,
  awaitChange,
  conditionsOf,
  isRecord,
  requeueAfter,
  setCondition,
  type KubeObject,
  type ReconcileResult,
} from '../../runtime/index.js';
import { StreamStoreKind, TawonStreamKind, type BrokerContext } from '../../shared/index.js';
import {
  LIMIT_EXCEEDED,
  parseLimits,
  parseStoreLimits,
  resolveLimits,
  type StoreLimits,
} from '../../shared/index.js';
import { desiredConfig, readyStatus } from './desired.js';
import { ensureStream, storeManager } from './jetstream.js';
import { jetStreamName, streamSubject } from './naming.js';
import { requestedLimits, type TawonStream } from './spec.js';

/** How often a ready Stream is looked at again (counters, drift). */
export const REFRESH_MS = 60_000;

/** Writes `Ready=False` with `reason`, keeping the rest of the status, and waits for a change. */
async function notReady(
  stream: TawonStream,
  ctx: BrokerContext,
  reason: string,
  message: string,
): Promise<ReconcileResult> {
  const generation = stream.metadata.generation ?? 0;
  const status = isRecord(stream.status) ? stream.status : {};
  const conditions = setCondition(
    conditionsOf(status),
    { type: 'Ready', status: 'False', reason, message, observedGeneration: generation },
    ctx.clock.now(),
  );
  await ctx.kube.writeStatus(TawonStreamKind, stream, {
    ...status,
    conditions,
    observedGeneration: generation,
  });
  return awaitChange();
}

/** A store's limits, or the reason they cannot be read. */
function limitsOfStore(store: KubeObject): StoreLimits | TerminalError {
  const spec = isRecord(store.spec) ? store.spec : {};
  try {
    return parseStoreLimits({
      defaults: isRecord(spec.defaults) ? spec.defaults : undefined,
      limits: isRecord(spec.limits) ? spec.limits : undefined,
    });
  } catch (err) {
    if (err instanceof TerminalError) return err;
    throw err;
  }
}

/** The number of nats-server replicas the store runs (each stream is replicated as many times). */
function replicasOf(store: KubeObject): number {
  const replicas = isRecord(store.spec) ? store.spec.replicas : undefined;
  return typeof replicas === 'number' && replicas > 0 ? replicas : 1;
}

export async function reconcileTawonStream(
  stream: TawonStream,
  ctx: BrokerContext,
): Promise<ReconcileResult> {
  const namespace = stream.metadata.namespace ?? '';
  const name = stream.metadata.name ?? '';
  const storeName = stream.spec.store.name;
  const store = await ctx.kube.get(StreamStoreKind, namespace, storeName);
  if (!store) {
    return notReady(
      stream,
      ctx,
      'StoreNotFound',
      `StreamStore ${storeName} does not exist in namespace ${namespace}`,
    );
  }
  const storeLimits = limitsOfStore(store);
  if (storeLimits instanceof TerminalError) {
    return notReady(
      stream,
      ctx,
      'StoreInvalid',
      `StreamStore ${storeName} is invalid: ${storeLimits.message}`,
    );
  }
  const { applied, exceeded } = resolveLimits(parseLimits(requestedLimits(stream.spec), 'spec'), storeLimits);
  if (exceeded.length > 0) {
    throw new TerminalError(
      LIMIT_EXCEEDED,
      `${exceeded.join('; ')} (StreamStore ${storeName}); the JetStream stream is left as it is`,
    );
  }
  const subject = streamSubject(namespace, name);
  const want = desiredConfig(jetStreamName(namespace, name), subject, applied, replicasOf(store));
  const outcome = await ensureStream(await storeManager(ctx, storeName, namespace), want);
  if (outcome.action === 'created') {
    await ctx.event('Normal', 'Created', `JetStream stream ${want.name} created on StreamStore ${storeName}`);
  } else if (outcome.action === 'updated') {
    const fields = outcome.drift.join(', ');
    const specChanged =
      (isRecord(stream.status) ? stream.status.observedGeneration : undefined) !== stream.metadata.generation;
    await (specChanged
      ? ctx.event('Normal', 'Updated', `JetStream stream ${want.name} updated in place: ${fields}`)
      : ctx.event(
          'Warning',
          'DriftCorrected',
          `JetStream stream ${want.name} was changed out of band; restored ${fields}`,
        ));
  }
  const status = readyStatus(stream, subject, applied, outcome.info, ctx.clock.now());
  await ctx.kube.writeStatus(TawonStreamKind, stream, status);
  return requeueAfter(REFRESH_MS);
}
