/**
 * @module bench/proto/predicates
 * PROTOTYPE (benchmark only, not shipped): the default primary predicate without the reconcile a
 * function causes itself. Today every new object is reconciled twice: the worker host adds the
 * function's finalizer, the watch sees `finalizersChanged`, and keepLastIfActive turns that event
 * into a second full reconcile (measured: 2 reconciles and 2 GETs of the store per Tawon Stream).
 * Here a change that only adds the function's own finalizer does not count; any other change of
 * the finalizer list (another controller's, a removal) still does.
 */
import {
  annotationsChanged,
  deletionChanged,
  generationChanged,
  or,
  type KubeObject,
  type Predicate,
} from '../../shared/index.js';

/** Whether the finalizer list changed in any way other than `own` being added. */
export function finalizersChangedBesides(own: string): Predicate {
  return (old: KubeObject | undefined, cur: KubeObject): boolean => {
    if (!old) return true;
    const before = (old.metadata.finalizers ?? []).filter((f) => f !== own);
    const after = (cur.metadata.finalizers ?? []).filter((f) => f !== own);
    const removedOwn =
      (old.metadata.finalizers ?? []).includes(own) && !(cur.metadata.finalizers ?? []).includes(own);
    return removedOwn || before.length !== after.length || before.some((f, i) => f !== after[i]);
  };
}

/** The default primary predicate, ignoring the addition of `own` (the function's finalizer). */
export function primaryPredicateFor(own: string): Predicate {
  return or(generationChanged, finalizersChangedBesides(own), deletionChanged, annotationsChanged);
}
