/**
 * @module functions/tawon-stream
 * The Tawon Stream function (`tawon.mantisnet.com/v1alpha1`, folder `tawon-stream` to keep it
 * apart from the Streaming Runtime's Stream): one JetStream stream on a StreamStore, with limits
 * resolved against the store, updated in place, healed on resync, deleted through a finalizer.
 *
 * Its declaration: a StreamStore's change (defaults, limits, deletion, or its coming up) re-checks
 * the Streams that name it; the deletion of a BrokerClaim a Stream waits for lets it take the
 * JetStream stream over at once.
 */
import { declareFunction, deletionChanged, generationChanged, or } from '../../runtime/index.js';
import { BROKER_DRIFT_NEEDS } from '../../shared/context.js';
import { ClusterStreamKind, StreamStoreKind, TawonStreamKind } from '../../shared/kinds.js';
import { BrokerClaimType } from '../../shared/ownership/claim-kind.js';
import { isUnmanaged } from '../../shared/ownership/management.js';
import { watchClaimReleases } from '../../shared/ownership/watch.js';
import { STREAM_FINALIZER, phaseChanged, storeToStreams } from './watch.js';

export const tawonStreamFunction = declareFunction(TawonStreamKind, {
  finalizer: STREAM_FINALIZER,
  // An unmanaged Stream holds no finalizer: Sluice will not delete its JetStream stream.
  keepsFinalizer: (obj) => !isUnmanaged(obj),
  needs: BROKER_DRIFT_NEEDS,
  // Every reconcile reads its store: from a watch in the worker, not a GET each time.
  cachedReads: [StreamStoreKind],
  access: {
    rules: [
      // Its store's defaults and limits, read from the worker's cache (list and watch feed it).
      {
        apiGroups: [StreamStoreKind.group],
        resources: [StreamStoreKind.plural],
        verbs: ['get', 'list', 'watch'],
      },
      // Who owns a JetStream stream.
      {
        apiGroups: [BrokerClaimType.group],
        resources: [BrokerClaimType.plural],
        verbs: ['get', 'create', 'patch', 'delete'],
      },
      // Whether the holder of a claim (a NATS ClusterStream) still exists.
      { apiGroups: [ClusterStreamKind.group], resources: [ClusterStreamKind.plural], verbs: ['get'] },
    ],
  },
  controller: (c) =>
    watchClaimReleases(
      c.watches(StreamStoreKind, storeToStreams, {
        predicate: or(generationChanged, deletionChanged, phaseChanged),
      }),
      TawonStreamKind,
    ),
  handlers: () => import('./handlers.js'),
});
