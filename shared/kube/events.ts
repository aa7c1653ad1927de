/**
 * @module kube/events
 * Kubernetes Events about the objects Sluice reconciles. Identical events (same object, reason and
 * message) within five minutes are recorded once, so a retry loop does not flood the API server.
 * Messages must never contain secret values.
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
}

const DEDUPE_MS = 5 * 60_000;

export class KubeEventRecorder implements EventRecorder {
  private readonly recent = new Map<string, number>();

  constructor(
    private readonly kube: KubeClient,
    private readonly component = 'sluice',
  ) {}

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
    await this.kube.create(Builtin.Event, {
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
  }
}
