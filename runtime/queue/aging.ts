/**
 * @module runtime/queue/aging
 * Aging: no job waits in a queue's prioritized set (resyncs, re-lists, fairness overflow) longer
 * than a bound, however many fresh events keep arriving. The leading dispatcher runs
 * {@link runAging}; each tick asks one script per queue for the jobs that waited longer than the
 * bound and moves them to the front of the wait list, oldest first, where the next free worker
 * takes them.
 *
 * How the script finds them cheaply: BullMQ scores a prioritized job `priority * 2^32 + n`, with
 * `n` a counter, so each priority level is FIFO. The script walks the levels present (one range
 * query each) and reads jobs from the head of each level while they are older than the bound. A
 * job's wait starts when it was added or, after a retry or requeueAfter, when its delay ended
 * (`processedOn + delay`).
 *
 * Guarantees: a prioritized job reaches the wait list's front within the bound plus one tick
 * (the tick is a quarter of the bound, at most 5 s); it then waits only for the jobs promoted with
 * it and a free worker. Costs: per queue and tick, one script of O(levels · log N) plus one read
 * per job checked, and one `changePriority` per promoted job (sent together, one round trip).
 * It works on Redis Cluster: a queue's keys share one hash tag.
 */
import { Job, type Queue } from 'bullmq';
import { messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import type { SluiceMetrics } from '../metrics.js';
import { pause } from '../util.js';
import { PRIORITY_SCORE_FACTOR } from './options.js';

/**
 * KEYS[1] the prioritized set. ARGV: 1 the job hash prefix, 2 the cutoff (ms: a wait that began
 * at or before it is too long), 3 the most ids to return, 4 the score factor (2^32).
 * Returns {oldest wait start among the level heads (or false), ids oldest first}.
 */
const FIND_AGED = `
local factor = tonumber(ARGV[4])
local cutoff = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local out, oldest = {}, false
local from = '-inf'
local function since(id)
  local h = redis.call('HMGET', ARGV[1] .. id, 'timestamp', 'processedOn', 'delay')
  local t = tonumber(h[1]) or 0
  local ran = tonumber(h[2])
  if ran then t = math.max(t, ran + (tonumber(h[3]) or 0)) end
  return t
end
while true do
  local head = redis.call('ZRANGEBYSCORE', KEYS[1], from, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  if #head == 0 then break end
  local level = math.floor(tonumber(head[2]) / factor)
  local lo = string.format('%.0f', level * factor)
  local hi = '(' .. string.format('%.0f', (level + 1) * factor)
  local offset, young = 0, false
  while not young and #out < limit do
    local ids = redis.call('ZRANGEBYSCORE', KEYS[1], lo, hi, 'LIMIT', offset, 50)
    if #ids == 0 then break end
    for i, id in ipairs(ids) do
      local t = since(id)
      if offset == 0 and i == 1 and (not oldest or t < oldest) then oldest = t end
      if t > cutoff then young = true break end
      out[#out + 1] = id
      if #out >= limit then break end
    end
    offset = offset + #ids
  end
  if #out >= limit then break end
  from = string.format('%.0f', (level + 1) * factor)
end
return {oldest, out}`;

interface AgingCommands {
  sluiceFindAged(...keysAndArgs: (string | number)[]): Promise<unknown>;
}

const defined = new WeakSet<object>();

/** What one aging pass over a queue found. */
export interface AgingPass {
  /** Jobs moved to the front of the wait list. */
  readonly promoted: number;
  /** How long the oldest job at the head of a priority level had waited (ms); 0 when none waits. */
  readonly oldestMs: number;
}

/**
 * Moves the jobs of `queue`'s prioritized set that have waited longer than `maxWaitMs` to the
 * front of its wait list (at most `limit` per call), the oldest ending first in line.
 */
export async function promoteAged(
  queue: Queue,
  maxWaitMs: number,
  now = Date.now(),
  limit = 1000,
): Promise<AgingPass> {
  const client = await queue.backend.client;
  if (!defined.has(client)) {
    client.defineCommand('sluiceFindAged', { numberOfKeys: 1, lua: FIND_AGED });
    defined.add(client);
  }
  const raw = await (client as unknown as AgingCommands).sluiceFindAged(
    queue.keys.prioritized ?? `${queue.qualifiedName}:prioritized`,
    `${queue.qualifiedName}:`,
    now - maxWaitMs,
    limit,
    PRIORITY_SCORE_FACTOR,
  );
  const [oldest, ids] = Array.isArray(raw) ? (raw as unknown[]) : [];
  const list = Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  // Each promotion pushes to the front: the youngest goes first so the oldest ends at the head.
  await Promise.all(
    list.reverse().map(async (id) => {
      try {
        await new Job(queue, queue.name, {}, {}, id).changePriority({ priority: 0, lifo: true });
      } catch {
        /* the job was taken or finished meanwhile: nothing to promote */
      }
    }),
  );
  const since = typeof oldest === 'number' ? oldest : Number(oldest);
  return { promoted: list.length, oldestMs: Number.isFinite(since) && since > 0 ? now - since : 0 };
}

/** The aging loop's settings and what it reports to. */
export interface AgingOptions {
  /** The bound on a prioritized wait (ms). */
  readonly maxWaitMs: number;
  readonly metrics?: SluiceMetrics;
  readonly log?: Logger;
}

/** The tick of the aging loop for a bound: a quarter of it, between 100 ms and 5 s. */
export function agingTickMs(maxWaitMs: number): number {
  return Math.min(5000, Math.max(100, Math.floor(maxWaitMs / 4)));
}

/** Runs aging over `queues` until `signal` aborts (the leading dispatcher's term). */
export async function runAging(
  queues: readonly { readonly kind: string; readonly queue: Queue }[],
  opts: AgingOptions,
  signal: AbortSignal,
): Promise<void> {
  const tick = agingTickMs(opts.maxWaitMs);
  while (!signal.aborted) {
    let more = false;
    for (const { kind, queue } of queues) {
      try {
        const pass = await promoteAged(queue, opts.maxWaitMs);
        opts.metrics?.queueOldestPrioritized.set({ kind }, pass.oldestMs / 1000);
        if (pass.promoted > 0) opts.metrics?.queueAged.inc({ kind }, pass.promoted);
        if (pass.promoted >= 1000) more = true;
      } catch (err) {
        opts.log?.warn({ err: messageOf(err), kind }, 'aging pass failed');
      }
    }
    if (!more) await pause(tick, signal);
  }
}
