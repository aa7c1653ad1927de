/**
 * @module runtime/kube/keys
 * Every key Sluice builds from a kind or an object, in one place, one function per form.
 *
 * | form | function | where it lives |
 * | --- | --- | --- |
 * | `group/Kind/namespace/name` (`core`, `_`) | {@link jobKey} | BullMQ deduplication ids, Redis (persisted) |
 * | `dn:` + job key | {@link parkedEventKey} | BullMQ's parked-add key, Redis (persisted) |
 * | `{kind.group}` | {@link queueName} | BullMQ queue names, Redis and the chart (persisted) |
 * | `group/Kind` | {@link kindKey} | the kind registry; part of the source key |
 * | `group/Kind` + `#metadata` | {@link sourceKey} | a shared watch; part of the checkpoint key |
 * | `<prefix>:{dispatcher}:rv:<source>` | {@link checkpointKey} | saved resourceVersions, Redis (persisted) |
 * | `<prefix>:{dispatcher}:epoch` | {@link epochKey} | the Redis data-loss marker (persisted) |
 * | `<prefix>:{dispatcher}:*` | {@link dispatcherKeyPatterns} | all of the dispatcher's keys (the demo's clean-up) |
 * | `<prefix>:dispatcher:…` | {@link legacyCheckpointKey}, {@link legacyEpochKey} | the same before the hash tag, read once on upgrade |
 * | `<prefix>:<queue>:history:<job key>` | {@link historyKey} | an object's reconcile history, a list, newest first (persisted) |
 * | `<prefix>:<queue>:dead` | {@link deadLetterKey} | a kind's dead letters, job keys by failure time (persisted) |
 * | `<prefix>:<queue>:de:<job key>`, `…:dn:<job key>` | {@link dedupKey}, {@link parkedKey} | BullMQ's deduplication and parked-add keys of an object, read by the queue-state script |
 * | `namespace/name` or `name` | {@link namespacedName}, {@link storeKey}, {@link displayName} | caches, logs, messages, annotations |
 * | uid, else `namespace/name` | {@link identityKey} | change caches that must tell a recreated object from the old one |
 *
 * Warning: the persisted forms must stay byte-identical across releases, so that an upgraded
 * dispatcher and its workers find the jobs, parked events, queues and checkpoints the previous
 * release left in Redis (a changed job key would give one object two jobs; a changed checkpoint
 * key would re-list every kind as new). Change them only with a migration.
 *
 * Names of broker objects' claims (`shared/ownership/broker-object.ts`) are a hash of the broker
 * object, not of a Kubernetes object, and stay with the ownership code.
 */
import type { ObjectRef } from './object-ref.js';
import type { ResourceType } from './resources.js';
import type { KubeObject } from './types.js';
import type { KindInfo } from '../registry.js';

/** The group as keys spell it: `core` for the core group (`''`). */
function groupOf(t: Pick<ResourceType, 'group'>): string {
  return t.group || 'core';
}

/**
 * The deterministic key of an object: `group/Kind/namespace/name`, with `_` for the namespace
 * of cluster-scoped objects and `core` for the core group. It is the deduplication id of the
 * object's jobs (persisted).
 * @example jobKey({ group: 'streambus.io', kind: 'StreamBusCluster', namespace: 'a', name: 'b' }) // 'streambus.io/StreamBusCluster/a/b'
 */
export function jobKey(ref: Pick<ObjectRef, 'group' | 'kind' | 'namespace' | 'name'>): string {
  return `${groupOf(ref)}/${ref.kind}/${ref.namespace ?? '_'}/${ref.name}`;
}

/**
 * The key (below the queue's prefix) where BullMQ parks the add that arrived while the object's
 * job was active (`keepLastIfActive`); it becomes the job's follow-up when the job ends.
 */
export function parkedEventKey(ref: Pick<ObjectRef, 'group' | 'kind' | 'namespace' | 'name'>): string {
  return `dn:${jobKey(ref)}`;
}

/** The BullMQ queue of a kind: `{<kind>.<group>}`; the braces keep a queue on one Redis Cluster slot. */
export function queueName(t: Pick<ResourceType, 'group' | 'kind'>): string {
  return `{${t.kind.toLowerCase()}.${groupOf(t)}}`;
}

/** `group/Kind`, the registry key of a kind (the version is not part of it). */
export function kindKey(t: Pick<ResourceType, 'group' | 'kind'>): string {
  return `${groupOf(t)}/${t.kind}`;
}

/** The key of a shared watch: the kind's key, with `#metadata` for a metadata-only watch. */
export function sourceKey(t: Pick<ResourceType, 'group' | 'kind'>, metadataOnly: boolean): string {
  return `${kindKey(t)}${metadataOnly ? '#metadata' : ''}`;
}

