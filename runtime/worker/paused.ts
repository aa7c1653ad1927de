/**
 * @module runtime/worker/paused
 * The worker's side of pausing (see `controller/pause.ts`): the `Paused` condition that says an
 * object is not being reconciled, set while it carries the annotation and removed by the first
 * reconcile after it is gone. Both writes are skipped when the status already says so, so a
 * paused object's resyncs write nothing.
 */
import type { ReconcileContext } from '../controller/context.js';
import type { SluiceFunction } from '../controller/declaration.js';
import { PAUSE_ANNOTATION, PAUSED_CONDITION } from '../controller/pause.js';
import { retryOnConflict } from '../kube/client.js';
import { conditionsOf, setCondition } from '../kube/conditions.js';
import type { KubeObject } from '../kube/types.js';
import { isRecord } from '../util.js';

/** The reason of the `Paused` condition. */
export const PAUSED_REASON = 'ReconcilePaused';

function statusOf(obj: KubeObject): Record<string, unknown> {
  return isRecord(obj.status) ? obj.status : {};
}

/** Sets `Paused=True` on the object (re-read on conflict). */
export async function markPaused(
  fn: SluiceFunction,
  obj: KubeObject,
  ctx: ReconcileContext<object>,
): Promise<void> {
  let current: KubeObject | undefined = obj;
  await retryOnConflict(async () => {
    if (!current) return;
    const status = statusOf(current);
    const conditions = setCondition(
      conditionsOf(status),
      {
        type: PAUSED_CONDITION,
        status: 'True',
        reason: PAUSED_REASON,
        message: `reconciles are paused by the ${PAUSE_ANNOTATION} annotation; remove it to resume`,
      },
      ctx.clock.now(),
    );
    try {
      await ctx.kube.writeStatus(fn.kind, current, { ...status, conditions });
    } catch (err) {
      current = await ctx.kube.get(fn.kind, obj.metadata.namespace, obj.metadata.name ?? '');
      throw err;
    }
  });
}

/**
 * Removes the `Paused` condition, if the object has one.
 * @returns the object as it is after the write (the reconcile goes on with it).
 */
export async function clearPaused(
  fn: SluiceFunction,
  obj: KubeObject,
  ctx: ReconcileContext<object>,
): Promise<KubeObject> {
  let current = obj;
  return retryOnConflict(async () => {
    const status = statusOf(current);
    const conditions = conditionsOf(status);
    if (!conditions.some((c) => c.type === PAUSED_CONDITION)) return current;
    try {
      return await ctx.kube.writeStatus(fn.kind, current, {
        ...status,
        conditions: conditions.filter((c) => c.type !== PAUSED_CONDITION),
      });
    } catch (err) {
      current = (await ctx.kube.get(fn.kind, obj.metadata.namespace, obj.metadata.name ?? '')) ?? current;
      throw err;
    }
  });
}
