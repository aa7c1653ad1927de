/**
 * @module runtime/queue/options
 * The BullMQ options that make a queue behave like client-go's work queue (DESIGN.md §2). Every
 * add uses {@link jobOptions}; every worker uses {@link backoffStrategy}.
 */
import type { JobsOptions } from 'bullmq';

/** The backoff type name jobs ask for; workers resolve it with {@link backoffStrategy}. */
export const BACKOFF_TYPE = 'sluice';

/** Priority given to resync and re-list requests; fresh events carry none and go first. */
export const LOW_PRIORITY = 100;

export type Priority = 'high' | 'normal' | 'low';

/**
 * Options for a reconcile job of the object with key `key`.
 * - `deduplication` with `keepLastIfActive` and `reschedule`: one job per key; an add while the key
 *   runs becomes exactly one follow-up; an add pulls a delayed (backoff or requeueAfter) job forward.
 * - no `jobId`: a custom id silently drops adds that arrive while the job is active.
 * - `attempts` unbounded: failures retry with backoff until the object changes; a terminal error
 *   fails the job at once.
 */
export function jobOptions(key: string, priority: Priority): JobsOptions {
  return {
    deduplication: { id: key, keepLastIfActive: true, reschedule: true },
    attempts: Number.MAX_SAFE_INTEGER,
    backoff: { type: BACKOFF_TYPE },
    removeOnComplete: true,
    removeOnFail: { count: 1000, age: 7 * 24 * 3600 },
    stackTraceLimit: 3,
    ...(priority === 'low' ? { priority: LOW_PRIORITY } : {}),
    ...(priority === 'high' ? { lifo: true } : {}),
  };
}

export interface BackoffOptions {
  /** First retry delay. @defaultValue 5 ms (client-go) */
  readonly baseMs: number;
  /** Cap of the delay. @defaultValue 1 000 000 ms (client-go's 1000 s) */
  readonly maxMs: number;
  /** Relative jitter, each way. @defaultValue 0.2 */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 5, maxMs: 1_000_000, jitter: 0.2 };

/**
 * Delay before retry number `failures` (1 for the first failure): `base * 2^(failures-1)`, capped,
 * then jittered. 5 ms doubles to the 1000 s cap at the 19th failure.
 */
export function backoffDelay(
  failures: number,
  opts: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const n = Math.max(1, failures);
  const raw = Math.min(opts.baseMs * 2 ** Math.min(n - 1, 60), opts.maxMs);
  const factor = 1 - opts.jitter + 2 * opts.jitter * random();
  return Math.max(0, Math.round(Math.min(raw * factor, opts.maxMs)));
}

/**
 * The worker-side strategy: counts only the failures since the last success (the job's
 * `failBase`, written when a reconcile succeeds with requeueAfter).
 */
export function backoffStrategy(opts: BackoffOptions = DEFAULT_BACKOFF) {
  return (attemptsMade: number, _type?: string, _err?: Error, job?: { data?: unknown }): number => {
    const base = (job?.data as { failBase?: unknown } | undefined)?.failBase;
    const failures = attemptsMade - (typeof base === 'number' ? base : 0);
    return backoffDelay(failures, opts);
  };
}
