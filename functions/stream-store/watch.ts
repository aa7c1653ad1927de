/**
 * @module functions/stream-store/watch
 * What triggers a StreamStore reconcile besides its own changes: the objects it owns, and the Tawon
 * Streams that name it (its status counts them).
 */
import { StreamStoreKind } from '../../shared/kinds.js';
import type { ObjectRef } from '../../runtime/kube/object-ref.js';
import type { KubeObject } from '../../runtime/kube/types.js';
import { type Mapper } from '../../runtime/controller/mappers.js';
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
