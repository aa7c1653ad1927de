/**
 * @module runtime/controller/context
 * What a reconciler gets besides its object. The core context is what every function needs; a
 * function's declared needs (see `tokens.ts`) are added to it, typed, under their own names.
 * Reconcilers receive everything through this explicit context; they never resolve dependencies
 * themselves.
 */
import type { KubeClient } from '../kube/client.js';
import type { EventType } from '../kube/events.js';
import type { KubeObject } from '../kube/types.js';
import type { Logger } from '../log.js';
import type { KindInfo } from '../registry.js';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** The context every reconcile gets. */
export interface CoreContext {
  /** The kind being reconciled. */
  readonly kind: KindInfo;
  readonly kube: KubeClient;
  /** Bound to the object's kind, namespace, name and job id. */
  readonly log: Logger;
  readonly clock: Clock;
  /** Aborted when the worker loses the job's lock or shuts down: stop and throw. */
  readonly signal: AbortSignal;
  /** Records an Event on the object being reconciled (or, with `about`, on another object of the same kind). */
  event(type: EventType, reason: string, message: string, about?: KubeObject): Promise<void>;
}

/** The names of the core context, which a function's needs may not take. */
export const CORE_CONTEXT_KEYS: readonly (keyof CoreContext)[] = [
  'kind',
  'kube',
  'log',
  'clock',
  'signal',
  'event',
];

/** The core context plus the dependencies `D` a function declared. */
export type ReconcileContext<D = unknown> = CoreContext & Readonly<D>;
