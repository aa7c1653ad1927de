/**
 * @module functions/tanzu-stream/reconcile
 * The Stream reconciler: a developer's claim on a topic, PersistentVolumeClaim style.
 *
 * Expected flow:
 * 1. Find the ClusterStream (`spec.storage.clusterStream`, else `<name>-cluster-stream`). When it
 *    is missing, provision it (already claimed by this Stream) on the operator's default broker
 *    for the protocol, unless auto-provisioning is off (`NoClusterStreamFound`).
 * 2. Keep a ClusterStream provisioned for (and claimed by) this Stream in line with it: keys,
 *    modes, partitions and attributes (a raised `partitionCount` raises the topic's partitions).
 * 3. Check that it fits: protocol (`ProtocolMismatch`), stream modes (`StreamModeNotAllowed`),
 *    topic, keys, partitions, attributes, binding (`ClusterStreamMismatch`).
 * 4. Claim it: set its `spec.claimRef` to this Stream, fenced by its resourceVersion. A
 *    ClusterStream claimed by another Stream gives `ClusterStreamBound`; one released by an
 *    earlier Stream of the same name gives `ClusterStreamReleased`.
 * 5. Wait until the ClusterStream is Ready (`ClusterStreamNotReady`, polled every {@link POLL_MS}).
 * 6. Copy its storage address; publish the binding Secret in the Stream's namespace (owned by the
 *    Stream); `Ready=True`, reason `StreamDeployed`.
 *
 * Deleting a Stream needs no finalizer: the ClusterStream notices that its claimant is gone
 * (released) and its reclaim policy decides about the topic; the Secret goes with the Stream.
 * A Stream that was bound keeps its binding Secret while a later problem is reported.
 */
import {
  Builtin,
  KubeApiError,
  TerminalError,
  awaitChange,
  findCondition,
  isConditionTrue,
  requeueAfter,
  retryOnConflict,
  type ReconcileResult,
} from '../../runtime/index.js';
import { ClusterStreamKind, TanzuStreamKind, type SettingsContext } from '../../shared/index.js';
import {
  decideClaim,
  parseClusterStream,
  type ClaimDecision,
  type ClusterStream,
  type StreamIdentity,
} from '../../shared/index.js';
import {
  autoProvisionedClusterStream,
  clusterStreamNameOf,
  derivedPatch,
  hasDerivedSpec,
  isProvisionedFor,
  misfit,
  streamSecret,
  streamStatus,
  type StreamStatusInput,
} from './desired.js';
import { protocolOf, type Stream } from './spec.js';

/** How often a Stream looks again at a ClusterStream that is not ready yet. */
export const POLL_MS = 3000;

function identity(stream: Stream): StreamIdentity {
  return {
    namespace: stream.metadata.namespace ?? '',
    name: stream.metadata.name ?? '',
    uid: stream.metadata.uid ?? '',
  };
}

async function readClusterStream(name: string, ctx: SettingsContext): Promise<ClusterStream | undefined> {
  const raw = await ctx.kube.get(ClusterStreamKind, undefined, name);
  return raw ? parseClusterStream(raw) : undefined;
}

/** Reasons that are steps on the way to Ready rather than problems. */
const PROGRESS_REASONS = new Set(['StreamDeployed', 'AutoProvisionClusterStream', 'ClusterStreamNotReady']);

/** Writes the status; records an Event when the Ready reason changes. */
async function writeStatus(stream: Stream, input: StreamStatusInput, ctx: SettingsContext): Promise<void> {
  const before = findCondition(stream.status, 'Ready');
  await ctx.kube.writeStatus(TanzuStreamKind, stream, streamStatus(stream, input, ctx.clock.now()));
  if (before?.reason !== input.ready.reason) {
    const type = PROGRESS_REASONS.has(input.ready.reason) ? 'Normal' : 'Warning';
    await ctx.event(type, input.ready.reason, input.ready.message);
  }
}

/** Writes a not-ready status and says when to look again. */
async function notReady(
  stream: Stream,
  clusterStream: string,
  reason: string,
  message: string,
  ctx: SettingsContext,
  result: ReconcileResult = awaitChange(),
): Promise<ReconcileResult> {
  await writeStatus(stream, { clusterStream, ready: { status: 'False', reason, message } }, ctx);
  return result;
}

/**
 * Claims `name` for the Stream (re-reading on a conflict), or says why it cannot.
 * @returns the decision and the ClusterStream as it is after it; `undefined` when it vanished.
 */
async function claim(
  name: string,
  stream: Stream,
  ctx: SettingsContext,
): Promise<{ decision: ClaimDecision; cs: ClusterStream } | undefined> {
  return retryOnConflict(async () => {
    const cs = await readClusterStream(name, ctx);
    if (!cs) return undefined;
    const decision = decideClaim(cs, identity(stream));
    if (decision.kind !== 'claim') return { decision, cs };
    const patched = await ctx.kube.fencedPatch(ClusterStreamKind, cs, {
      spec: { claimRef: decision.claimRef },
    });
    await ctx.event('Normal', 'ClusterStreamClaimed', `claimed ClusterStream ${name}`);
    return { decision, cs: parseClusterStream(patched) };
  });
}

