/**
 * @module runtime/watch/events
 * What a watcher yields: a closed union, as kube-rs's `watcher::Event`.
 *
 * A (re-)list is bracketed: `init`, one `initApply` per listed object, `initDone`. Consumers that
 * keep a cache rebuild it from the bracket (objects missing from it were deleted meanwhile).
 * `init.resumed` is set when the list only refills caches because the watch resumes from a saved
 * resourceVersion: every change since then still arrives as `apply`/`delete`, and those events
 * may arrive inside the bracket (the resumed watch runs beside the list). `refill` and `replay`
 * say how a consumer with a cache must take an object; the watcher's resume
 * (`resume.ts`) decides.
 */
import type { KubeObject } from '../kube/types.js';

export type WatchEvent<K extends KubeObject = KubeObject> =
  | { readonly type: 'init'; readonly resumed: boolean }
  | {
      readonly type: 'initApply';
      readonly object: K;
      /** Set in a resumed bracket: the object only refills caches, it is no change to act on. */
      readonly refill?: boolean;
      /** Set when the object is new to consumers whatever their cache holds (see `resume.ts`). */
      readonly replay?: boolean;
    }
  | { readonly type: 'initDone' }
  | {
      readonly type: 'apply';
      readonly object: K;
      /** Set for a change made while no one watched, which the resumed list already showed. */
      readonly replay?: boolean;
    }
  | { readonly type: 'delete'; readonly object: K };

/** The watcher's state, for health reporting. */
export type WatcherState = 'starting' | 'listing' | 'watching' | 'backoff' | 'stopped';
