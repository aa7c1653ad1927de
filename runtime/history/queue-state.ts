/**
 * @module runtime/history/queue-state
 * Where one object stands in its kind's queue right now: no job, waiting, active, delayed (with
 * its due time and the backoff it waits out), or failed.
 *
 * The object's job id (its deduplication key), the job's state and its fields are read by one
 * read-only script, so they are consistent: reading them with separate calls races with the
 * worker (a job seen "active" by one call may be finished and its successor waiting by the next).
 */
import type { RedisClient } from '../redis/connection.js';
import type { ObjectRef } from '../kube/object-ref.js';
import { dedupKey, parkedKey, queueKeyBase } from '../kube/keys.js';
import type { KindInfo } from '../registry.js';
import { isRecord } from '../util.js';
import { LOW_PRIORITY, PRIORITY_SCORE_FACTOR } from '../queue/options.js';

export type QueueStateName = 'none' | 'waiting' | 'active' | 'delayed' | 'failed' | 'unknown';

export interface QueueState {
  readonly state: QueueStateName;
  readonly jobId?: string;
  /** Waiting at low priority (a resync or a re-list), behind fresh events. */
  readonly lowPriority?: boolean;
  /** Waiting at this fairness level (`runtime/queue/fairness.ts`): behind other namespaces' fresh events. */
  readonly level?: number;
  /** For `delayed`: when it is due (Unix ms), and the delay it was given. */
  readonly dueAt?: number;
  readonly delayMs?: number;
  /** Failures since the last success (the backoff grows with them). */
  readonly failures?: number;
  /** Why the delay: a `backoff` after failures, or a `requeueAfter`. */
  readonly delayedFor?: 'backoff' | 'requeueAfter';
  /** An event came while the job ran: the object runs once more after it. */
  readonly followUp?: boolean;
}

/**
 * KEYS: 1 dedup key, 2 parked-next key, 3 wait, 4 active, 5 delayed, 6 prioritized, 7 paused,
 * 8 failed; ARGV[1] the job hash prefix. Returns {} without a job, else
 * {id, state, score, attemptsMade, data, delay, parked}.
 */
const QUEUE_STATE = `
local id = redis.call('GET', KEYS[1])
local parked = redis.call('EXISTS', KEYS[2])
if not id then return {false, 'none', false, false, false, false, parked} end
local state, score = 'unknown', false
local s = redis.call('ZSCORE', KEYS[5], id)
if s then state, score = 'delayed', s
elseif redis.call('ZSCORE', KEYS[6], id) then state, score = 'prioritized', redis.call('ZSCORE', KEYS[6], id)
elseif redis.call('LPOS', KEYS[4], id) then state = 'active'
elseif redis.call('LPOS', KEYS[3], id) or redis.call('LPOS', KEYS[7], id) then state = 'waiting'
elseif redis.call('ZSCORE', KEYS[8], id) then state = 'failed' end
local h = redis.call('HMGET', ARGV[1] .. id, 'atm', 'data', 'delay')
return {id, state, score, h[1], h[2], h[3], parked}`;

interface StateCommands {
  sluiceQueueState(...keysAndArgs: string[]): Promise<unknown>;
}

const defined = new WeakSet<RedisClient>();

/** Reads the queue state of the object `ref` in one script call. */
export async function readQueueState(
  redis: RedisClient,
  prefix: string,
  kind: KindInfo,
  ref: ObjectRef,
): Promise<QueueState> {
  if (!defined.has(redis)) {
    redis.defineCommand('sluiceQueueState', { numberOfKeys: 8, lua: QUEUE_STATE, readOnly: true });
    defined.add(redis);
  }
  const b = queueKeyBase(prefix, kind);
  const keys = [
    dedupKey(prefix, kind, ref),
    parkedKey(prefix, kind, ref),
    ...['wait', 'active', 'delayed', 'prioritized', 'paused', 'failed'].map((k) => b + k),
  ];
  const raw = await (redis as RedisClient & StateCommands).sluiceQueueState(...keys, b);
  return parseState(raw);
}

/** What a prioritized job's score says: resync priority, or a fairness level. */
function priorityOf(score: number): { lowPriority: true } | { level: number } {
  const priority = Math.floor(score / PRIORITY_SCORE_FACTOR);
  return priority >= LOW_PRIORITY ? { lowPriority: true } : { level: priority };
}

function parseState(raw: unknown): QueueState {
  const r = Array.isArray(raw) ? (raw as unknown[]) : [];
  const [id, state, score, atm, data, delay, parked] = r;
  const followUp = parked === 1;
  if (typeof id !== 'string') return { state: 'none', ...(followUp ? { followUp } : {}) };
  let failBase = 0;
  try {
    const d: unknown = typeof data === 'string' ? JSON.parse(data) : undefined;
    if (isRecord(d) && typeof d.failBase === 'number') failBase = d.failBase;
  } catch {
    /* a job whose data is not JSON: count every attempt */
  }
  const failures = Math.max(0, Number(atm ?? 0) - failBase);
  const named: QueueStateName =
    state === 'prioritized'
      ? 'waiting'
      : state === 'waiting' || state === 'active' || state === 'delayed' || state === 'failed'
        ? state
        : 'unknown';
  const out: QueueState = {
    state: named,
    jobId: id,
    ...(state === 'prioritized' ? priorityOf(Number(score)) : {}),
    ...(failures > 0 ? { failures } : {}),
    ...(followUp ? { followUp } : {}),
  };
  if (named !== 'delayed') return out;
  // BullMQ scores a delayed job `due * 0x1000 + n`.
  const dueAt = Math.floor(Number(score) / 0x1000);
  const delayMs = Number(delay ?? 0);
  return {
    ...out,
    dueAt,
    ...(delayMs > 0 ? { delayMs } : {}),
    delayedFor: failures > 0 ? 'backoff' : 'requeueAfter',
  };
}
