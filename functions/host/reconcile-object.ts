/**
 * @module functions/host/reconcile-object
 * The per-object work of the worker host, independent of the queue: read the current object,
 * take the finalize or the reconcile path, and turn known errors into conditions.
 *
 * Expected flow:
 * 1. Read the object by reference. Gone: nothing to do.
 * 2. Being deleted: if Sluice's finalizer is on it, run `finalize`; when that answers
 *    `awaitChange()`, remove the finalizer. A spec that no longer parses cannot block deletion:
 *    the finalizer is removed with a Warning Event.
 * 3. Otherwise add the finalizer if the kind has one and the object needs it, then run
 *    `reconcile`; an object that no longer needs it (Sluice let go of what it held) has it removed
 *    once the reconcile has succeeded.
 *
 * Errors: a {@link TerminalError} or {@link RetryableError} sets `Ready=False` with its reason and
 * message (and a Warning Event for terminal ones) before it is rethrown for the queue to act on.
 */
import {
  KubeApiError,
  RetryableError,
  TerminalError,
  conditionsOf,
  messageOf,
  retryOnConflict,
  setCondition,
  type KubeObject,
  type ObjectRef,
  type ReconcileContext,
  type ReconcileResult,
  type SluiceFunction,
} from '../../shared/index.js';

export type Outcome =
  | { readonly kind: 'gone' }
  | { readonly kind: 'finalized' }
  | { readonly kind: 'reconciled'; readonly result: ReconcileResult };

/** Reads the object a reference names; `undefined` when it no longer exists. */
export function readObject(
  fn: SluiceFunction,
  ref: ObjectRef,
  ctx: ReconcileContext,
): Promise<KubeObject | undefined> {
  return ctx.kube.get(fn.kind, ref.namespace, ref.name);
}

/** Writes `Ready=False` with the error's reason on the current object (re-read, so it never loses a race). */
export async function writeErrorCondition(
  fn: SluiceFunction,
  ref: ObjectRef,
  err: TerminalError | RetryableError,
  ctx: ReconcileContext,
): Promise<void> {
  await retryOnConflict(async () => {
    const obj = await readObject(fn, ref, ctx);
    if (!obj || obj.metadata.deletionTimestamp) return;
    const status =
      typeof obj.status === 'object' && obj.status !== null ? (obj.status as Record<string, unknown>) : {};
    const generation = obj.metadata.generation;
    const conditions = setCondition(
      conditionsOf(status),
      {
        type: 'Ready',
        status: 'False',
        reason: err.reason,
        message: err.message,
        ...(generation === undefined ? {} : { observedGeneration: generation }),
      },
      ctx.clock.now(),
    );
    const next = {
      ...status,
      conditions,
      ...(err instanceof TerminalError && generation !== undefined ? { observedGeneration: generation } : {}),
    };
    await ctx.kube.writeStatus(fn.kind, obj, next);
  });
}

/** Removes `finalizer` from the object as it is now (re-read: the reconcile may have written it). */
async function dropFinalizer(
  fn: SluiceFunction,
  obj: KubeObject,
  finalizer: string,
  ctx: ReconcileContext,
): Promise<void> {
  await retryOnConflict(async () => {
    const fresh = await ctx.kube.get(fn.kind, obj.metadata.namespace, obj.metadata.name ?? '');
    if (fresh && fresh.metadata.uid === obj.metadata.uid)
      await ctx.kube.removeFinalizer(fn.kind, fresh, finalizer);
  });
}

async function finalizePath(fn: SluiceFunction, obj: KubeObject, ctx: ReconcileContext): Promise<Outcome> {
  const finalizer = fn.finalizer;
  if (!finalizer || !fn.finalize || !(obj.metadata.finalizers ?? []).includes(finalizer))
    return { kind: 'gone' };
  try {
    const result = await fn.finalize(obj, ctx);
    if (result.requeueAfterMs !== null) return { kind: 'reconciled', result };
  } catch (err) {
    if (!(err instanceof TerminalError)) throw err;
    await ctx.event(
      'Warning',
      'FinalizeSkipped',
      `cleanup skipped, the object cannot be understood: ${err.message}`,
    );
  }
  await dropFinalizer(fn, obj, finalizer, ctx);
  return { kind: 'finalized' };
}

/**
 * Reconciles the object `ref` names, as the worker host does for one job.
 * @throws whatever the reconciler throws, after recording known errors as conditions.
 */
export async function reconcileObject(
  fn: SluiceFunction,
  ref: ObjectRef,
  ctx: ReconcileContext,
  observe?: (obj: KubeObject) => void,
): Promise<Outcome> {
  let obj = await readObject(fn, ref, ctx);
  if (!obj) return { kind: 'gone' };
  observe?.(obj);
  try {
    if (obj.metadata.deletionTimestamp) return await finalizePath(fn, obj, ctx);
    const finalizer = fn.finalizer;
    const wanted = finalizer !== undefined && fn.keepsFinalizer(obj);
    if (finalizer && wanted && !(obj.metadata.finalizers ?? []).includes(finalizer)) {
      obj = await ctx.kube.addFinalizer(fn.kind, obj, finalizer);
    }
    const result = await fn.reconcile(obj, ctx);
    if (finalizer && !wanted && (obj.metadata.finalizers ?? []).includes(finalizer)) {
      await dropFinalizer(fn, obj, finalizer, ctx);
    }
    return { kind: 'reconciled', result };
  } catch (caught) {
    const err = classify(caught);
    if (err instanceof TerminalError || err instanceof RetryableError) {
      await writeErrorCondition(fn, ref, err, ctx).catch((writeErr: unknown) => {
        ctx.log.warn({ err: messageOf(writeErr) }, 'could not write the error condition');
      });
      if (err instanceof TerminalError) {
        await ctx.event('Warning', err.reason, err.message).catch(() => undefined);
      }
    }
    throw err;
  }
}

/** Statuses with which the API server refuses a request for what it is: sending it again cannot help. */
const REFUSED = new Set([400, 406, 413, 415, 422]);

/**
 * Gives API errors a reconciler did not classify their meaning: a request the API server refuses
 * for its content (an object built from a spec it will never accept) is terminal; a 403 is
 * retried, with a condition saying what Sluice may not do. A failed resourceVersion test of a JSON
 * patch (a 422) is a conflict, and stays retryable.
 */
export function classify(err: unknown): unknown {
  if (!(err instanceof KubeApiError)) return err;
  if (err.status === 403) return new RetryableError('Forbidden', err.message, { cause: err });
  if (REFUSED.has(err.status) && !/test operation/i.test(err.message)) {
    return new TerminalError('ObjectRejected', err.message, { cause: err });
  }
  return err;
}
