/**
 * @module functions/stream-store
 * The StreamStore function (`tawon.mantisnet.com/v1alpha1`): a NATS JetStream server run as a
 * StatefulSet, with the defaults and hard limits of the Streams it hosts.
 *
 * Watch configuration:
 * - owns its StatefulSet, Services and ConfigMap (so a Pod becoming ready updates the phase);
 * - watches Tawon Streams, mapped to the store they name (`spec.store.name`), so
 *   `status.streams` stays true.
 */
import {
  Builtin,
  StreamStoreKind,
  TawonStreamKind,
  deletionChanged,
  defineFunction,
  enqueueMapped,
  generationChanged,
  or,
  type KubeObject,
  type Mapper,
  type ObjectRef,
} from '../../shared/index.js';
import { reconcileStreamStore, storeNameOf } from './reconcile.js';
import { parseStreamStore } from './spec.js';

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

export const streamStoreFunction = defineFunction({
  kind: StreamStoreKind,
  parse: parseStreamStore,
  reconcile: reconcileStreamStore,
  watch: {
    owns: [{ kind: Builtin.StatefulSet }, { kind: Builtin.Service }, { kind: Builtin.ConfigMap }],
    watches: [
      {
        kind: TawonStreamKind,
        mapper: enqueueMapped(streamToStore),
        predicate: or(generationChanged, deletionChanged),
      },
    ],
  },
});

export { parseStreamStore } from './spec.js';
export { reconcileStreamStore } from './reconcile.js';
