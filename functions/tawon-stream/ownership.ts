/**
 * @module functions/tawon-stream/ownership
 * Which JetStream stream a Tawon Stream wants, and whether it owns it (the rule is in
 * `shared/ownership/claims.ts`). Tawon Streams never share a JetStream name among themselves
 * (`naming.ts`), but a ClusterStream with `protocol: nats` on the store's server, or a stream made
 * with the `nats` CLI, can want the same one: the claim is shared with ClusterStreams (same broker
 * identity rule: the servers as configured, here the store's `<store>.<ns>.svc:4222`).
 */
import {
  awaitChange,
  conditionsOf,
  findCondition,
  isRecord,
  requeueAfter,
  setConditions,
  type ConditionInput,
  type ReconcileResult,
} from '../../runtime/index.js';
import {
  ClaimSession,
  TawonStreamKind,
  claimNameOf,
  claimStatusOf,
  holderOf,
  holderText,
  jetStreamObject,
  managedCondition,
  releaseClaim,
  type BrokerObject,
  type Management,
  type Ownership,
  type BrokerDriftContext,
} from '../../shared/index.js';
import { storeAddress } from './jetstream.js';
import type { TawonStream } from './spec.js';

/** How often a Stream that waits for a JetStream stream looks again (besides the claim's deletion). */
export const WAIT_MS = 60_000;

/** The JetStream stream `name` on the store `store` of `namespace`. */
export function storeStreamObject(store: string, namespace: string, name: string): BrokerObject {
  return jetStreamObject([storeAddress(store, namespace)], name);
}

/** The claim session of one pass: believed when the status says this Stream owns the stream. */
export function claimSessionFor(
  stream: TawonStream,
  object: BrokerObject,
  subject: string,
  ctx: BrokerDriftContext,
): ClaimSession {
  const claim = claimStatusOf(stream.status);
  const usedBefore = isRecord(stream.status) && stream.status.subject === subject;
  return new ClaimSession(ctx.kube, object, holderOf(TawonStreamKind, stream), {
    believed: claim?.owner === true && claim.name === claimNameOf(object) && usedBefore,
    usedBefore,
  });
}

/** Writes the Ready and Managed conditions (and `claim`, or none), keeping the rest of the status. */
export async function writeConditions(
  stream: TawonStream,
  ready: Omit<ConditionInput, 'type'>,
  managed: ConditionInput | undefined,
  claim: unknown,
  ctx: BrokerDriftContext,
): Promise<void> {
  const generation = stream.metadata.generation ?? 0;
  const { claim: _old, ...status } = isRecord(stream.status) ? stream.status : {};
  const conditions = setConditions(
    conditionsOf(status),
    [
      { type: 'Ready', ...ready, observedGeneration: generation },
      ...(managed ? [{ ...managed, observedGeneration: generation }] : []),
    ],
    ctx.clock.now(),
  );
  await ctx.kube.writeStatus(TawonStreamKind, stream, {
    ...status,
    ...(claim === undefined ? {} : { claim }),
    conditions,
    observedGeneration: generation,
  });
}

/** Another object owns the JetStream stream: say so, touch nothing, and wait. */
export async function yieldStream(
  stream: TawonStream,
  object: BrokerObject,
  conflict: Extract<Ownership, { kind: 'conflict' }>,
  management: Management,
  ctx: BrokerDriftContext,
): Promise<ReconcileResult> {
  const owner = conflict.holder ? holderText(conflict.holder) : 'an unreadable BrokerClaim';
  const message =
    `${object.what} is owned by ${owner} (BrokerClaim ${conflict.name}): this Stream changes nothing ` +
    `on the store and takes the stream over once ${owner} lets go of it`;
  const before = findCondition(stream.status, 'Ready');
  await writeConditions(
    stream,
    { status: 'False', reason: 'ResourceConflict', message },
    managedCondition(management.mode, object.what, [], stream.metadata.generation),
    { name: conflict.name, owner: false, holder: owner },
    ctx,
  );
  if (before?.reason !== 'ResourceConflict' || before.message !== message)
    await ctx.event('Warning', 'ResourceConflict', message);
  return requeueAfter(WAIT_MS);
}

/** Unmanaged: releases the claim this Stream holds, changes nothing on the store. */
export async function letGo(stream: TawonStream, ctx: BrokerDriftContext): Promise<ReconcileResult> {
  const claim = claimStatusOf(stream.status);
  const what = `its JetStream stream on StreamStore ${stream.spec.store.name}`;
  if (claim?.owner && (await releaseClaim(ctx.kube, claim.name, stream.metadata.uid ?? ''))) {
    await ctx.event(
      'Normal',
      'StreamReleased',
      `let go of ${what} (unmanaged); its claim ${claim.name} is released`,
    );
  }
  const managed = managedCondition('unmanaged', what, [], stream.metadata.generation);
  await writeConditions(
    stream,
    { status: 'True', reason: 'Unmanaged', message: managed.message },
    managed,
    undefined,
    ctx,
  );
  return awaitChange();
}
