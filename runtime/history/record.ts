/**
 * @module runtime/history/record
 * One entry of an object's reconcile history (where it lives in Redis: `keys.ts`).
 *
 * A record never holds the object or its spec: only why the reconcile ran, when, how it ended,
 * the redacted error message, who ran it, and the generation and resourceVersion it saw.
 */
import { redactMessage } from '../errors.js';
import { ENQUEUE_REASONS, type EnqueueReason } from '../queue/payload.js';
import { isRecord } from '../util.js';

/** How a reconcile ended. */
export type HistoryOutcome =
  /** Done until something changes (`awaitChange()`), the object was gone, or its finalizer ran. */
  | 'success'
  /** Done, and asked to run again after {@link HistoryRecord.delayMs}. */
  | 'requeueAfter'
  /** Failed; retried with backoff ({@link HistoryRecord.attempt} counts the failures since the last success). */
  | 'error'
  /** Refused: the spec cannot work; not retried until the object changes. */
  | 'terminal'
  /** Not run: the object carries the pause annotation. */
  | 'paused';

export const HISTORY_OUTCOMES: readonly HistoryOutcome[] = [
  'success',
  'requeueAfter',
  'error',
  'terminal',
  'paused',
];

export interface HistoryRecord {
  /** Why the reconcile was queued. */
  readonly reason: EnqueueReason;
  /** Who asked, for `http` and `cli` requests. */
  readonly by?: string;
  /** Unix ms: queued, started, finished. */
  readonly enqueuedAt: number;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly outcome: HistoryOutcome;
  /** What the run did when it succeeded without reconciling: the object was `gone`, or was `finalized`. */
  readonly path?: 'gone' | 'finalized';
  /** The delay asked for, for `requeueAfter`. */
  readonly delayMs?: number;
  /** For `error`: the failures since the last success, this one included. */
  readonly attempt?: number;
  /** For `error` and `terminal`: the condition reason and the message, credentials redacted. */
  readonly errorReason?: string;
  readonly error?: string;
  /** The worker process that ran it (`SLUICE_POD_NAME`, else host name and pid). */
  readonly worker: string;
  readonly jobId: string;
  /** The W3C trace id of the event that caused it, when a tracer was active. */
  readonly traceId?: string;
  /** What the worker read: `metadata.generation` and `metadata.resourceVersion`. */
  readonly generation?: number;
  readonly resourceVersion?: string;
}

/** Longest error message kept in a record; longer ones are cut (the condition has the whole text). */
export const MAX_ERROR_CHARS = 1024;

/** Redacts and shortens an error message for a record. */
export function recordMessage(message: string): string {
  const clean = redactMessage(message);
  return clean.length > MAX_ERROR_CHARS ? `${clean.slice(0, MAX_ERROR_CHARS - 1)}…` : clean;
}

/** The trace id in a W3C `traceparent` (`00-<trace id>-<span id>-<flags>`), if any. */
export function traceIdOf(carrier: Readonly<Record<string, string>> | undefined): string | undefined {
  const m = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(carrier?.traceparent ?? '');
  return m?.[1];
}

const REASONS: ReadonlySet<unknown> = new Set(ENQUEUE_REASONS);
const OUTCOMES: ReadonlySet<unknown> = new Set(HISTORY_OUTCOMES);
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const str = (v: unknown): v is string => typeof v === 'string';

/**
 * Reads a record from its stored JSON; `undefined` for an entry that is not one (written by a
 * newer or older Sluice, or damaged), which readers skip rather than fail on.
 */
export function parseRecord(text: string): HistoryRecord | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(raw)) return undefined;
  const r = raw;
  if (!REASONS.has(r.reason) || !OUTCOMES.has(r.outcome)) return undefined;
  if (!num(r.enqueuedAt) || !num(r.startedAt) || !num(r.finishedAt)) return undefined;
  if (!str(r.worker) || !str(r.jobId)) return undefined;
  return {
    reason: r.reason as EnqueueReason,
    enqueuedAt: r.enqueuedAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    outcome: r.outcome as HistoryOutcome,
    worker: r.worker,
    jobId: r.jobId,
    ...(str(r.by) ? { by: r.by } : {}),
    ...(r.path === 'gone' || r.path === 'finalized' ? { path: r.path } : {}),
    ...(num(r.delayMs) ? { delayMs: r.delayMs } : {}),
    ...(num(r.attempt) ? { attempt: r.attempt } : {}),
    ...(str(r.errorReason) ? { errorReason: r.errorReason } : {}),
    ...(str(r.error) ? { error: r.error } : {}),
    ...(str(r.traceId) ? { traceId: r.traceId } : {}),
    ...(num(r.generation) ? { generation: r.generation } : {}),
    ...(str(r.resourceVersion) ? { resourceVersion: r.resourceVersion } : {}),
  };
}
