/**
 * @module functions/stream-store/reconcile
 * The StreamStore reconciler: applies the children (server-side apply, so a converged store
 * writes nothing), counts the Streams it hosts, and writes the status.
 *
 * Guarantees:
 * - a child the API server refuses as invalid (for example a changed `volumeClaimTemplate`, which
 *   a StatefulSet cannot change) ends in a TerminalError `ChildRejected` naming the child;
 * - Events are recorded only when the phase changes;
 * - while not `Running` the store is looked at again after {@link NOT_READY_REQUEUE_MS}, besides
 *   the events of its StatefulSet.
 */
import {
  KubeApiError,
  TerminalError,
  awaitChange,
  isRecord,
  requeueAfter,
  type KubeObject,
  type ReconcileContext,
  type ReconcileResult,
} from '../../runtime/index.js';
import { StreamStoreKind, TawonStreamKind } from '../../shared/index.js';
import { desiredChildren, type Child } from './desired.js';
import type { StreamStore } from './spec.js';
import { desiredStatus } from './status.js';
import { storeNameOf } from '../../shared/tawon/store-name.js';

/** How soon a store that is not Running is looked at again. */
export const NOT_READY_REQUEUE_MS = 10_000;

async function applyChild(child: Child, ctx: ReconcileContext): Promise<KubeObject> {
  try {
    return await ctx.kube.apply(child.type, child.object);
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 422) {
      throw new TerminalError(
        'ChildRejected',
        `${child.type.kind} ${child.object.metadata.name ?? ''} was refused: ${err.message}`,
        { cause: err },
      );
    }
    throw err;
  }
}

/** How many Tawon Streams in the store's namespace name it. */
export async function countStreams(ctx: ReconcileContext, namespace: string, store: string): Promise<number> {
  const streams = await ctx.kube.listAll(TawonStreamKind, namespace);
  return streams.filter((s) => storeNameOf(s) === store).length;
}

function phaseOf(status: unknown): unknown {
  return isRecord(status) ? status.phase : undefined;
}

export async function reconcileStreamStore(
  store: StreamStore,
  ctx: ReconcileContext,
): Promise<ReconcileResult> {
  const namespace = store.metadata.namespace ?? '';
  const name = store.metadata.name ?? '';
  let sts: KubeObject | undefined;
  for (const child of desiredChildren(store)) {
    const applied = await applyChild(child, ctx);
    if (child.type.kind === 'StatefulSet') sts = applied;
  }
  const streamCount = await countStreams(ctx, namespace, name);
  const status = desiredStatus(store, sts, streamCount, ctx.clock.now());
  const before = phaseOf(store.status);
  await ctx.kube.writeStatus(StreamStoreKind, store, status);
  if (before !== status.phase) {
    if (status.phase === 'Running') {
      await ctx.event(
        'Normal',
        'Running',
        `nats-server is running: ${status.readyReplicas}/${store.spec.replicas} ready`,
      );
    } else if (status.phase === 'Degraded') {
      await ctx.event(
        'Warning',
        'Degraded',
        `only ${status.readyReplicas}/${store.spec.replicas} nats-server replicas are ready`,
      );
    }
  }
  return status.phase === 'Running' ? awaitChange() : requeueAfter(NOT_READY_REQUEUE_MS);
}
