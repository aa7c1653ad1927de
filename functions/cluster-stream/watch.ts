/**
 * @module functions/cluster-stream/watch
 * What makes a ClusterStream reconcile besides its own changes: its binding Secret (owned), any
 * Stream that names it or is named by its claim, so that a Stream's deletion (a release) is
 * noticed at once rather than at the next resync, and the deletion of the BrokerClaim it waits
 * for (its topic's owner let go), so that it takes the topic over at once.
 */
import { ClusterStreamKind } from '../../shared/kinds.js';
import { type ObjectRef } from '../../runtime/kube/object-ref.js';
import { type KubeObject } from '../../runtime/kube/types.js';
import { enqueueMapped, uniqueRefs, type Mapper } from '../../runtime/controller/mappers.js';
import { resourceVersionChanged, type Predicate } from '../../runtime/controller/predicates.js';
import { isRecord } from '../../runtime/util.js';
import { defaultClusterStreamName } from '../../shared/tanzu/names.js';

function clusterStreamRef(name: string): ObjectRef {
  return {
    group: ClusterStreamKind.group,
    version: ClusterStreamKind.version,
    kind: ClusterStreamKind.kind,
    name,
  };
}

/** The ClusterStream a Stream names (explicitly, by default, or in its status). */
export function clusterStreamNamesOf(stream: KubeObject): string[] {
  const spec = isRecord(stream.spec) ? stream.spec : {};
  const storage = isRecord(spec.storage) ? spec.storage : {};
  const status = isRecord(stream.status) ? stream.status : {};
  const names = [
    typeof storage.clusterStream === 'string' && storage.clusterStream
      ? storage.clusterStream
      : defaultClusterStreamName(stream.metadata.name ?? ''),
    typeof status.clusterStream === 'string' ? status.clusterStream : '',
  ];
  return names.filter(Boolean);
}

/** Stream → the ClusterStreams it names, and those whose claim names it. */
export const streamToClusterStreams: Mapper = enqueueMapped((stream, stores) => {
  const { namespace, name } = stream.metadata;
  const claimed = stores.list(ClusterStreamKind).filter((cs) => {
    const spec = isRecord(cs.spec) ? cs.spec : {};
    const ref = isRecord(spec.claimRef) ? spec.claimRef : {};
    return ref.name === name && (ref.namespace ?? '') === (namespace ?? '');
  });
  return uniqueRefs([
    ...clusterStreamNamesOf(stream).map(clusterStreamRef),
    ...claimed.map((cs) => clusterStreamRef(cs.metadata.name ?? '')),
  ]);
});

/**
 * An owned binding Secret changed after it was first seen; its deletion always passes (the
 * dispatcher never filters deletions). Its first sighting does not: the only writer that creates
 * a Secret owned by a ClusterStream is that ClusterStream's reconcile, which goes on to write the
 * status from what it applied, so the creation's event would only buy a second, identical
 * reconcile (it arrives while the first one still runs, and is run right after it). A Secret seen
 * first in a full list belongs to a ClusterStream that the same list queues anyway.
 */
export const ownedSecretChanged: Predicate = (old, cur) =>
  old !== undefined && resourceVersionChanged(old, cur);
