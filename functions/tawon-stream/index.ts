/**
 * @module functions/tawon-stream
 * The Tawon Stream function (`tawon.mantisnet.com/v1alpha1`, folder `tawon-stream` to keep it
 * apart from the Streaming Runtime's Stream): one JetStream stream on a StreamStore, with limits
 * resolved against the store, updated in place, healed on resync, deleted through a finalizer.
 *
 * Watch configuration: watches StreamStores, mapped to the Streams that name them, so a change of
 * a store's defaults or limits (or its coming up) re-checks its Streams.
 */
import {
  StreamStoreKind,
  TawonStreamKind,
  defineFunction,
  deletionChanged,
  enqueueMapped,
  generationChanged,
  isRecord,
  or,
  refOf,
  type KubeObject,
  type Mapper,
  type Predicate,
} from '../../shared/index.js';
import { STREAM_FINALIZER, finalizeTawonStream } from './finalize.js';
import { reconcileTawonStream } from './reconcile.js';
import { parseTawonStream } from './spec.js';

function storeNameOf(stream: KubeObject): string | undefined {
  const store = isRecord(stream.spec) ? stream.spec.store : undefined;
  return isRecord(store) && typeof store.name === 'string' ? store.name : undefined;
}

/** Maps a StreamStore to the Tawon Streams in its namespace that name it. */
export const storeToStreams: Mapper = (store, stores) =>
  stores
    .list(TawonStreamKind)
    .filter(
      (s) => s.metadata.namespace === store.metadata.namespace && storeNameOf(s) === store.metadata.name,
    )
    .map((s) => refOf(TawonStreamKind, s));

/** The store's phase changed (for example it came up). */
export const phaseChanged: Predicate = (old, cur) =>
  !old ||
  (isRecord(old.status) ? old.status.phase : undefined) !==
    (isRecord(cur.status) ? cur.status.phase : undefined);

export const tawonStreamFunction = defineFunction({
  kind: TawonStreamKind,
  parse: parseTawonStream,
  reconcile: reconcileTawonStream,
  finalize: finalizeTawonStream,
  finalizer: STREAM_FINALIZER,
  watch: {
    watches: [
      {
        kind: StreamStoreKind,
        mapper: enqueueMapped(storeToStreams),
        predicate: or(generationChanged, deletionChanged, phaseChanged),
      },
    ],
  },
});

export { FORCE_DELETE_ANNOTATION, GIVE_UP_AFTER_MS, STREAM_FINALIZER } from './finalize.js';
export { jetStreamName, streamSubject } from './naming.js';
