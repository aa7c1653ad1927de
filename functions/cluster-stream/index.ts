/**
 * @module functions/cluster-stream
 * The ClusterStream function (`streaming.tanzu.vmware.com/v1alpha1`, cluster-scoped): a topic on
 * Kafka or a stream on NATS JetStream, PersistentVolume style. Its declaration: see
 * `reconcile.ts` for the flow, `finalize.ts` for deletion, `watch.ts` for the mappers.
 *
 * Triggers besides its own changes: its binding Secret (owned; changes after its first sighting),
 * and any Stream that names it or is named by its claim, so that a Stream's deletion (a release)
 * is noticed at once rather than at the next resync.
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
  BROKER_SETTINGS_NEEDS,
  CLUSTER_STREAM_FINALIZER,
  ClusterStreamKind,
  TanzuStreamKind,
} from '../../shared/index.js';
import type { FinalizeOptions } from './finalize.js';
import { ownedSecretChanged, streamToClusterStreams } from './watch.js';

/** The declaration, with another broker-gone limit for the finalizer. */
export function clusterStreamFunctionWith(opts: FinalizeOptions = {}): FunctionDeclaration {
  return declareFunction(ClusterStreamKind, {
    finalizer: CLUSTER_STREAM_FINALIZER,
    needs: BROKER_SETTINGS_NEEDS,
    controller: (c) =>
      c
        .owns(Builtin.Secret, { predicate: ownedSecretChanged })
        // A Stream's creation, spec change or deletion; not its status writes.
        .watches(TanzuStreamKind, streamToClusterStreams, {
          predicate: or(generationChanged, deletionChanged),
        }),
    handlers: () =>
      import('./handlers.js').then((h) => ({
        ...h,
        finalize: opts.brokerGoneAfterMs === undefined ? h.finalize : h.finalizeWith(opts),
      })),
  });
}

export const clusterStreamFunction = clusterStreamFunctionWith();
