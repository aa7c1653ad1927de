/**
 * @module runtime/worker/reconcile-object
 * The per-object work of the worker host, independent of the queue: read the current object,
 * take the finalize or the reconcile path, and turn known errors into conditions.
 *
 * Expected flow:
 * 1. Read the object by reference. Gone: nothing to do.
 * 2. Being deleted: if Sluice's finalizer is on it, run `finalize`; when that answers
 *    `awaitChange()`, remove the finalizer. A spec that no longer parses cannot block deletion:
 *    the finalizer is removed with a Warning Event.
 * 3. Paused (`sluice.io/paused: "true"`): set the `Paused` condition and stop. Not paused but
 *    still carrying that condition: remove it, then go on.
 * 4. Otherwise add the finalizer if the kind has one and the object needs it, then run
 *    `reconcile`; an object that no longer needs it (Sluice let go of what it held) has it removed
 *    once the reconcile has succeeded.
 *
 * Errors: every failure sets `Ready=False` before it is rethrown for the queue to act on, so a
 * retried failure is visible on the object, not only in a log. A {@link TerminalError} or
 * {@link RetryableError} keeps its own reason (and a terminal one also gets a Warning Event);
 * anything else gets the reason {@link RECONCILE_ERROR} and its message with credentials redacted.
 * The condition is written only when it differs from the stored one, so a retry storm is not a
 * write storm, and the reconciler's next success replaces it. A reconcile aborted because its
 * lease was lost writes nothing: another worker owns the object now.
 */
import type { FunctionDeclaration, SluiceFunction } from '../controller/declaration.js';
import type { ReconcileContext } from '../controller/context.js';
import { KubeApiError, RetryableError, TerminalError, messageOf, redactMessage } from '../errors.js';
import { retryOnConflict } from '../kube/client.js';
import { conditionsOf, setCondition } from '../kube/conditions.js';
import type { ObjectRef } from '../kube/object-ref.js';
import type { KubeObject } from '../kube/types.js';
import type { ReconcileResult } from '../result.js';
import { isPaused } from '../controller/pause.js';
import { clearPaused, markPaused } from './paused.js';

/** The context the host gives a function: the core context and the values of its needs. */
type HostContext = ReconcileContext<object>;

/** How {@link reconcileObject} reports and names things. */
export interface ReconcileObjectOptions {
  /** Told the object as it was read. */
  readonly observe?: (obj: KubeObject) => void;
  /** `SluiceConfig.namespace`, named in the condition of an object that fails because it is missing. */
  readonly operatorNamespace?: string;
}

export type Outcome =
  | { readonly kind: 'gone' }
  | { readonly kind: 'finalized' }
  /** Not reconciled: the object carries the pause annotation (it has the `Paused` condition). */
  | { readonly kind: 'paused' }
  | { readonly kind: 'reconciled'; readonly result: ReconcileResult };

/** Reads the object a reference names; `undefined` when it no longer exists. */
export function readObject(
  fn: SluiceFunction,
  ref: ObjectRef,
  ctx: HostContext,
): Promise<KubeObject | undefined> {
  return ctx.kube.get(fn.kind, ref.namespace, ref.name);
}

/** The reason of the `Ready=False` condition for a failure that is not one of Sluice's error classes. */
export const RECONCILE_ERROR = 'ReconcileError';

/** What a failed reconcile says on its object. */
export interface FailureCondition {
  readonly reason: string;
  readonly message: string;
  /** Whether the spec is to blame: the condition then also records the generation as observed. */
  readonly terminal: boolean;
}

/** The condition a failure gives its object (see the module comment). */
export function failureCondition(err: unknown): FailureCondition {
  if (err instanceof TerminalError || err instanceof RetryableError) {
    return { reason: err.reason, message: err.message, terminal: err instanceof TerminalError };
  }
  return { reason: RECONCILE_ERROR, message: redactMessage(messageOf(err)), terminal: false };
}

