/**
 * @module functions/cluster-stream
 * The ClusterStream function (`streaming.tanzu.vmware.com/v1alpha1`, cluster-scoped): a topic on
 * Kafka or a stream on NATS JetStream, PersistentVolume style. See `reconcile.ts` for the flow,
 * `finalize.ts` for deletion, `watch.ts` for what triggers it.
 */
import { ClusterStreamKind, defineFunction } from '../../shared/index.js';
import { CLUSTER_STREAM_FINALIZER, type ClusterStream } from '../../shared/index.js';
import { makeFinalize, type FinalizeOptions } from './finalize.js';
import { isUnmanaged } from './ownership.js';
import { reconcile } from './reconcile.js';
import { parse } from './spec.js';
import { clusterStreamWatch } from './watch.js';

export { BROKER_GONE_AFTER_MS, makeFinalize } from './finalize.js';
export { RESYNC_MS } from './reconcile.js';
export { WAIT_MS } from './ownership.js';

/** The registration, with a custom broker-gone limit for the finalizer. */
export function clusterStreamFunctionWith(opts: FinalizeOptions = {}): ReturnType<typeof defineFunction> {
  return defineFunction<ClusterStream>({
    kind: ClusterStreamKind,
    parse,
    reconcile,
    finalize: makeFinalize(opts),
    finalizer: CLUSTER_STREAM_FINALIZER,
    // An unmanaged ClusterStream holds no finalizer: Sluice will not delete its topic.
    keepsFinalizer: (obj) => !isUnmanaged(obj),
    watch: clusterStreamWatch,
  });
}

/** The ClusterStream function as the worker runs it. */
export const clusterStreamFunction = clusterStreamFunctionWith();
