/**
 * @module runtime/result
 * What a reconcile returns. Results are values, never booleans: either "run again after this
 * delay" or "wait for the next change". Errors are thrown (see `errors.ts`).
 */

export interface ReconcileResult {
  /** Milliseconds until the object is reconciled again, or `null` to wait for a change. */
  readonly requeueAfterMs: number | null;
}

/**
 * Reconcile again after `ms` (unless an event runs it sooner: an event never waits behind a
 * requeue, and a requeue never postpones an event).
 */
export function requeueAfter(ms: number): ReconcileResult {
  if (!Number.isFinite(ms) || ms < 0)
    throw new RangeError(`requeueAfter needs a non-negative delay, got ${ms}`);
  return { requeueAfterMs: Math.round(ms) };
}

/** Nothing to do until the object, or something mapped to it, changes (or the periodic resync). */
export function awaitChange(): ReconcileResult {
  return { requeueAfterMs: null };
}
