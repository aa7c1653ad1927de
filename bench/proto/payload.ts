/**
 * @module bench/proto/payload
 * PROTOTYPE (benchmark only, not shipped): `parseJobData` of `shared/queue/payload.ts` with the
 * same rules written out by hand instead of class-validator decorators, to measure the cost of the
 * validation on the worker's hot path. Same result and same TerminalError `InvalidJob` on failure.
 */
import {
  ENQUEUE_REASONS,
  TerminalError,
  isRecord,
  type EnqueueReason,
  type ObjectRef,
  type ReconcileJobData,
} from '../../shared/index.js';

const DNS_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const REASONS = new Set<string>(ENQUEUE_REASONS);

function str(v: unknown, max: number, opts: { empty?: boolean; dns?: boolean } = {}): v is string {
  return (
    typeof v === 'string' &&
    v.length <= max &&
    (opts.empty === true || v.length > 0) &&
    (opts.dns !== true || DNS_NAME.test(v))
  );
}

const wholeNonNegative = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** Validates a job payload read from Redis. @throws TerminalError `InvalidJob` when it is malformed. */
export function fastParseJobData(raw: unknown): ReconcileJobData {
  if (!isRecord(raw) || !isRecord(raw.ref))
    throw new TerminalError('InvalidJob', 'job payload must be an object with a ref');
  const r = raw.ref;
  const problems: string[] = [];
  if (!str(r.group, 253, { empty: true })) problems.push('group');
  if (!str(r.version, 63)) problems.push('version');
  if (!str(r.kind, 63)) problems.push('kind');
  if (r.namespace !== undefined && r.namespace !== null && !str(r.namespace, 63, { dns: true }))
    problems.push('namespace');
  if (!str(r.name, 253, { dns: true })) problems.push('name');
  if (r.uid !== undefined && r.uid !== null && !str(r.uid, 64, { empty: true })) problems.push('uid');
  if (typeof raw.reason !== 'string' || !REASONS.has(raw.reason)) problems.push('reason');
  if (!wholeNonNegative(raw.enqueuedAt)) problems.push('enqueuedAt');
  if (raw.trace !== undefined && raw.trace !== null && !isRecord(raw.trace)) problems.push('trace');
  if (raw.failBase !== undefined && raw.failBase !== null && !wholeNonNegative(raw.failBase))
    problems.push('failBase');
  if (problems.length > 0)
    throw new TerminalError('InvalidJob', `malformed job payload: ${problems.join(', ')}`);
  const ref = {
    group: r.group as string,
    version: r.version as string,
    kind: r.kind as string,
    name: r.name as string,
    ...(typeof r.namespace === 'string' && r.namespace ? { namespace: r.namespace } : {}),
    ...(typeof r.uid === 'string' && r.uid ? { uid: r.uid } : {}),
  } satisfies ObjectRef;
  const trace = isRecord(raw.trace)
    ? Object.fromEntries(
        Object.entries(raw.trace).filter((e): e is [string, string] => typeof e[1] === 'string'),
      )
    : undefined;
  return {
    ref,
    reason: raw.reason as EnqueueReason,
    enqueuedAt: raw.enqueuedAt as number,
    ...(trace ? { trace } : {}),
    ...(typeof raw.failBase === 'number' ? { failBase: raw.failBase } : {}),
  };
}
