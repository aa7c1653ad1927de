/**
 * @module runtime/controller/pause
 * Pausing an object's reconciles (Strimzi's `strimzi.io/pause-reconciliation`): an object that
 * carries `sluice.io/paused: "true"` is not reconciled. Its events and resyncs still reach the
 * worker, which records them in the object's history as `paused` and keeps a `Paused` condition
 * on it; deletion still runs its finalizer. Removing the annotation (or setting it to anything
 * but `true`) is an event like any other, and the next reconcile runs at once.
 */
import type { KubeObject } from '../kube/types.js';
import type { Predicate } from './predicates.js';

/** The annotation that pauses an object, in the `sluice.io/` family of operator commands. */
export const PAUSE_ANNOTATION = 'sluice.io/paused';

/** The condition type a paused object carries. */
export const PAUSED_CONDITION = 'Paused';

/** Whether `obj` asks for its reconciles to be paused. */
export function isPaused(obj: KubeObject): boolean {
  return obj.metadata.annotations?.[PAUSE_ANNOTATION] === 'true';
}

/**
 * The pause state changed. The dispatcher adds it to every primary predicate, so a function's
 * own predicate (say, generation only) can never swallow a resume.
 */
export const pauseChanged: Predicate = (old, cur) => !old || isPaused(old) !== isPaused(cur);
