/**
 * @module bench/lib/redis-requests
 * Counts, in this process, what its Redis clients send to servers: `requests` (every command a
 * client writes, one per EVALSHA however many commands the script runs inside Redis) and
 * `roundTrips` (requests, with a pipeline or MULTI of n commands counted once, since it goes in
 * one write and waits for one batch of replies). `INFO commandstats` cannot tell these apart: it
 * also counts the commands a Lua script calls.
 *
 * It wraps ioredis' `Redis.prototype.sendCommand` (every command reaches a node through it, a
 * Cluster's and a pipeline's included) and `Pipeline.prototype.exec`. Benchmark use only: the
 * cost is one increment per command. Commands replayed from the offline queue at (re)connect
 * are counted again, which is what the wire sees.
 */
import { Cluster, Pipeline, Redis } from 'ioredis';
import type { RedisClient } from '../../runtime/index.js';

export interface RedisRequestCounts {
  readonly requests: number;
  readonly roundTrips: number;
}

let requests = 0;
let pipelined = 0;
let installed = false;

/** Starts counting (idempotent); call before the clients to count are created. */
export function countRedisRequests(): void {
  if (installed) return;
  installed = true;
  // The originals, called with the instance as `this` below (never detached from one).
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const send = Redis.prototype.sendCommand;
  Redis.prototype.sendCommand = function (this: Redis, ...args: Parameters<typeof send>) {
    requests++;
    return send.apply(this, args);
  };
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const exec = Pipeline.prototype.exec;
  Pipeline.prototype.exec = function (this: Pipeline, ...args: Parameters<typeof exec>) {
    // The commands of one pipeline share one round trip: all but one are not extra trips.
    pipelined += Math.max(0, this.length - 1);
    return exec.apply(this, args);
  };
}

/** The counts since {@link countRedisRequests}. */
export function redisRequestCounts(): RedisRequestCounts {
  return { requests, roundTrips: requests - pipelined };
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
