/**
 * @module functions/streambus-cluster/handlers
 * The StreamBusCluster function's handlers, loaded by the worker host only (see `index.ts`).
 */
export { asCluster as parse } from './parse.js';
export { reconcile } from './reconcile.js';
