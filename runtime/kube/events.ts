/**
 * @module runtime/kube/events
 * Kubernetes Events about the objects Sluice reconciles. Identical events (same object, reason and
 * message) within five minutes are recorded once, so a retry loop does not flood the API server.
 * Messages must never contain secret values.
 *
 * Workers record in the background: an Event is a report, not part of the change, so a reconcile
 * does not wait a round trip for it. A failed write is reported to `onError` and never fails the
 * reconcile; `flush()` waits for the writes still under way (call it before closing the client).
 */
import { randomBytes } from 'node:crypto';
import { apiVersionOf } from './resources.js';
import { Builtin } from './resources.js';
import type { KubeClient } from './client.js';
import type { KindInfo } from '../registry.js';
import type { KubeObject } from './types.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  record(kind: KindInfo, obj: KubeObject, type: EventType, reason: string, message: string): Promise<void>;
  /** Resolves once every Event recorded so far has been written (or has failed). */
  flush(): Promise<void>;
}

export interface EventRecorderOptions {
  /** The `source.component` and `reportingComponent` of the Events. @defaultValue 'sluice' */
  readonly component?: string;
  /**
   * Return from `record` before the Event is written; failures go to `onError`.
   * @defaultValue false (record resolves once the Event is written, and rejects if it fails)
   */
  readonly background?: boolean;
  /** Told about a background write that failed. @defaultValue ignore */
  readonly onError?: (err: unknown) => void;
}

/** Background writes in flight beyond which `record` waits for the oldest (bounds memory). */
const MAX_IN_FLIGHT = 256;

const DEDUPE_MS = 5 * 60_000;

export class KubeEventRecorder implements EventRecorder {
  private readonly recent = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly component: string;

  constructor(
    private readonly kube: KubeClient,
    private readonly opts: EventRecorderOptions = {},
  ) {
    this.component = opts.component ?? 'sluice';
  }

  async flush(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  async record(
    kind: KindInfo,
    obj: KubeObject,
    type: EventType,
    reason: string,
    message: string,
  ): Promise<void> {
    const key = `${obj.metadata.uid ?? ''}|${reason}|${message}`;
    const now = Date.now();
    const last = this.recent.get(key);
    if (last !== undefined && now - last < DEDUPE_MS) return;
    this.recent.set(key, now);
    if (this.recent.size > 10_000) {
      for (const [k, t] of this.recent) if (now - t >= DEDUPE_MS) this.recent.delete(k);
    }
    const namespace = obj.metadata.namespace ?? 'default';
    const time = new Date(now).toISOString();
    const write = this.kube.create(Builtin.Event, {
      metadata: { name: `${obj.metadata.name ?? 'object'}.${randomBytes(8).toString('hex')}`, namespace },
      involvedObject: {
        apiVersion: apiVersionOf(kind),
        kind: kind.kind,
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
      type,
      reason,
      message: message.slice(0, 1024),
      source: { component: this.component },
      reportingComponent: this.component,
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
    });
    if (!this.opts.background) {
      await write;
      return;
    }
    const settled: Promise<void> = write.then(
      () => undefined,
      (err: unknown) => this.opts.onError?.(err),
    );
    this.inFlight.add(settled);
    void settled.finally(() => this.inFlight.delete(settled));
    if (this.inFlight.size > MAX_IN_FLIGHT) await Promise.race(this.inFlight);
  }
}
