/**
 * @module runtime/queue/batcher
 * Micro-batches reconcile requests into `addBulk` calls. Requests for one object within a batch
 * collapse into one (the higher priority wins); a failed flush keeps its requests and retries
 * with backoff, so an outage of Redis loses nothing the dispatcher has seen.
 *
 * Costs: at most one `addBulk` per priority per linger period; memory bounded by the number of
 * distinct objects waiting to be written. More than a batch waiting (a re-list) is written one
 * batch at a time, highest priority first, so a fresh event waits for one write, not the re-list.
 */
import { backoffDelay, ENQUEUE_BACKOFF } from '../backoff.js';
import { messageOf } from '../errors.js';
import { jobKey } from '../kube/keys.js';
import { type ObjectRef } from '../kube/object-ref.js';
import { type Logger } from '../log.js';
import { traceCarrier, type Enqueuer } from './enqueue.js';
import { type Priority } from './options.js';
import { type EnqueueReason } from './payload.js';

export interface BatcherOptions {
  /** How long a request may wait for company. @defaultValue 5 ms */
  readonly lingerMs?: number;
  /** A batch is written at once when it reaches this size. @defaultValue 500 */
  readonly maxBatch?: number;
  /**
   * Take the requests of a batch round-robin between namespaces, in batches of at most 100, so a
   * namespace's burst of thousands does not hold another's request back until the whole burst is
   * written. On with fairness (`SLUICE_FAIRNESS=namespace`). @defaultValue false
   */
  readonly fair?: boolean;
}

interface Pending {
  readonly ref: ObjectRef;
  readonly reason: EnqueueReason;
  readonly priority: Priority;
  /** The trace context current when the request was added (the watch event's). */
  readonly trace?: Readonly<Record<string, string>>;
}

const RANK: Record<Priority, number> = { low: 0, normal: 1, high: 2 };

/**
 * The largest batch in fair mode: a write of 500 took about 0.35 s on two loaded cores, and a quiet
 * namespace's request arriving during a flood's burst waits for the batch in flight.
 */
const FAIR_BATCH = 100;

export class EnqueueBatcher {
  private pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private failures = 0;
  private closed = false;

  constructor(
    private readonly enqueuer: Enqueuer,
    private readonly log: Logger,
    private readonly opts: BatcherOptions = {},
  ) {}

  /** Queues a request; it is written within the linger period. */
  add(ref: ObjectRef, reason: EnqueueReason, priority: Priority): void {
    const key = jobKey(ref);
    const existing = this.pending.get(key);
    if (!existing || RANK[priority] > RANK[existing.priority]) {
      const trace = traceCarrier();
      this.pending.set(key, { ref, reason, priority, ...(trace ? { trace } : {}) });
    }
    if (this.pending.size >= (this.opts.maxBatch ?? 500)) this.schedule(0);
    else this.schedule(this.opts.lingerMs ?? 5);
  }

  /** Number of requests not yet written. */
  get size(): number {
    return this.pending.size;
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.timer && ms > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
  }

  /** Writes everything added so far; resolves when it is in Redis (retrying failures meanwhile). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writeAll());
    return this.flushing;
  }

  /**
   * The next requests to write, at most one batch: the highest priority first and, with `fair`,
   * round-robin between namespaces within a priority. One batch at a time means a request added
   * while a large batch (a re-list of thousands) is written waits for one `addBulk`, not for all.
   * Costs: one pass over the waiting requests per priority and batch.
   */
  private take(): Map<string, Pending> {
    // Fair batches are smaller: a request of another namespace waits for the batch in flight.
    const max = Math.min(this.opts.maxBatch ?? 500, this.opts.fair ? FAIR_BATCH : Infinity);
    if (this.pending.size <= max) {
      const all = this.pending;
      this.pending = new Map();
      return all;
    }
    const out = new Map<string, Pending>();
    for (const priority of ['high', 'normal', 'low'] as const) {
      if (out.size >= max) break;
      const entries: [string, Pending][] = [];
      for (const entry of this.pending) if (entry[1].priority === priority) entries.push(entry);
      for (const [key, p] of this.opts.fair ? interleave(entries) : entries) {
        if (out.size >= max) break;
        out.set(key, p);
      }
    }
    for (const key of out.keys()) this.pending.delete(key);
    return out;
  }

  private async writeAll(): Promise<void> {
    while (this.pending.size > 0) {
      const batch = this.take();
      const byPriority = new Map<Priority, Pending[]>();
      for (const p of batch.values()) {
        let group = byPriority.get(p.priority);
        if (!group) byPriority.set(p.priority, (group = []));
        group.push(p);
      }
      try {
        for (const priority of ['high', 'normal', 'low'] as const) {
          const items = byPriority.get(priority);
          if (!items) continue;
          for (let i = 0; i < items.length; i += this.opts.maxBatch ?? 500) {
            await this.enqueuer.enqueue(items.slice(i, i + (this.opts.maxBatch ?? 500)), priority);
          }
        }
        this.failures = 0;
      } catch (err) {
        for (const [k, p] of batch) if (!this.pending.has(k)) this.pending.set(k, p);
        this.failures++;
        const wait = backoffDelay(this.failures, ENQUEUE_BACKOFF);
        this.log.warn(
          { err: messageOf(err), pending: this.pending.size, retryInMs: wait },
          'could not enqueue; retrying',
        );
        if (this.closed) return;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /** Stops the timers and makes one last attempt to write what is pending. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}

/** The entries in turns: the first of each namespace, then the second of each, and so on. */
function interleave(entries: readonly [string, Pending][]): [string, Pending][] {
  const byNamespace = new Map<string, [string, Pending][]>();
  for (const entry of entries) {
    const ns = entry[1].ref.namespace ?? '';
    let list = byNamespace.get(ns);
    if (!list) byNamespace.set(ns, (list = []));
    list.push(entry);
  }
  const lists = [...byNamespace.values()];
  const out: [string, Pending][] = [];
  for (let round = 0; out.length < entries.length; round++)
    for (const list of lists) {
      const entry = list[round];
      if (entry) out.push(entry);
    }
  return out;
}
