/**
 * @module functions/tawon-stream
 * The Tawon Stream function (`tawon.mantisnet.com/v1alpha1`, folder `tawon-stream` to keep it
 * apart from the Streaming Runtime's Stream): one JetStream stream on a StreamStore, with limits
 * resolved against the store, updated in place, healed on resync, deleted through a finalizer.
 *
 * Watch configuration: watches StreamStores, mapped to the Streams that name them, so a change of
 * a store's defaults or limits (or its coming up) re-checks its Streams.
 */
import { TawonStreamKind, defineFunction } from '../../shared/index.js';
import { finalizeTawonStream } from './finalize.js';
import { isUnmanaged } from './ownership.js';
import { reconcileTawonStream } from './reconcile.js';
import { parseTawonStream } from './spec.js';
import { STREAM_FINALIZER, tawonStreamWatch } from './watch.js';

export { STREAM_FINALIZER, phaseChanged, storeToStreams } from './watch.js';

export const tawonStreamFunction = defineFunction({
  kind: TawonStreamKind,
  parse: parseTawonStream,
  reconcile: reconcileTawonStream,
  finalize: finalizeTawonStream,
  finalizer: STREAM_FINALIZER,
  // An unmanaged Stream holds no finalizer: Sluice will not delete its JetStream stream.
  keepsFinalizer: (obj) => !isUnmanaged(obj),
  watch: tawonStreamWatch,
});

export { FORCE_DELETE_ANNOTATION, GIVE_UP_AFTER_MS } from './finalize.js';
export { jetStreamName, streamSubject } from './naming.js';