async function provision(stream: Stream, csName: string, ctx: SettingsContext): Promise<ReconcileResult> {
  if (!ctx.config.autoProvision) {
    return notReady(
      stream,
      csName,
      'NoClusterStreamFound',
      `ClusterStream ${csName} does not exist and auto-provisioning is switched off (SLUICE_AUTO_PROVISION)`,
      ctx,
    );
  }
  const manifest = autoProvisionedClusterStream(stream, identity(stream), ctx.config);
  try {
    await ctx.kube.create(ClusterStreamKind, manifest);
  } catch (err) {
    if (err instanceof KubeApiError && err.isConflict) return requeueAfter(0);
    throw err;
  }
  return notReady(
    stream,
    csName,
    'AutoProvisionClusterStream',
    `provisioned ClusterStream ${csName} for this Stream; waiting for its topic`,
    ctx,
    requeueAfter(POLL_MS),
  );
}

/** Publishes the binding of a Stream to a claimed ClusterStream once that is ready. */
async function bind(stream: Stream, cs: ClusterStream, ctx: SettingsContext): Promise<ReconcileResult> {
  const csName = cs.metadata.name ?? '';
  const csReady = findCondition(cs.status, 'Ready');
  const bindingName = cs.status?.binding?.name;
  if (!isConditionTrue(cs.status, 'Ready') || !bindingName || !cs.status?.storageAddress) {
    const why = csReady ? `${csReady.reason}: ${csReady.message}` : 'not reconciled yet';
    return notReady(
      stream,
      csName,
      'ClusterStreamNotReady',
      `ClusterStream ${csName} is not ready (${why})`,
      ctx,
      requeueAfter(POLL_MS),
    );
  }
  const source = await ctx.kube.get(Builtin.Secret, ctx.config.namespace, bindingName);
  if (!source) {
    return notReady(
      stream,
      csName,
      'ClusterStreamNotReady',
      `the binding Secret ${ctx.config.namespace}/${bindingName} of ClusterStream ${csName} does not exist yet`,
      ctx,
      requeueAfter(POLL_MS),
    );
  }
  const secret = streamSecret(stream, source);
  await ctx.kube.apply(Builtin.Secret, secret);
  await writeStatus(
    stream,
    {
      clusterStream: csName,
      ready: {
        status: 'True',
        reason: 'StreamDeployed',
        message: `bound to ClusterStream ${csName} (topic ${cs.spec.name})`,
      },
      bound: { binding: secret.metadata.name ?? '', storageAddress: cs.status.storageAddress },
    },
    ctx,
  );
  return awaitChange();
}

/** Reconciles one Stream (see the module documentation for the flow). */
export async function reconcile(stream: Stream, ctx: SettingsContext): Promise<ReconcileResult> {
  const csName = clusterStreamNameOf(stream);
  if (protocolOf(stream) === 'nats' && (stream.spec.partitionCount ?? 1) > 1) {
    throw new TerminalError(
      'NotSupported',
      `spec.partitionCount is ${stream.spec.partitionCount}: NATS JetStream streams have no partitions`,
    );
  }
  let cs: ClusterStream | undefined;
  try {
    cs = await readClusterStream(csName, ctx);
  } catch (err) {
    if (!(err instanceof TerminalError)) throw err;
    return notReady(
      stream,
      csName,
      'ClusterStreamNotReady',
      `ClusterStream ${csName} cannot be used: ${err.message}`,
      ctx,
    );
  }
  if (!cs) return provision(stream, csName, ctx);
  if (cs.metadata.deletionTimestamp) {
    return notReady(
      stream,
      csName,
      'ClusterStreamNotReady',
      `ClusterStream ${csName} is being deleted`,
      ctx,
      requeueAfter(POLL_MS),
    );
  }
  if (
    isProvisionedFor(cs, stream) &&
    cs.spec.claimRef?.uid === stream.metadata.uid &&
    !hasDerivedSpec(cs, stream)
  ) {
    cs = parseClusterStream(await ctx.kube.apply(ClusterStreamKind, derivedPatch(csName, stream)));
  }
  const problem = misfit(stream, cs);
  if (problem) return notReady(stream, csName, problem.reason, problem.message, ctx);
  const claimed = await claim(csName, stream, ctx);
  if (!claimed) return requeueAfter(0);
  cs = claimed.cs;
  if (claimed.decision.kind === 'refused') {
    const reclaiming =
      claimed.decision.reason === 'ClusterStreamReleased' && cs.spec.storage.reclaimPolicy === 'Delete';
    return notReady(
      stream,
      csName,
      claimed.decision.reason,
      claimed.decision.message,
      ctx,
      reclaiming ? requeueAfter(POLL_MS) : awaitChange(),
    );
  }
  return bind(stream, cs, ctx);
}
