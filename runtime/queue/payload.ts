/**
 * @module runtime/queue/payload
 * The job payload: an object reference and why it was queued, never the object. Validated when a
 * worker takes it from Redis (an `unknown` boundary). The check is written out rather than declared
 * with class-validator: it runs once per job on the worker's hot path, where the decorator walk cost
 * about 13 µs of CPU per job (10 % of a no-op worker's time, measured by `npm run bench -- queue`).
 */
import { DNS_SUBDOMAIN, stringProblem } from '../checks.js';
import { TerminalError } from '../errors.js';
import type { ObjectRef } from '../kube/object-ref.js';
import { isRecord } from '../util.js';

/**
 * Why a reconcile was requested; shown on the dashboard, in logs and in the object's history,
 * never seen by reconcilers. `requeue` is written by the worker itself on a job it keeps for a
 * `requeueAfter`.
 */
export type EnqueueReason =
  'event' | 'delete' | 'owned' | 'mapped' | 'resync' | 'relist' | 'http' | 'cli' | 'requeue' | 'test';

export const ENQUEUE_REASONS: readonly EnqueueReason[] = [
  'event',
  'delete',
  'owned',
  'mapped',
  'resync',
  'relist',
  'http',
  'cli',
  'requeue',
  'test',
];

export interface ReconcileJobData {
  readonly ref: ObjectRef;
  readonly reason: EnqueueReason;
  /** Unix ms when the request was queued (for the queue-wait metric). */
  readonly enqueuedAt: number;
  /** W3C trace context of the event that caused the request. */
  readonly trace?: Readonly<Record<string, string>>;
  /** Attempts made before the last success; backoff counts failures after it (client-go's Forget). */
  readonly failBase?: number;
  /** Who asked, for `http` and `cli` requests (the authenticated principal, the local user). */
  readonly by?: string;
}

const REASONS: ReadonlySet<unknown> = new Set(ENQUEUE_REASONS);
/** Object names and namespaces in a reference: the message says "lowercase DNS name" for both. */
const DNS_NAME = { pattern: DNS_SUBDOMAIN, what: 'lowercase DNS name' } as const;

const isWhole = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const absent = (v: unknown): boolean => v === undefined || v === null;

/**
 * Validates a job payload read from Redis. Unknown fields are ignored; every problem is listed.
 * @throws TerminalError (reason `InvalidJob`) when it is malformed: retrying cannot fix it.
 */
export function parseJobData(raw: unknown): ReconcileJobData {
  if (!isRecord(raw) || !isRecord(raw.ref))
    throw new TerminalError('InvalidJob', 'job payload must be an object with a ref');
  const r = raw.ref;
  const checks: [string, string | undefined][] = [
    ['ref.group', stringProblem(r.group, 253, { empty: true })],
    ['ref.version', stringProblem(r.version, 63)],
    ['ref.kind', stringProblem(r.kind, 63)],
    ['ref.namespace', absent(r.namespace) ? undefined : stringProblem(r.namespace, 63, DNS_NAME)],
    ['ref.name', stringProblem(r.name, 253, DNS_NAME)],
    ['ref.uid', absent(r.uid) ? undefined : stringProblem(r.uid, 64, { empty: true })],
    ['reason', REASONS.has(raw.reason) ? undefined : `must be one of ${ENQUEUE_REASONS.join(', ')}`],
    ['enqueuedAt', isWhole(raw.enqueuedAt) ? undefined : 'must be a whole number of ms'],
    ['trace', absent(raw.trace) || isRecord(raw.trace) ? undefined : 'must be an object'],
    ['failBase', absent(raw.failBase) || isWhole(raw.failBase) ? undefined : 'must be a whole number'],
    ['by', absent(raw.by) ? undefined : stringProblem(raw.by, 253, { empty: true })],
  ];
  const problems = checks.filter(([, p]) => p !== undefined).map(([field, p]) => `${field}: ${p}`);
  if (problems.length > 0)
    throw new TerminalError('InvalidJob', `malformed job payload: ${problems.join('; ')}`);
  const trace = isRecord(raw.trace)
    ? Object.fromEntries(
        Object.entries(raw.trace).filter((e): e is [string, string] => typeof e[1] === 'string'),
      )
    : undefined;
  const ref: ObjectRef = {
    group: r.group as string,
    version: r.version as string,
    kind: r.kind as string,
    name: r.name as string,
    ...(typeof r.namespace === 'string' && r.namespace !== '' ? { namespace: r.namespace } : {}),
    ...(typeof r.uid === 'string' && r.uid !== '' ? { uid: r.uid } : {}),
  };
  return {
    ref,
    reason: raw.reason as EnqueueReason,
    enqueuedAt: raw.enqueuedAt as number,
    ...(trace ? { trace } : {}),
    ...(isWhole(raw.failBase) ? { failBase: raw.failBase } : {}),
    ...(typeof raw.by === 'string' && raw.by !== '' ? { by: raw.by } : {}),
  };
}
