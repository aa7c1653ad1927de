/**
 * @module runtime/controller/predicates
 * Pure, composable event filters. A predicate compares the last object seen with the same UID
 * (`undefined` for the first sighting, including a recreated object with a new UID) to the
 * current one, and says whether the change is worth a reconcile.
 */
import type { KubeObject } from '../kube/types.js';
import { deepEqual } from '../util.js';

export type Predicate<K extends KubeObject = KubeObject> = (old: K | undefined, cur: K) => boolean;

/** `metadata.generation` changed: a spec change, not a status write. */
export const generationChanged: Predicate = (old, cur) =>
  !old || old.metadata.generation !== cur.metadata.generation;

/** Any label changed. */
export const labelsChanged: Predicate = (old, cur) =>
  !old || !deepEqual(old.metadata.labels ?? {}, cur.metadata.labels ?? {});

/** Any annotation changed. */
export const annotationsChanged: Predicate = (old, cur) =>
  !old || !deepEqual(old.metadata.annotations ?? {}, cur.metadata.annotations ?? {});

/** The finalizer list changed. */
export const finalizersChanged: Predicate = (old, cur) =>
  !old || !deepEqual(old.metadata.finalizers ?? [], cur.metadata.finalizers ?? []);

/** The object started (or stopped) being deleted. */
export const deletionChanged: Predicate = (old, cur) =>
  !old || old.metadata.deletionTimestamp !== cur.metadata.deletionTimestamp;

/** The resourceVersion changed: every change counts (for owned objects, whose status matters). */
export const resourceVersionChanged: Predicate = (old, cur) =>
  !old || old.metadata.resourceVersion !== cur.metadata.resourceVersion;

export function and<K extends KubeObject>(...ps: Predicate<K>[]): Predicate<K> {
  return (old, cur) => ps.every((p) => p(old, cur));
}

export function or<K extends KubeObject>(...ps: Predicate<K>[]): Predicate<K> {
  return (old, cur) => ps.some((p) => p(old, cur));
}

export function not<K extends KubeObject>(p: Predicate<K>): Predicate<K> {
  return (old, cur) => !p(old, cur);
}

/**
 * The default for a primary kind: a spec change, a finalizer or deletion change, or an annotation
 * change (annotations carry operator commands such as `sluice.io/force-delete`). Our own status
 * writes change none of these, so they do not loop.
 */
export const defaultPrimaryPredicate: Predicate = or(
  generationChanged,
  finalizersChanged,
  deletionChanged,
  annotationsChanged,
);

/**
 * The finalizer list changed in any way other than `own` being added. The worker host adds the
 * function's finalizer at the start of the first reconcile and goes on reconciling the patched
 * object, so the event of that addition would only buy a second, identical reconcile. Another
 * controller's finalizer, and the removal of `own`, still count.
 */
export function finalizersChangedBesides(own: string): Predicate {
  return (old, cur) => {
    if (!old) return true;
    const had = old.metadata.finalizers ?? [];
    const has = cur.metadata.finalizers ?? [];
    if (had.includes(own) && !has.includes(own)) return true;
    const before = had.filter((f) => f !== own);
    const after = has.filter((f) => f !== own);
    return before.length !== after.length || before.some((f, i) => f !== after[i]);
  };
}

/** {@link defaultPrimaryPredicate} for a function that keeps `finalizer` (when it keeps one). */
export function primaryPredicateFor(finalizer: string | undefined): Predicate {
  if (finalizer === undefined) return defaultPrimaryPredicate;
  return or(generationChanged, finalizersChangedBesides(finalizer), deletionChanged, annotationsChanged);
}
