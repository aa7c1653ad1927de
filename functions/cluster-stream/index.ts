/**
 * @module functions/cluster-stream
 * The ClusterStream function (`streaming.tanzu.vmware.com/v1alpha1`, cluster-scoped): a topic on
 * Kafka or a stream on NATS JetStream, PersistentVolume style. Its declaration: see
 * `reconcile.ts` for the flow, `finalize.ts` for deletion, `ownership.ts` for who owns a topic,
 * `watch.ts` for the mappers.
 *
 * Triggers besides its own changes: its binding Secret (owned; changes after its first sighting);
 * any Stream that names it or is named by its claim, so that a Stream's deletion (a release) is
 * noticed at once rather than at the next resync; and the deletion of a BrokerClaim it waits for,
 * so that it takes the topic over at once.
 */
import {
  Builtin,
  declareFunction,
  deletionChanged,
  generationChanged,
  or,
  type FunctionDeclaration,
} from '../../runtime/index.js';
import {
  BROKER_SETTINGS_DRIFT_NEEDS,
  CLUSTER_STREAM_FINALIZER,
  ClusterStreamKind,
  TanzuStreamKind,
  isUnmanaged,
  watchClaimReleases,
} from '../../shared/index.js';
import type { FinalizeOptions } from './finalize.js';
import { ownedSecretChanged, streamToClusterStreams } from './watch.js';

/** The declaration, with another broker-gone limit for the finalizer. */
export function clusterStreamFunctionWith(opts: FinalizeOptions = {}): FunctionDeclaration {
  return declareFunction(ClusterStreamKind, {
    finalizer: CLUSTER_STREAM_FINALIZER,
    // An unmanaged ClusterStream holds no finalizer: Sluice will not delete its topic.
    keepsFinalizer: (obj) => !isUnmanaged(obj),
    needs: BROKER_SETTINGS_DRIFT_NEEDS,
    controller: (c) =>
      watchClaimReleases(
        c
          .owns(Builtin.Secret, { predicate: ownedSecretChanged })
          // A Stream's creation, spec change or deletion; not its status writes.
          .watches(TanzuStreamKind, streamToClusterStreams, {
            predicate: or(generationChanged, deletionChanged),
          }),
        ClusterStreamKind,
      ),
    handlers: () =>
      import('./handlers.js').then((h) => ({
        ...h,
        finalize: opts.brokerGoneAfterMs === undefined ? h.finalize : h.finalizeWith(opts),
      })),
  });
}

export const clusterStreamFunction = clusterStreamFunctionWith();