/**
 * A key of the dispatcher's own state under the queue prefix. The `{dispatcher}` hash tag puts
 * all of them in one Redis Cluster slot, so the checkpoints can be written in one `MSET`. (A
 * prefix that holds braces itself gives the tag instead; the keys still share a slot.)
 */
function dispatcherKey(prefix: string, rest: string): string {
  return `${prefix}:{dispatcher}:${rest}`;
}

/** Where the dispatcher saves how far the watch `source` ({@link sourceKey}) got. */
export function checkpointKey(prefix: string, source: string): string {
  return dispatcherKey(prefix, `rv:${source}`);
}

/** The dispatcher's epoch marker, whose disappearance means Redis lost its data. */
export function epochKey(prefix: string): string {
  return dispatcherKey(prefix, 'epoch');
}

/** {@link checkpointKey} as releases before the hash tag wrote it; read once on upgrade. */
export function legacyCheckpointKey(prefix: string, source: string): string {
  return `${prefix}:dispatcher:rv:${source}`;
}

/** {@link epochKey} as releases before the hash tag wrote it; read once on upgrade. */
export function legacyEpochKey(prefix: string): string {
  return `${prefix}:dispatcher:epoch`;
}

/**
 * Redis `KEYS`/`SCAN` patterns that match every key of the dispatcher's own state, the legacy
 * forms included. (Braces are not special in Redis patterns.)
 */
export function dispatcherKeyPatterns(prefix: string): readonly string[] {
  return [dispatcherKey(prefix, '*'), `${prefix}:dispatcher:*`];
}

/** `namespace/name`, or `name` when there is no namespace (cluster-scoped, or `''`). */
export function namespacedName(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** The reflector-cache key of an object: {@link namespacedName} of its metadata. */
export function storeKey(obj: KubeObject): string {
  return namespacedName(obj.metadata.namespace, obj.metadata.name ?? '');
}

/** `namespace/name` or `name`, for logs and messages. */
export function displayName(ref: Pick<ObjectRef, 'namespace' | 'name'>): string {
  return namespacedName(ref.namespace, ref.name);
}

/**
 * The UID of an object, else `namespace/name` (with an empty namespace for a cluster-scoped
 * one): the key of caches that must treat a recreated object (a new UID) as new, and of the
 * resync slot (a hash of it, so an object keeps its slot across restarts).
 */
export function identityKey(obj: KubeObject): string {
  return obj.metadata.uid ?? `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

/**
 * The base of a kind's queue keys, as BullMQ builds them: `<prefix>:<queue>:`. History and dead
 * letters live under it, so every key of a kind shares the queue's hash tag (one Cluster slot, so
 * one script call may touch many objects of a kind).
 */
export function queueKeyBase(prefix: string, kind: Pick<KindInfo, 'queue'>): string {
  return `${prefix}:${kind.queue}:`;
}

/** The history list of one object (persisted). */
export function historyKey(
  prefix: string,
  kind: Pick<KindInfo, 'queue'>,
  ref: Pick<ObjectRef, 'group' | 'kind' | 'namespace' | 'name'>,
): string {
  return `${queueKeyBase(prefix, kind)}history:${jobKey(ref)}`;
}

/** The dead-letter set of one kind (persisted). */
export function deadLetterKey(prefix: string, kind: Pick<KindInfo, 'queue'>): string {
  return `${queueKeyBase(prefix, kind)}dead`;
}

/** BullMQ's deduplication key of an object: it holds the id of the object's job (read, never written). */
export function dedupKey(
  prefix: string,
  kind: Pick<KindInfo, 'queue'>,
  ref: Pick<ObjectRef, 'group' | 'kind' | 'namespace' | 'name'>,
): string {
  return `${queueKeyBase(prefix, kind)}de:${jobKey(ref)}`;
}

/** The full Redis key of {@link parkedEventKey} (read, never written). */
export function parkedKey(
  prefix: string,
  kind: Pick<KindInfo, 'queue'>,
  ref: Pick<ObjectRef, 'group' | 'kind' | 'namespace' | 'name'>,
): string {
  return `${queueKeyBase(prefix, kind)}${parkedEventKey(ref)}`;
}

/** The reference a {@link jobKey} of `kind` stands for (a dead-letter member), if it is one. */
export function refOfJobKey(
  kind: Pick<KindInfo, 'group' | 'version' | 'kind'>,
  key: string,
): ObjectRef | undefined {
  const parts = key.split('/');
  if (parts.length !== 4) return undefined;
  const [, , ns, name] = parts;
  if (!name) return undefined;
  return {
    group: kind.group,
    version: kind.version,
    kind: kind.kind,
    name,
    ...(ns && ns !== '_' ? { namespace: ns } : {}),
  };
}
