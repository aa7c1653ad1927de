/**
 * @module functions/directive/handlers
 * The Directive function's handlers, loaded by the worker host only (see `index.ts`).
 */
export { parseDirective as parse } from './spec.js';
export { reconcileDirective as reconcile } from './reconcile.js';
