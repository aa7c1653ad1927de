/**
 * @module functions/cluster-stream/handlers
 * The ClusterStream function's handlers, loaded by the worker host only (see `index.ts`).
 */
import { makeFinalize, type FinalizeOptions } from './finalize.js';

export { parse } from './spec.js';
export { reconcile } from './reconcile.js';

/** The finalizer step with the default broker-gone limit. */
export const finalize = makeFinalize();

/** The finalizer step with another broker-gone limit (tests, and operators who tune it). */
export function finalizeWith(opts: FinalizeOptions): ReturnType<typeof makeFinalize> {
  return makeFinalize(opts);
}
