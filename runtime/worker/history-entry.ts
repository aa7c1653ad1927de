/**
 * @module runtime/worker/history-entry
 * The history record of one run of a job, from what the worker host knows when it ends: the
 * job's payload (why, who asked, when, the trace), the object as it was read, and the outcome.
 */
import type { HistoryRecord } from '../history/record.js';
import { traceIdOf } from '../history/record.js';
import type { KubeObject } from '../kube/types.js';
import type { ReconcileJobData } from '../queue/payload.js';
import type { Outcome } from './reconcile-object.js';

/** The part of a history record an outcome decides. */
export type Ending = Pick<
  HistoryRecord,
  'outcome' | 'path' | 'delayMs' | 'attempt' | 'errorReason' | 'error'
>;

/** What a run that did not throw records. */
export function ending(outcome: Outcome): Ending {
  switch (outcome.kind) {
    case 'gone':
      return { outcome: 'success', path: 'gone' };
    case 'finalized':
      return { outcome: 'success', path: 'finalized' };
    case 'paused':
      return { outcome: 'paused' };
    case 'reconciled':
      return outcome.result.requeueAfterMs === null
        ? { outcome: 'success' }
        : { outcome: 'requeueAfter', delayMs: outcome.result.requeueAfterMs };
  }
}

/**
 * The record of a run of job `jobId`, which read `seen` (its stub, without generation, when the
 * object could not be read), started at `startedAt` and ended now with `end`.
 */
export function historyEntry(
  data: ReconcileJobData,
  jobId: string,
  seen: KubeObject,
  startedAt: number,
  worker: string,
  end: Ending,
): HistoryRecord {
  const traceId = traceIdOf(data.trace);
  const { generation, resourceVersion } = seen.metadata;
  return {
    reason: data.reason,
    ...(data.by ? { by: data.by } : {}),
    enqueuedAt: data.enqueuedAt,
    startedAt,
    finishedAt: Date.now(),
    ...end,
    worker,
    jobId,
    ...(traceId ? { traceId } : {}),
    ...(generation === undefined ? {} : { generation }),
    ...(resourceVersion ? { resourceVersion } : {}),
  };
}
