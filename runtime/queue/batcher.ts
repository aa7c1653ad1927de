/**
 * @module runtime/queue/batcher
 * Batches reconcile requests into `addBulk` calls, as a group commit: a request that finds no
 * write in flight is written once the current turn of the event loop is over (so every event of
 * one watch chunk or list page shares the write), and requests that arrive while a write is in
 * flight wait for it and go together in the next. Requests for one object within a batch
 * collapse into one (the higher priority wins); a failed flush keeps its requests and retries
 * with backoff, so an outage of Redis loses nothing the dispatcher has seen.
 *
 * Costs: at most one `addBulk` per priority in flight at a time, so the batches grow with the
 * event rate and Redis's answer time, and a lone event waits for no timer; memory bounded by the
 * number of distinct objects waiting to be written.
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
  /**
   * How long a request that finds no write in flight waits for company; 0 writes it after the
   * current turn of the event loop. @defaultValue 0
   */
  readonly lingerMs?: number;
  /** A batch is written at once when it reaches this size. @defaultValue 500 */
  readonly maxBatch?: number;
}

interface Pending {
  readonly ref: ObjectRef;
  readonly reason: EnqueueReason;
  readonly priority: Priority;
  /** The trace context current when the request was added (the watch event's). */
  readonly trace?: Readonly<Record<string, string>>;
}

const RANK: Record<Priority, number> = { low: 0, normal: 1, high: 2 };

export class EnqueueBatcher {
  private pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  /** Whether {@link timer} is the end-of-turn one (an immediate) rather than a linger timeout. */
  private soon = false;
  private flushing: Promise<void> = Promise.resolve();
  /** A write is in flight: what is added meanwhile goes in its loop's next batch. */
  private writing = false;
  private failures = 0;
  private closed = false;

  constructor(
    private readonly enqueuer: Enqueuer,
    private readonly log: Logger,
    private readonly opts: BatcherOptions = {},
  ) {}

  /** Queues a request; it is written after this turn of the event loop, or after the write in flight. */
  add(ref: ObjectRef, reason: EnqueueReason, priority: Priority): void {
    const key = jobKey(ref);
    const existing = this.pending.get(key);
    if (!existing || RANK[priority] > RANK[existing.priority]) {
      const trace = traceCarrier();
      this.pending.set(key, { ref, reason, priority, ...(trace ? { trace } : {}) });
    }
    if (this.pending.size >= (this.opts.maxBatch ?? 500)) this.schedule(0);
    else if (!this.writing) this.schedule(this.opts.lingerMs ?? 0);
  }

  /** Number of requests not yet written. */
  get size(): number {
    return this.pending.size;
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.timer && ms > 0) return;
    if (this.timer && ms === 0 && this.soon) return;
    this.cancel();
    const run = (): void => {
      this.timer = undefined;
      void this.flush();
    };
    this.soon = ms === 0;
    this.timer = ms > 0 ? setTimeout(run, ms) : setImmediate(run);
  }

  private cancel(): void {
    if (this.timer === undefined) return;
    if (this.soon) clearImmediate(this.timer as NodeJS.Immediate);
    else clearTimeout(this.timer as NodeJS.Timeout);
    this.timer = undefined;
  }

  /** Writes everything added so far; resolves when it is in Redis (retrying failures meanwhile). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writeAll());
    return this.flushing;
  }

  private async writeAll(): Promise<void> {
    this.writing = true;
    try {
      await this.writePending();
    } finally {
      this.writing = false;
    }
  }

  private async writePending(): Promise<void> {
    while (this.pending.size > 0) {
      const batch = this.pending;
      this.pending = new Map();
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
    this.cancel();
    await this.flush();
  }
}
