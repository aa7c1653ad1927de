/**
 * @module functions/tanzu-stream/handlers
 * The Stream function's handlers, loaded by the worker host only (see `index.ts`).
 */
export { parse } from './spec.js';
export { reconcile } from './reconcile.js';
