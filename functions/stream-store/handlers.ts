/**
 * @module functions/stream-store/handlers
 * The StreamStore function's handlers, loaded by the worker host only (see `index.ts`).
 */
export { parseStreamStore as parse } from './spec.js';
export { reconcileStreamStore as reconcile } from './reconcile.js';
