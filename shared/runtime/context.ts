/**
 * @module runtime/context
 * What a reconciler gets besides its object. Reconcilers receive everything through this
 * explicit context; they never resolve dependencies themselves.
 */
import type { BrokerClients } from '../brokers/types.js';
import type { SluiceConfig } from '../config.js';
import type { KubeClient } from '../kube/client.js';
import type { EventType } from '../kube/events.js';
import type { KubeObject } from '../kube/types.js';
import type { Logger } from '../log.js';
import type { SluiceMetrics } from '../metrics.js';
import type { KindInfo } from '../registry.js';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface ReconcileContext {
  /** The kind being reconciled. */
  readonly kind: KindInfo;
  readonly kube: KubeClient;
  /** Bound to the object's kind, namespace, name and job id. */
  readonly log: Logger;
  readonly clock: Clock;
  /** Aborted when the worker loses the job's lock or shuts down: stop and throw. */
  readonly signal: AbortSignal;
  readonly brokers: BrokerClients;
  readonly config: SluiceConfig;
  /** The metrics a reconciler records itself (drift); the worker host counts the rest. */
  readonly metrics: Pick<SluiceMetrics, 'drift'>;
  /** Records an Event on the object being reconciled (or, with `about`, on another object of the same kind). */
  event(type: EventType, reason: string, message: string, about?: KubeObject): Promise<void>;
}
