/**
 * @module runtime/history/keys
 * Every Redis key the history and the queue-state read name, in one place. All of a kind's keys
 * share its queue's hash tag (`{<kind>.<group>}`), so one script call may touch many objects of a
 * kind, also on Redis Cluster:
 * - `<prefix>:{<queue>}:history:<object key>`: an object's records, a list, newest first;
 * - `<prefix>:{<queue>}:dead`: the kind's dead letters, a sorted set of object keys by failure time;
 * - `<prefix>:{<queue>}:de:<object key>` and `…:dn:<object key>`: BullMQ's deduplication key of the
 *   object (its job id) and the event parked while its job runs, read, never written.
 * The object key is {@link jobKey}'s (`group/Kind/namespace or _/name`).
 */
import { jobKey, type ObjectRef } from '../kube/object-ref.js';
import type { KindInfo } from '../registry.js';

type Named = Pick<ObjectRef, 'group' | 'kind' | 'namespace' | 'name'>;

/** The object key of `ref` (its jobs' deduplication id). */
export function objectKey(ref: Named): string {
  return jobKey(ref);
}

/** The base of a kind's queue keys, as BullMQ builds them: `<prefix>:<queue>:`. */
export function queueKeyBase(prefix: string, kind: KindInfo): string {
  return `${prefix}:${kind.queue}:`;
}

/** The history list of one object. */
export function historyKey(prefix: string, kind: KindInfo, ref: Named): string {
  return `${queueKeyBase(prefix, kind)}history:${objectKey(ref)}`;
}

/** The dead-letter set of one kind. */
export function deadLetterKey(prefix: string, kind: KindInfo): string {
  return `${queueKeyBase(prefix, kind)}dead`;
}

/** BullMQ's deduplication key of an object: it holds the id of the object's job. */
export function dedupKey(prefix: string, kind: KindInfo, ref: Named): string {
  return `${queueKeyBase(prefix, kind)}de:${objectKey(ref)}`;
}

/** The key of the event parked while the object's job runs (its follow-up). */
export function parkedKey(prefix: string, kind: KindInfo, ref: Named): string {
  return `${queueKeyBase(prefix, kind)}dn:${objectKey(ref)}`;
}

/** The reference an object key (a dead-letter member) stands for. */
export function refOfKey(kind: KindInfo, key: string): ObjectRef | undefined {
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
