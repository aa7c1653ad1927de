/**
 * @module queue/payload
 * The job payload: an object reference and why it was queued, never the object. Validated with
 * class-validator when a worker takes it from Redis (an `unknown` boundary).
 */
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  validateSync,
} from 'class-validator';
import { TerminalError } from '../errors.js';
import type { ObjectRef } from '../kube/object-ref.js';
import { isRecord } from '../util.js';

/** Why a reconcile was requested; shown on the dashboard and in logs, never seen by reconcilers. */
export type EnqueueReason =
  'event' | 'delete' | 'owned' | 'mapped' | 'resync' | 'relist' | 'http' | 'cli' | 'test';

export const ENQUEUE_REASONS: readonly EnqueueReason[] = [
  'event',
  'delete',
  'owned',
  'mapped',
  'resync',
  'relist',
  'http',
  'cli',
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
}

const DNS_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

class RefDto {
  @IsString() @MaxLength(253) group!: string;
  @IsString() @IsNotEmpty() @MaxLength(63) version!: string;
  @IsString() @IsNotEmpty() @MaxLength(63) kind!: string;
  @IsOptional() @IsString() @Matches(DNS_NAME) @MaxLength(63) namespace?: string;
  @IsString() @Matches(DNS_NAME) @MaxLength(253) name!: string;
  @IsOptional() @IsString() @MaxLength(64) uid?: string;
}

class JobDto {
  @IsIn(ENQUEUE_REASONS) reason!: string;
  @IsInt() @Min(0) enqueuedAt!: number;
  @IsOptional() @IsObject() trace?: Record<string, string>;
  @IsOptional() @IsInt() @Min(0) failBase?: number;
}

function messages(errors: ReturnType<typeof validateSync>): string {
  return errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join(', ')}`).join('; ');
}

/**
 * Validates a job payload read from Redis.
 * @throws TerminalError (reason `InvalidJob`) when it is malformed: retrying cannot fix it.
 */
export function parseJobData(raw: unknown): ReconcileJobData {
  if (!isRecord(raw) || !isRecord(raw.ref))
    throw new TerminalError('InvalidJob', 'job payload must be an object with a ref');
  const ref = Object.assign(new RefDto(), raw.ref);
  const job = Object.assign(new JobDto(), {
    reason: raw.reason,
    enqueuedAt: raw.enqueuedAt,
    trace: raw.trace,
    failBase: raw.failBase,
  });
  const errors = [
    ...validateSync(ref, { forbidUnknownValues: true }),
    ...validateSync(job, { forbidUnknownValues: true }),
  ];
  if (errors.length > 0) throw new TerminalError('InvalidJob', `malformed job payload: ${messages(errors)}`);
  const trace = isRecord(raw.trace)
    ? Object.fromEntries(
        Object.entries(raw.trace).filter((e): e is [string, string] => typeof e[1] === 'string'),
      )
    : undefined;
  return {
    ref: {
      group: ref.group,
      version: ref.version,
      kind: ref.kind,
      name: ref.name,
      ...(ref.namespace ? { namespace: ref.namespace } : {}),
      ...(ref.uid ? { uid: ref.uid } : {}),
    },
    reason: job.reason as EnqueueReason,
    enqueuedAt: job.enqueuedAt,
    ...(trace ? { trace } : {}),
    ...(job.failBase === undefined ? {} : { failBase: job.failBase }),
  };
}
