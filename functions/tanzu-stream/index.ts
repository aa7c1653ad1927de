/**
 * @module functions/tanzu-stream
 * The Stream function of `streaming.tanzu.vmware.com/v1alpha1` (namespaced): binds a Stream to a
 * ClusterStream, provisioning one when needed, and publishes its binding Secret. See
 * `reconcile.ts` for the flow and `watch.ts` for what triggers it. No finalizer: releasing the
 * ClusterStream is the ClusterStream's business (it notices its Stream is gone).
 */
import { TanzuStreamKind, defineFunction } from '../../shared/index.js';
import { reconcile } from './reconcile.js';
import { parse, type Stream } from './spec.js';
import { streamWatch } from './watch.js';

export { POLL_MS } from './reconcile.js';

/** The Stream function as the worker runs it. */
export const tanzuStreamFunction = defineFunction<Stream>({
  kind: TanzuStreamKind,
  parse,
  reconcile,
  watch: streamWatch,
});
