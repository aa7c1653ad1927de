/**
 * @module runtime/queue/options
 * The BullMQ options that make a queue behave like client-go's work queue (DESIGN.md §2). Every
 * add uses {@link jobOptions}; every worker uses {@link backoffStrategy}.
 */
import type { JobsOptions } from 'bullmq';
import { backoffDelay, RETRY_BACKOFF, type BackoffPolicy } from '../backoff.js';

/** The backoff type name jobs ask for; workers resolve it with {@link backoffStrategy}. */
export const BACKOFF_TYPE = 'sluice';

/**
 * Priority given to resync and re-list requests; fresh events carry none (or a fairness level,
 * `fairness.ts`, always lower) and go first. BullMQ accepts up to 2^21.
 */
export const LOW_PRIORITY = 2 ** 20;

/** BullMQ scores a prioritized job `priority * 2^32 + counter`: the factor. */
export const PRIORITY_SCORE_FACTOR = 0x100000000;

export type Priority = 'high' | 'normal' | 'low';

/**
 * Options for a reconcile job of the object with key `key`.
 * - `deduplication` with `keepLastIfActive` and `reschedule`: one job per key; an add while the key
 *   runs becomes exactly one follow-up; an add pulls a delayed (backoff or requeueAfter) job forward.
 * - no `jobId`: a custom id silently drops adds that arrive while the job is active.
 * - `attempts` unbounded: failures retry with backoff until the object changes; a terminal error
 *   fails the job at once.
 * - `level`: for a `normal` request, the BullMQ priority fairness gave it (0: unprioritized).
 */
export function jobOptions(key: string, priority: Priority, level = 0): JobsOptions {
  return {
    deduplication: { id: key, keepLastIfActive: true, reschedule: true },
    attempts: Number.MAX_SAFE_INTEGER,
    backoff: { type: BACKOFF_TYPE },
    removeOnComplete: true,
    removeOnFail: { count: 1000, age: 7 * 24 * 3600 },
    stackTraceLimit: 3,
    ...(priority === 'low' ? { priority: LOW_PRIORITY } : {}),
    ...(priority === 'normal' && level > 0 ? { priority: level } : {}),
    ...(priority === 'high' ? { lifo: true } : {}),
  };
}

/**
 * The worker-side strategy: the delay of {@link RETRY_BACKOFF} (or `policy`) for the failures
 * since the last success only (the job's `failBase`, written when a reconcile succeeds with
 * requeueAfter), so a success resets the backoff as client-go's `Forget` does.
 */
export function backoffStrategy(policy: BackoffPolicy = RETRY_BACKOFF) {
  return (attemptsMade: number, _type?: string, _err?: Error, job?: { data?: unknown }): number => {
    const base = (job?.data as { failBase?: unknown } | undefined)?.failBase;
    const failures = attemptsMade - (typeof base === 'number' ? base : 0);
    return backoffDelay(failures, policy);
  };
}
