/**
 * @module functions/tawon-stream/watch
 * What triggers a Tawon Stream reconcile besides its own changes: its StreamStore, mapped to the
 * Streams that name it, so a change of a store's defaults or limits (or its coming up) re-checks its
 * Streams; and the deletion of the BrokerClaim a Stream waits for, so that it takes over at once.
 */
import { TawonStreamKind } from '../../shared/kinds.js';
import { refOf } from '../../runtime/kube/object-ref.js';
import { type Mapper } from '../../runtime/controller/mappers.js';
import { type Predicate } from '../../runtime/controller/predicates.js';
import { storeNameOf } from '../../shared/tawon/store-name.js';
import { isRecord } from '../../runtime/util.js';

/** The finalizer through which a Tawon Stream's deletion deletes its JetStream stream. */
export const STREAM_FINALIZER = 'tawon.mantisnet.com/stream';

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
