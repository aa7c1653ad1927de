/**
 * @module runtime/history/reader
 * Reading what {@link HistoryWriter} wrote: one object's records, a kind's dead letters, and the
 * whole report on one object (its conditions, its place in the queue and its history) that the
 * HTTP API, `sluice history` and the dashboard show.
 */
import type { RedisClient } from '../redis/connection.js';
import type { KubeClient } from '../kube/client.js';
import { conditionsOf } from '../kube/conditions.js';
import type { ObjectRef } from '../kube/object-ref.js';
import type { Condition } from '../kube/types.js';
import type { KindInfo } from '../registry.js';
import { isPaused } from '../controller/pause.js';
import { deadLetterKey, historyKey, refOfJobKey } from '../kube/keys.js';
import { parseRecord, type HistoryRecord } from './record.js';
import { readQueueState, type QueueState } from './queue-state.js';

/** An object's records, newest first (entries that cannot be read are skipped). */
export async function readHistory(
  redis: RedisClient,
  prefix: string,
  kind: KindInfo,
  ref: ObjectRef,
): Promise<HistoryRecord[]> {
  const items = await redis.lrange(historyKey(prefix, kind, ref), 0, -1);
  return items.map(parseRecord).filter((r): r is HistoryRecord => r !== undefined);
}

/** One object of a kind whose last reconcile failed. */
export interface DeadLetter {
  readonly namespace?: string;
  readonly name: string;
  /** When it last failed (Unix ms). */
  readonly failedAt: number;
  /** Its newest record, when still kept. */
  readonly last?: HistoryRecord;
}

/** The objects of `kind` whose last reconcile failed (retried or terminal), most recent first. */
export async function readDeadLetters(
  redis: RedisClient,
  prefix: string,
  kind: KindInfo,
  limit = 100,
): Promise<DeadLetter[]> {
  const flat = await redis.zrevrange(deadLetterKey(prefix, kind), 0, limit - 1, 'WITHSCORES');
  const out: DeadLetter[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const ref = refOfJobKey(kind, flat[i] ?? '');
    if (!ref) continue;
    const newest = await redis.lindex(historyKey(prefix, kind, ref), 0);
    const last = newest === null ? undefined : parseRecord(newest);
    out.push({
      name: ref.name,
      ...(ref.namespace ? { namespace: ref.namespace } : {}),
      failedAt: Number(flat[i + 1]),
      ...(last ? { last } : {}),
    });
  }
  return out;
}

/** Everything Sluice can say about why an object is (not) ready. */
export interface ObjectReport {
  readonly kind: string;
  readonly apiVersion: string;
  readonly namespace?: string;
  readonly name: string;
  /** Whether the object exists now. */
  readonly exists: boolean;
  readonly generation?: number;
  readonly resourceVersion?: string;
  readonly observedGeneration?: number;
  /** Whether it carries the pause annotation (`sluice.io/paused`). */
  readonly paused: boolean;
  readonly conditions: readonly Condition[];
  readonly queue: QueueState;
  readonly history: readonly HistoryRecord[];
}

/**
 * Reads an object (through `kube`: the caller's rights to read it are those of that client), its
 * queue state and its history.
 */
export async function objectReport(
  kube: KubeClient,
  redis: RedisClient,
  prefix: string,
  kind: KindInfo,
  namespace: string | undefined,
  name: string,
): Promise<ObjectReport> {
  const ref: ObjectRef = {
    group: kind.group,
    version: kind.version,
    kind: kind.kind,
    name,
    ...(namespace ? { namespace } : {}),
  };
  const [obj, queue, history] = await Promise.all([
    kube.get(kind, namespace, name),
    readQueueState(redis, prefix, kind, ref),
    readHistory(redis, prefix, kind, ref),
  ]);
  const status = obj?.status as { observedGeneration?: unknown } | undefined;
  return {
    kind: kind.kind,
    apiVersion: kind.group ? `${kind.group}/${kind.version}` : kind.version,
    ...(namespace ? { namespace } : {}),
    name,
    exists: obj !== undefined,
    ...(obj?.metadata.generation === undefined ? {} : { generation: obj.metadata.generation }),
    ...(obj?.metadata.resourceVersion ? { resourceVersion: obj.metadata.resourceVersion } : {}),
    ...(typeof status?.observedGeneration === 'number'
      ? { observedGeneration: status.observedGeneration }
      : {}),
    paused: obj !== undefined && isPaused(obj),
    conditions: conditionsOf(obj?.status),
    queue,
    history,
  };
}
