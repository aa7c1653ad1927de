/**
 * @module runtime/redis/slots
 * Redis Cluster slots of Sluice's keys, computed as ioredis and Redis compute them (the
 * `cluster-key-slot` package): the evidence that every key of one queue stays in one slot and
 * that the kinds' queues spread over the cluster.
 */
import generate from 'cluster-key-slot';

/** Number of slots of a Redis Cluster. */
export const SLOTS = 16384;

/** The slot (0–16383) of `key`, honouring its first non-empty `{hash tag}`. */
export function keySlot(key: string): number {
  return generate(key);
}

/** The slot all of `keys` share, or `undefined` when they do not share one. */
export function commonSlot(keys: readonly string[]): number | undefined {
  const slot = generate.generateMulti(keys);
  return slot < 0 ? undefined : slot;
}

/**
 * Which of `primaries` equal slot ranges a slot falls in, as `redis-cli --cluster create`
 * splits the slots (0-based): a way to see how queues spread without a running cluster.
 */
export function evenShard(slot: number, primaries: number): number {
  return Math.min(primaries - 1, Math.floor((slot * primaries) / SLOTS));
}