/** Writes `Ready=False` for a failure on the current object (re-read, so it never loses a race). */
export async function writeErrorCondition(
  fn: SluiceFunction,
  ref: ObjectRef,
  err: FailureCondition,
  ctx: HostContext,
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
      ...(err.terminal && generation !== undefined ? { observedGeneration: generation } : {}),
    };
    await ctx.kube.writeStatus(fn.kind, obj, next);
  });
}

/** Removes `finalizer` from the object as it is now (re-read: the reconcile may have written it). */
async function dropFinalizer(
  fn: SluiceFunction,
  obj: KubeObject,
  finalizer: string,
  ctx: HostContext,
): Promise<void> {
  await retryOnConflict(async () => {
    const fresh = await ctx.kube.get(fn.kind, obj.metadata.namespace, obj.metadata.name ?? '');
    if (fresh && fresh.metadata.uid === obj.metadata.uid)
      await ctx.kube.removeFinalizer(fn.kind, fresh, finalizer);
  });
}

async function finalizePath(fn: SluiceFunction, obj: KubeObject, ctx: HostContext): Promise<Outcome> {
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
 * `declared` may be a declaration, whose handlers are then loaded (once).
 * @throws whatever the reconciler throws, after recording known errors as conditions.
 */
export async function reconcileObject(
  declared: SluiceFunction | FunctionDeclaration,
  ref: ObjectRef,
  ctx: HostContext,
  opts: ReconcileObjectOptions = {},
): Promise<Outcome> {
  const fn = 'load' in declared ? await declared.load() : declared;
  let obj = await readObject(fn, ref, ctx);
  if (!obj) return { kind: 'gone' };
  opts.observe?.(obj);
  try {
    if (obj.metadata.deletionTimestamp) return await finalizePath(fn, obj, ctx);
    if (isPaused(obj)) {
      await markPaused(fn, obj, ctx);
      return { kind: 'paused' };
    }
    obj = await clearPaused(fn, obj, ctx);
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
    const err = classify(caught, opts.operatorNamespace);
    if (ctx.signal.aborted) throw err;
    await writeErrorCondition(fn, ref, failureCondition(err), ctx).catch((writeErr: unknown) => {
      ctx.log.warn({ err: messageOf(writeErr) }, 'could not write the error condition');
    });
    if (err instanceof TerminalError) {
      await ctx.event('Warning', err.reason, err.message).catch(() => undefined);
    }
    throw err;
  }
}

/** Statuses with which the API server refuses a request for what it is: sending it again cannot help. */
const REFUSED = new Set([400, 406, 413, 415, 422]);

/**
 * Gives API errors a reconciler did not classify their meaning, by HTTP status: a request the API
 * server refuses for its content (an object built from a spec it will never accept) is terminal; a
 * 403 is retried, with a condition saying what Sluice may not do; a namespace that does not exist
 * is retried with reason `NamespaceNotFound` (naming `SLUICE_NAMESPACE` when it is the operator's).
 * Fenced writes fail with 409 Conflict, which stays retryable.
 * @param operatorNamespace `SluiceConfig.namespace`
 */
export function classify(err: unknown, operatorNamespace?: string): unknown {
  if (!(err instanceof KubeApiError)) return err;
  if (err.status === 403) return new RetryableError('Forbidden', err.message, { cause: err });
  if (err.isNamespaceNotFound) {
    const ns = err.details.name ?? '';
    const message =
      ns === operatorNamespace
        ? `the operator namespace ${ns} (SLUICE_NAMESPACE) does not exist: create it (kubectl create namespace ${ns}) or set SLUICE_NAMESPACE to an existing one`
        : `namespace ${ns} does not exist`;
    return new RetryableError('NamespaceNotFound', message, { cause: err });
  }
  if (REFUSED.has(err.status)) {
    return new TerminalError('ObjectRejected', err.message, { cause: err });
  }
  return err;
}
