/**
 * @module cli/streams/stream-object
 * What the commands read from a Tawon Stream object (pure): its store, its JetStream name and
 * subject (the operator's naming, from `functions/tawon-stream`), the applied limits and counters
 * of its status, and its Ready condition.
 */
import { findCondition, isRecord, type KubeObject } from '../../runtime/index.js';
import { jetStreamName, streamSubject } from '../../functions/tawon-stream/naming.js';

/** A Stream as the commands see it. */
export interface StreamView {
  readonly namespace: string;
  readonly name: string;
  readonly store: string | undefined;
  /** The JetStream stream's name on the store. */
  readonly jetStream: string;
  readonly subject: string;
  /** `True`, `False`, `Unknown`, or undefined before the operator looked at it. */
  readonly ready: string | undefined;
  readonly reason: string | undefined;
  readonly message: string | undefined;
  /** The limits in force, from the status; undefined before the operator wrote them. */
  readonly limits:
    { readonly maxmsgs?: number; readonly maxage?: string; readonly maxbytes?: number | string } | undefined;
  readonly messages: number | undefined;
  readonly bytes: number | undefined;
  readonly deleting: boolean;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Reads what the commands need from a Stream object. */
export function viewStream(obj: KubeObject): StreamView {
  const namespace = obj.metadata.namespace ?? '';
  const name = obj.metadata.name ?? '';
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const status = isRecord(obj.status) ? obj.status : {};
  const store = isRecord(spec.store) && typeof spec.store.name === 'string' ? spec.store.name : undefined;
  const limits = isRecord(status.limits) ? status.limits : undefined;
  const ready = findCondition(obj.status, 'Ready');
  const maxbytes = limits?.maxbytes;
  return {
    namespace,
    name,
    store,
    jetStream: jetStreamName(namespace, name),
    subject: typeof status.subject === 'string' ? status.subject : streamSubject(namespace, name),
    ready: ready?.status,
    reason: ready?.reason,
    message: ready?.message,
    limits: limits
      ? {
          ...(num(limits.maxmsgs) === undefined ? {} : { maxmsgs: num(limits.maxmsgs) as number }),
          ...(typeof limits.maxage === 'string' ? { maxage: limits.maxage } : {}),
          ...(typeof maxbytes === 'number' || typeof maxbytes === 'string' ? { maxbytes } : {}),
        }
      : undefined,
    messages: num(status.messages),
    bytes: num(status.bytes),
    deleting: obj.metadata.deletionTimestamp !== undefined,
  };
}

/** `Ready=False (Reason: message)` or similar, for error messages. */
export function describeReadiness(view: StreamView): string {
  if (view.deleting) return 'it is being deleted';
  if (view.ready === undefined) return 'the operator has not reconciled it yet';
  return `Ready=${view.ready}${view.reason ? ` (${view.reason}${view.message ? `: ${view.message}` : ''})` : ''}`;
}
