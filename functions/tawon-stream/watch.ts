/**
 * @module functions/tawon-stream/watch
 * What triggers a Tawon Stream reconcile besides its own changes: its StreamStore, mapped to the
 * Streams that name it, so a change of a store's defaults or limits (or its coming up) re-checks its
 * Streams; and the deletion of the BrokerClaim a Stream waits for, so that it takes over at once. Light on purpose (no handler code), so that the dispatcher can load it alone.
 */
import { StreamStoreKind, TawonStreamKind } from '../../shared/kinds.js';
import { refOf } from '../../shared/kube/object-ref.js';
import { enqueueMapped, type Mapper } from '../../shared/runtime/mappers.js';
import { deletionChanged, generationChanged, or, type Predicate } from '../../shared/runtime/predicates.js';
import type { WatchConfig, WatchRegistration } from '../../shared/runtime/registration.js';
import { storeNameOf } from '../../shared/tawon/store-name.js';
import { isRecord } from '../../shared/util.js';
import { claimReleasedWatch } from '../../shared/ownership/watch.js';

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

export const tawonStreamWatch: WatchConfig = {
  watches: [
    {
      kind: StreamStoreKind,
      mapper: enqueueMapped(storeToStreams),
      predicate: or(generationChanged, deletionChanged, phaseChanged),
    },
    // The deletion of a claim a Stream waits for: it takes the JetStream stream over at once.
    claimReleasedWatch(TawonStreamKind),
  ],
};

export const tawonStreamWatchRegistration: WatchRegistration = {
  kind: TawonStreamKind,
  watch: tawonStreamWatch,
  finalizer: STREAM_FINALIZER,
};
