/**
 * @module bench/lib/redis-requests
 * Counts, in this process, what its Redis clients send to servers: `requests` (every command a
 * client writes, one per EVALSHA however many commands the script runs inside Redis) and
 * `roundTrips` (requests, with a pipeline or MULTI of n commands counted once, since it goes in
 * one write and waits for one batch of replies). `INFO commandstats` cannot tell these apart: it
 * also counts the commands a Lua script calls.
 *
 * It wraps ioredis' `Redis.prototype.sendCommand`: every command reaches a node through it, a
 * Cluster's and a pipeline's included (a pipeline's commands carry the pipeline's write buffer). Benchmark use only: the
 * cost is one increment per command. Commands replayed from the offline queue at (re)connect
 * are counted again, which is what the wire sees.
 */
import { Cluster, Redis } from 'ioredis';
import type { RedisClient } from '../../runtime/index.js';

export interface RedisRequestCounts {
  readonly requests: number;
  readonly roundTrips: number;
}

let requests = 0;
let roundTrips = 0;
/** The write buffers of pipelines seen: one per pipeline (or MULTI) sent, a retry gets a new one. */
const pipelines = new WeakSet<object>();
let installed = false;

/** Starts counting (idempotent); call before the clients to count are created. */
export function countRedisRequests(): void {
  if (installed) return;
  installed = true;
  // The original, called with the instance as `this` below (never detached from one).
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const send = Redis.prototype.sendCommand;
  Redis.prototype.sendCommand = function (this: Redis, ...args: Parameters<typeof send>) {
    requests++;
    // A pipeline hands each of its commands over with its own write buffer, flushed in one write.
    const stream: unknown = args[1];
    if (typeof stream !== 'object' || stream === null) roundTrips++;
    else if (!pipelines.has(stream)) {
      pipelines.add(stream);
      roundTrips++;
    }
    return send.apply(this, args);
  };
}

/** The counts since {@link countRedisRequests}. */
export function redisRequestCounts(): RedisRequestCounts {
  return { requests, roundTrips };
}

/** Redis `INFO commandstats`: command → calls since the server started (summed over a Cluster's primaries). */
export async function commandStats(redis: RedisClient): Promise<Map<string, number>> {
  // A Cluster client knows its nodes once it is ready.
  await redis.ping();
  const texts =
    redis instanceof Cluster
      ? await Promise.all(redis.nodes('master').map((n) => n.info('commandstats')))
      : [await redis.info('commandstats')];
  const out = new Map<string, number>();
  for (const text of texts)
    for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
      out.set(m[1] ?? '', (out.get(m[1] ?? '') ?? 0) + Number(m[2]));
  return out;
}
