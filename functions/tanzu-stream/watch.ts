/**
 * @module functions/tanzu-stream/watch
 * What makes a Stream reconcile besides its own changes: its binding Secret (owned); any change of
 * a ClusterStream it is bound to (its claim) or names (by `spec.storage.clusterStream` or the
 * default `<name>-cluster-stream`, found in the dispatcher's Stream cache); and a change of a
 * ClusterStream's binding Secret in the operator's namespace (credentials rotated), mapped through
 * the owning ClusterStream's claim.
 */
import { ClusterStreamKind, TanzuStreamKind } from '../../shared/kinds.js';
import { type ObjectRef } from '../../runtime/kube/object-ref.js';
import { type KubeObject } from '../../runtime/kube/types.js';
import {
  enqueueMapped,
  uniqueRefs,
  type Mapper,
  type StoreLookup,
} from '../../runtime/controller/mappers.js';
import { isRecord } from '../../runtime/util.js';
import { defaultClusterStreamName } from '../../shared/tanzu/names.js';

function streamRef(namespace: string, name: string): ObjectRef {
  return {
    group: TanzuStreamKind.group,
    version: TanzuStreamKind.version,
    kind: TanzuStreamKind.kind,
    namespace,
    name,
  };
}

/** The ClusterStream name a Stream object refers to. */
function referencedName(stream: KubeObject): string {
  const spec = isRecord(stream.spec) ? stream.spec : {};
  const storage = isRecord(spec.storage) ? spec.storage : {};
  return typeof storage.clusterStream === 'string' && storage.clusterStream.trim()
    ? storage.clusterStream.trim()
    : defaultClusterStreamName(stream.metadata.name ?? '');
}

function claimOf(cs: KubeObject): ObjectRef[] {
  const spec = isRecord(cs.spec) ? cs.spec : {};
  const ref = isRecord(spec.claimRef) ? spec.claimRef : {};
  return typeof ref.name === 'string' && typeof ref.namespace === 'string'
    ? [streamRef(ref.namespace, ref.name)]
    : [];
}

function streamsFor(cs: KubeObject, stores: StoreLookup): ObjectRef[] {
  const name = cs.metadata.name ?? '';
  const naming = stores
    .list(TanzuStreamKind)
    .filter((s) => referencedName(s) === name)
    .map((s) => streamRef(s.metadata.namespace ?? '', s.metadata.name ?? ''));
  return uniqueRefs([...claimOf(cs), ...naming]);
}

/** ClusterStream → the Stream it is bound to and every Stream that names it. */
export const clusterStreamToStreams: Mapper = enqueueMapped(streamsFor);

/** A ClusterStream's binding Secret → the Streams of its owning ClusterStream. */
export const bindingSecretToStreams: Mapper = enqueueMapped((secret, stores) =>
  uniqueRefs(
    (secret.metadata.ownerReferences ?? [])
      .filter(
        (r) => r.kind === ClusterStreamKind.kind && r.apiVersion.startsWith(`${ClusterStreamKind.group}/`),
      )
      .flatMap((r) => {
        const cs = stores.get(ClusterStreamKind, undefined, r.name);
        return cs ? streamsFor(cs, stores) : [];
      }),
  ),
);
