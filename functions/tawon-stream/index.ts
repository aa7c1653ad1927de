/**
 * @module functions/tawon-stream
 * The Tawon Stream function (`tawon.mantisnet.com/v1alpha1`, folder `tawon-stream` to keep it
 * apart from the Streaming Runtime's Stream): one JetStream stream on a StreamStore, with limits
 * resolved against the store, updated in place, healed on resync, deleted through a finalizer.
 *
 * Its declaration: a StreamStore's change (defaults, limits, deletion, or its coming up) re-checks
 * the Streams that name it.
 */
import { declareFunction, deletionChanged, generationChanged, or } from '../../runtime/index.js';
import { BROKER_NEEDS, StreamStoreKind, TawonStreamKind } from '../../shared/index.js';
import { STREAM_FINALIZER, phaseChanged, storeToStreams } from './watch.js';

export const tawonStreamFunction = declareFunction(TawonStreamKind, {
  finalizer: STREAM_FINALIZER,
  needs: BROKER_NEEDS,
  controller: (c) =>
    c.watches(StreamStoreKind, storeToStreams, {
      predicate: or(generationChanged, deletionChanged, phaseChanged),
    }),
  handlers: () => import('./handlers.js'),
});
