/**
 * @module functions/tawon-stream/handlers
 * The Tawon Stream function's handlers, loaded by the worker host only (see `index.ts`).
 */
export { parseTawonStream as parse } from './spec.js';
export { reconcileTawonStream as reconcile } from './reconcile.js';
export { finalizeTawonStream as finalize } from './finalize.js';
