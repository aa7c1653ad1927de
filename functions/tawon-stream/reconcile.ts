/**
 * @module functions/tawon-stream/reconcile
 * The Tawon Stream reconciler: one JetStream stream on the Stream's store.
 *
 * Expected flow:
 * 1. Read the store. Missing → `Ready=False` `StoreNotFound`; its limits malformed →
 *    `Ready=False` `StoreInvalid` (both wait for the store to change: the store is watched).
 * 2. Parse the Stream's own limits strictly (TerminalError `InvalidLimit`) and resolve them
 *    against the store: request, else default, else hard limit. A request above a hard limit gets
 *    the hard limit (the store's limits override, as the seed says): the Stream stays Ready, its
 *    `LimitsClamped` condition and `status.clamped` name each clamped value, and a Warning
 *    `LimitClamped` is recorded when the clamp changes (see `clamp.ts`).
 * 3. Ownership: one object owns the JetStream stream (a BrokerClaim, shared with ClusterStreams
 *    on the same server, see `ownership.ts`); another's gives `Ready=False` `ResourceConflict`
 *    and nothing on the store is touched. `sluice.io/management: unmanaged` lets go of it at
 *    once (the worker host removes the finalizer).
 * 4. Create the JetStream stream, or update it in place where the server differs from what is
 *    wanted: a spec change (Event `Updated`) or a change made out of band (Warning
 *    `DriftCorrected`, with each setting's value before and after). The owner confirms its claim
 *    first; in read-only mode the differences are only reported.
 * 5. Write the status (subject, applied limits, clamps, messages, bytes, sequences, claim) and
 *    look again after {@link REFRESH_MS}, which refreshes the counters and heals drift.
 */
import {
  TerminalError,
  awaitChange,
  conditionsOf,
  findCondition,
  isRecord,
  requeueAfter,
  setCondition,
  type KubeObject,
  type ReconcileResult,
} from '../../runtime/index.js';
import {
  StreamStoreKind,
  TawonStreamKind,
  claimStatusOf,
  holderText,
  managedCondition,
  managementOf,
  recordDrift,
  releaseMoved,
  type SettingChange,
  type BrokerDriftContext,
} from '../../shared/index.js';
import { parseLimits, parseStoreLimits, resolveLimits, type StoreLimits } from '../../shared/index.js';
import {
  LIMIT_CLAMPED_EVENT,
  clampEventDue,
  clampSentence,
  clampedStatus,
  previousClamped,
} from './clamp.js';
import { desiredConfig, readyStatus, streamChanges, TAWON_STREAM_SETTINGS } from './desired.js';
import { createStream, storeManager, streamInfo, updateStream } from './jetstream.js';
import { claimSessionFor, letGo, storeStreamObject, writeConditions, yieldStream } from './ownership.js';
import { jetStreamName, streamSubject } from './naming.js';
import { requestedLimits, type TawonStream } from './spec.js';

/** How often a ready Stream is looked at again (counters, drift). */
export const REFRESH_MS = 60_000;

/** Writes `Ready=False` with `reason`, keeping the rest of the status, and waits for a change. */
async function notReady(
  stream: TawonStream,
  ctx: BrokerDriftContext,
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
  ctx: BrokerDriftContext,
): Promise<ReconcileResult> {
  const namespace = stream.metadata.namespace ?? '';
  const name = stream.metadata.name ?? '';
  const storeName = stream.spec.store.name;
  const management = managementOf(stream, TAWON_STREAM_SETTINGS);
  if (management.mode === 'unmanaged') return letGo(stream, ctx);
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
  const resolution = resolveLimits(parseLimits(requestedLimits(stream.spec), 'spec'), storeLimits);
  const { applied } = resolution;
  const clamped = clampedStatus(resolution.clamped);
  const subject = streamSubject(namespace, name);
  const want = desiredConfig(jetStreamName(namespace, name), subject, applied, replicasOf(store));
  const object = storeStreamObject(storeName, namespace, want.name);
  const session = claimSessionFor(stream, object, subject, ctx);
  await releaseMoved(ctx.kube, claimStatusOf(stream.status), session.name, stream.metadata.uid ?? '');
  const start = await session.start();
  if (start !== 'believed' && start.kind === 'conflict')
    return yieldStream(stream, object, start, management, ctx);
  const jsm = await storeManager(ctx, storeName, namespace);
  const current = await streamInfo(jsm, want.name);
  const managed = management.mode === 'managed';
  const changes = current ? streamChanges(current.config, want, management.ignored) : [];
  let info = current;
  if (managed && (!current || changes.length > 0)) {
    const ownership = await session.confirm();
    if (ownership.kind === 'conflict') return yieldStream(stream, object, ownership, management, ctx);
    info = current ? await updateStream(jsm, want, management.ignored) : await createStream(jsm, want);
    await recordChange(stream, want.name, storeName, current === undefined, changes, ctx);
  }
  if (await session.settleAdoption(current !== undefined)) {
    await ctx.event(
      'Normal',
      'Adopted',
      `adopted the existing JetStream stream ${want.name} on StreamStore ${storeName}`,
    );
  }
  const generation = stream.metadata.generation;
  const managedCond = managedCondition(management.mode, object.what, managed ? [] : changes, generation);
  if (
    !managed &&
    changes.length > 0 &&
    findCondition(stream.status, 'Managed')?.message !== managedCond.message
  )
    await recordDrift(ctx, object.what, changes, false);
  const claim = { name: session.name, owner: true, holder: holderText(session.holder) };
  if (!info) {
    const message = `${object.what} does not exist on StreamStore ${storeName}, and in read-only mode Sluice does not create it`;
    await writeConditions(
      stream,
      { status: 'False', reason: 'StreamNotFound', message },
      managedCond,
      claim,
      ctx,
    );
    return requeueAfter(REFRESH_MS);
  }
  if (clampEventDue(previousClamped(stream.status), clamped)) {
    await ctx.event('Warning', LIMIT_CLAMPED_EVENT, clampSentence(clamped, storeName));
  }
  const status = readyStatus(
    stream,
    subject,
    { applied, clamped, store: storeName },
    info,
    { claim, managed: managedCond },
    ctx.clock.now(),
  );
  await ctx.kube.writeStatus(TawonStreamKind, stream, status);
  return requeueAfter(REFRESH_MS);
}

/** The Event of a change: created, updated for a spec change, or drift put back. */
async function recordChange(
  stream: TawonStream,
  name: string,
  storeName: string,
  created: boolean,
  changes: readonly SettingChange[],
  ctx: BrokerDriftContext,
): Promise<void> {
  if (created) {
    await ctx.event('Normal', 'Created', `JetStream stream ${name} created on StreamStore ${storeName}`);
    return;
  }
  const specChanged =
    (isRecord(stream.status) ? stream.status.observedGeneration : undefined) !== stream.metadata.generation;
  if (specChanged) {
    const fields = changes.map((c) => c.setting).join(', ');
    await ctx.event('Normal', 'Updated', `JetStream stream ${name} updated in place: ${fields}`);
  } else {
    await recordDrift(ctx, `JetStream stream ${name}`, changes, true);
  }
}
