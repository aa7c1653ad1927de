/**
 * @module runtime/watch/resume
 * The one owner of a watch's resume: where its next request starts (a resourceVersion, or a
 * re-list), how far it got while established (the checkpoint a dispatcher saves), and which
 * events its consumers must take as new although their cache already holds the object.
 *
 * A watcher keeps one {@link WatchResume} for its whole life and tells it what happens; the
 * watcher marks its events from the answers (`refill` and `replay`, see `events.ts`), so the
 * consumers (the dispatcher's hub, any cache) keep no resume state of their own.
 *
 * Guarantees:
 * - started from a checkpoint, the watch opens there at once and the list that refills the
 *   caches runs beside it; the list's copy of an object the watch has already delivered is left
 *   out (the watch's copy is newer or will be);
 * - the resumed watch first replays the changes made since the checkpoint; those up to the newest
 *   version the list held are new to the consumers even though the list showed their result, so
 *   they are marked `replay`;
 * - a resumed watch whose checkpoint is too old (410) before it delivered anything never showed
 *   the changes between the checkpoint and the re-list: every object of that re-list is `replay`;
 * - {@link checkpoint} only moves while the watch is established (not inside a list), so every
 *   change up to it has been delivered; it is kept after the watch stops.
 *
 * Costs: one set of object keys, only while a resumed list runs.
 */
import { storeKey } from '../kube/keys.js';
import type { KubeObject } from '../kube/types.js';

/** A resourceVersion as a number, when it is one (etcd's are; the API does not promise it). */
function numeric(rv: string | undefined): bigint | undefined {
  return rv && /^\d+$/.test(rv) ? BigInt(rv) : undefined;
}

export class WatchResume {
  private position: string | undefined;
  private established = false;
  private reachedWhileEstablished: string | undefined;
  /** Objects the resumed watch delivered while its list ran. */
  private readonly touched = new Set<string>();
  /** False from a resumed start until its watch delivers something (an event or a bookmark). */
  private confirmed = true;
  /** The current re-list follows a resumed watch that failed before it delivered anything. */
  private relistIsNew = false;
  /** Inside a resumed list: the newest resourceVersion it held. */
  private listedMax: bigint | undefined;
  /** After a resumed list: the replayed changes are those up to this resourceVersion. */
  private replayUntil: bigint | undefined;

  /** @param checkpoint a resourceVersion saved by an earlier run; `undefined` starts with a list. */
  constructor(checkpoint?: string) {
    this.position = checkpoint;
  }

  /** Where the next watch opens; `undefined` when the watcher must list first. */
  get from(): string | undefined {
    return this.position;
  }

  /** The last resourceVersion reached while established: where a later run may resume. */
  get checkpoint(): string | undefined {
    return this.reachedWhileEstablished;
  }

  /** A watch opens at {@link from} while its list runs beside it (a resumed start). */
  beginResumed(): void {
    this.established = false;
    this.confirmed = false;
    this.touched.clear();
    this.listedMax = 0n;
    this.replayUntil = undefined;
  }

  /** A full list starts (first start without a checkpoint, or after 410). */
  beginList(): void {
    this.established = false;
    this.relistIsNew = !this.confirmed;
    this.confirmed = true;
    this.touched.clear();
    this.listedMax = undefined;
    this.replayUntil = undefined;
  }

  /** The watch delivered something: an event about `object`, or a bookmark. */
  delivered(object?: KubeObject): void {
    this.confirmed = true;
    if (object && this.listedMax !== undefined) this.touched.add(storeKey(object));
  }

  /** How a consumer must take an `apply` of the watch: true for a change replayed after a resumed list. */
  replays(type: 'apply' | 'delete', rv: string | undefined): boolean {
    const n = numeric(rv);
    if (this.replayUntil === undefined || n === undefined) return false;
    if (n <= this.replayUntil) return type === 'apply';
    this.replayUntil = undefined;
    return false;
  }

  /**
   * How a consumer must take an object of a list: `skip` when the resumed watch already delivered
   * it, `refill` for a resumed list (only the caches want it), `replay` when the list replaces a
   * resumed watch that delivered nothing (every object is new), else `compare`.
   */
  listed(object: KubeObject): 'skip' | 'refill' | 'replay' | 'compare' {
    if (this.listedMax === undefined) return this.relistIsNew ? 'replay' : 'compare';
    if (this.touched.has(storeKey(object))) return 'skip';
    const n = numeric(object.metadata.resourceVersion);
    if (n !== undefined && n > this.listedMax) this.listedMax = n;
    return 'refill';
  }

  /**
   * The list is done and the watch is established from `rv`: the list's resourceVersion, or for a
   * resumed start the position its watch reached.
   */
  establish(rv: string): void {
    if (this.listedMax !== undefined) this.replayUntil = this.listedMax;
    this.listedMax = undefined;
    this.touched.clear();
    this.established = true;
    this.reached(rv);
  }

  /** 410 Gone: the position is too old; the next start lists afresh. */
  gone(): void {
    this.position = undefined;
    this.established = false;
  }

  /** The consumers have taken everything up to resourceVersion `rv`: the next watch opens there. */
  reached(rv: string): void {
    this.position = rv;
    if (this.established) this.reachedWhileEstablished = rv;
  }
}
