/**
 * @module functions/stream-store
 * The StreamStore function (`tawon.mantisnet.com/v1alpha1`): a NATS JetStream server run as a
 * StatefulSet, with the defaults and hard limits of the Streams it hosts.
 *
 * Watch configuration:
 * - owns its StatefulSet, Services and ConfigMap (so a Pod becoming ready updates the phase);
 * - watches Tawon Streams, mapped to the store they name (`spec.store.name`), so
 *   `status.streams` stays true.
 */
import { StreamStoreKind, defineFunction } from '../../shared/index.js';
import { reconcileStreamStore } from './reconcile.js';
import { parseStreamStore } from './spec.js';
import { streamStoreWatch } from './watch.js';

export { streamToStore } from './watch.js';

export const streamStoreFunction = defineFunction({
  kind: StreamStoreKind,
  parse: parseStreamStore,
  reconcile: reconcileStreamStore,
  watch: streamStoreWatch,
});

export { parseStreamStore } from './spec.js';
export { reconcileStreamStore } from './reconcile.js';
