/**
 * @module cli/streams/run-lifecycle
 * The life of the temporary Directive of `sluice directive run` on the API server: waiting (with
 * progress) until the operator has made it and its Stream ready, and deleting both afterwards.
 *
 * Guarantees:
 * - only what this run created is deleted: the Directive by its UID (a precondition), the Stream
 *   only when it carries this Directive's UID in its created-by annotation (a Stream that existed
 *   before is used as it is and left alone);
 * - a spec the operator refuses (a terminal reason) ends the wait at once instead of at the timeout.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { findCondition, isRecord, type KubeObject } from '../../runtime/index.js';
import { DirectiveKind, TawonStreamKind } from '../../shared/index.js';
import { CREATED_BY_ANNOTATION } from '../../functions/directive/desired.js';
import { CliError } from './errors.js';
import { kubeCall } from './kube.js';
import type { Progress } from './progress.js';
import type { Session } from './session.js';

/** Reasons that will not change without a new spec: waiting longer is pointless. */
const TERMINAL_REASONS = new Set([
  'InvalidSpec',
  'InvalidLimit',
  'StoreInvalid',
  'StoreRequired',
  'StreamRejected',
  'UnknownStream',
]);

const POLL_MS = 500;

/** The Directive created by this run. */
export interface RunTarget {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** Whether the run publishes to a Stream of its name (else to plain NATS: no Stream to wait for). */
  readonly withStream: boolean;
}

/** What the wait found once everything was ready. */
export interface ReadyRun {
  readonly directive: KubeObject;
  /** The run's Stream; undefined when it publishes to plain NATS. */
  readonly stream: KubeObject | undefined;
  /** Whether this run's Directive created the Stream (else it existed and is used as it is). */
  readonly created: boolean;
}

function readyText(
  obj: KubeObject | undefined,
  what: string,
): { ready: boolean; text: string; terminal: boolean } {
  if (!obj) return { ready: false, text: `${what} does not exist yet`, terminal: false };
  const cond = findCondition(obj.status, 'Ready');
  const observed = isRecord(obj.status) ? obj.status.observedGeneration : undefined;
  if (!cond)
    return { ready: false, text: `${what}: waiting for the operator to reconcile it`, terminal: false };
  const current = observed === undefined || observed === obj.metadata.generation;
  return {
    ready: cond.status === 'True' && current,
    text: `${what}: Ready=${cond.status} ${cond.reason}${cond.message ? ` (${cond.message})` : ''}`,
    terminal: cond.status === 'False' && current && TERMINAL_REASONS.has(cond.reason),
  };
}

/** Whether `stream` was created by the Directive with `uid`. */
export function createdByRun(stream: KubeObject | undefined, uid: string): boolean {
  return stream?.metadata.annotations?.[CREATED_BY_ANNOTATION] === uid;
}

/**
 * Waits until the Directive and its Stream are Ready, showing their state.
 * @returns undefined when `signal` aborted the wait.
 * @throws CliError for a terminal reason, a Directive deleted by someone else, or the timeout.
 */
export async function waitReady(
  s: Session,
  run: RunTarget,
  timeoutMs: number,
  signal: AbortSignal,
  progress: Progress,
): Promise<ReadyRun | undefined> {
  const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
  const { namespace: ns, name } = run;
  for (;;) {
    if (signal.aborted) return undefined;
    const [directive, stream] = await kubeCall(s.kube, `read Directive ${name}`, () =>
      Promise.all([s.kube.kube.get(DirectiveKind, ns, name), s.kube.kube.get(TawonStreamKind, ns, name)]),
    );
    if (!directive || directive.metadata.uid !== run.uid || directive.metadata.deletionTimestamp) {
      throw new CliError(`Directive ${name} was deleted while waiting for it`);
    }
    const d = readyText(directive, `Directive ${name}`);
    const st = run.withStream
      ? readyText(stream, `Stream ${name}`)
      : { ready: true, text: '', terminal: false };
    if (d.ready && st.ready && (stream || !run.withStream)) {
      return {
        directive,
        stream: run.withStream ? stream : undefined,
        created: run.withStream && createdByRun(stream, run.uid),
      };
    }
    const text = run.withStream ? `${d.text}; ${st.text}` : d.text;
    if (d.terminal || st.terminal) throw new CliError(`the operator refused it: ${text}`);
    if (Date.now() > deadline) {
      throw new CliError(
        `not ready after ${Math.round(timeoutMs / 1000)}s: ${text}; is the Sluice operator running (sluice dev, or sluice dispatcher and worker)?`,
      );
    }
    progress.update(text);
    await sleep(POLL_MS, undefined, { signal }).catch(() => undefined);
  }
}

/**
 * Deletes the Directive and the Stream it created, then waits up to `waitMs` for them to go (the
 * Stream's finalizer needs the operator to delete the JetStream stream).
 * @returns what is still there when the wait ends (empty when everything is gone).
 */
export async function removeRun(
  s: Session,
  run: RunTarget,
  waitMs: number,
  progress: Progress,
): Promise<string[]> {
  const { namespace: ns, name, uid } = run;
  const stream = await kubeCall(s.kube, `read Stream ${name}`, () =>
    s.kube.kube.get(TawonStreamKind, ns, name),
  );
  await kubeCall(s.kube, `delete Directive ${name}`, () =>
    s.kube.kube.delete(DirectiveKind, ns, name, { uid }),
  );
  const streamUid = createdByRun(stream, uid) ? stream?.metadata.uid : undefined;
  if (streamUid) {
    await kubeCall(s.kube, `delete Stream ${name}`, () =>
      s.kube.kube.delete(TawonStreamKind, ns, name, { uid: streamUid }),
    );
  }
  const deadline = Date.now() + waitMs;
  for (;;) {
    const [d, st] = await kubeCall(s.kube, `read Directive ${name}`, () =>
      Promise.all([s.kube.kube.get(DirectiveKind, ns, name), s.kube.kube.get(TawonStreamKind, ns, name)]),
    );
    const left = [
      ...(d && d.metadata.uid === uid ? [`Directive ${name}`] : []),
      ...(streamUid && st && st.metadata.uid === streamUid
        ? [`Stream ${name} (finalizers: ${(st.metadata.finalizers ?? []).join(', ') || 'none'})`]
        : []),
    ];
    if (left.length === 0 || Date.now() > deadline) return left;
    progress.update(`deleting: waiting for ${left.join(' and ')} to go`);
    await sleep(POLL_MS);
  }
}
