/**
 * @module functions/stream-store/watch
 * What triggers a StreamStore reconcile besides its own changes: the objects it owns, and the Tawon
 * Streams that name it (its status counts them). Light on purpose (no handler code), so that the
 * dispatcher can load it alone.
 */
import { StreamStoreKind, TawonStreamKind } from '../../shared/kinds.js';
import type { ObjectRef } from '../../shared/kube/object-ref.js';
import { Builtin } from '../../shared/kube/resources.js';
import type { KubeObject } from '../../shared/kube/types.js';
import { enqueueMapped, type Mapper } from '../../shared/runtime/mappers.js';
import { deletionChanged, generationChanged, or } from '../../shared/runtime/predicates.js';
import type { WatchConfig, WatchRegistration } from '../../shared/runtime/registration.js';
import { storeNameOf } from '../../shared/tawon/store-name.js';

/**
 * Maps a Tawon Stream to the store it names. (A Stream moved to another store leaves the old
 * store's count stale until that store's next event or resync.)
 */
export const streamToStore: Mapper = (stream: KubeObject): ObjectRef[] => {
  const namespace = stream.metadata.namespace;
  const name = storeNameOf(stream);
  if (!namespace || !name) return [];
  return [
    {
      group: StreamStoreKind.group,
      version: StreamStoreKind.version,
      kind: StreamStoreKind.kind,
      namespace,
      name,
    },
  ];
};

export const streamStoreWatch: WatchConfig = {
  owns: [{ kind: Builtin.StatefulSet }, { kind: Builtin.Service }, { kind: Builtin.ConfigMap }],
  watches: [
    {
      kind: TawonStreamKind,
      mapper: enqueueMapped(streamToStore),
      predicate: or(generationChanged, deletionChanged),
    },
  ],
};

export const streamStoreWatchRegistration: WatchRegistration = {
  kind: StreamStoreKind,
  watch: streamStoreWatch,
  finalizer: undefined,
};
