/**
 * @module runtime/queue/enqueue
 * The one way anything asks for a reconcile: the dispatcher's events and resyncs, the HTTP API and
 * the CLI all call {@link Enqueuer.enqueue}.
 *
 * Priorities:
 * - `normal` (events): plain FIFO, ahead of every prioritized job;
 * - `high` (HTTP, CLI): to the front of the queue;
 * - `low` (resync, re-list): behind every fresh event.
 * A fresh request for a key that already waits at low priority lifts that job (deduplication would
 * otherwise leave it behind the backlog), so a re-list of thousands of objects never delays a change.
 *
 * With fairness ({@link EnqueuerOptions.fairness}), a `normal` request of a namespace that sent
 * more than its quantum recently waits at a fairness level (`fairness.ts`): behind other
 * namespaces' fresh events, ahead of resyncs. Aging (`aging.ts`) bounds every prioritized wait.
 */
import { Job, type Queue } from 'bullmq';
import { context, propagation } from '@opentelemetry/api';
import { displayName, jobKey } from '../kube/keys.js';
import { type ObjectRef } from '../kube/object-ref.js';
import type { SluiceMetrics } from '../metrics.js';
import type { KindInfo, KindRegistry } from '../registry.js';
import { ConfigError } from '../errors.js';
import { jobOptions, type Priority } from './options.js';
import type { EnqueueReason, ReconcileJobData } from './payload.js';
import type { QueueSet } from './queues.js';
import type { FairShare } from './fairness.js';

export interface EnqueueRequest {
  readonly ref: ObjectRef;
  readonly reason: EnqueueReason;
  /** The trace context of what caused the request; the current one when left out. */
  readonly trace?: Readonly<Record<string, string>>;
  /** Who asked (HTTP and CLI requests), recorded in the object's history. */
  readonly by?: string;
}

export interface EnqueueResult {
  readonly jobId: string;
  readonly queue: string;
}

/** The current trace context as a carrier, when a tracer is active. */
export function traceCarrier(): Record<string, string> | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return Object.keys(carrier).length > 0 ? carrier : undefined;
}

/** A request this process queued recently, kept to be sent again after a Redis failover. */
export interface RecentEnqueue {
  readonly request: EnqueueRequest;
  readonly priority: Priority;
  /** When Redis accepted it (ms since the epoch). */
  readonly at: number;
}

/** How long queued requests are remembered for a failover. @defaultValue 30 s */
export const RECENT_ENQUEUES_MS = 30_000;

type BulkEntry = Parameters<Queue['addBulk']>[0][number];

/**
 * Adds `entries` to `queue`. One job is one script call: `addBulk` would build an ioredis pipeline
 * around it, and a pipeline copies every registered script command onto itself (BullMQ registers
 * dozens), most of the cost of a small batch.
 */
async function addAll(queue: Queue, entries: BulkEntry[]): Promise<Job[]> {
  const single = entries.length === 1 ? entries[0] : undefined;
  return single ? [await queue.add(single.name, single.data, single.opts)] : queue.addBulk(entries);
}

export interface EnqueuerOptions {
  /** How long queued requests are remembered for a failover. @defaultValue {@link RECENT_ENQUEUES_MS} */
  readonly recentMs?: number;
  /** Share the queues fairly between namespaces (`SLUICE_FAIRNESS=namespace`). @defaultValue off */
  readonly fairness?: FairShare;
}

export class Enqueuer {
  /** Keys this process queued at low priority, with the job id, so a fresh request can lift them. */
  private readonly lowPriority = new Map<string, string>();
  /**
   * The last request per key accepted in the last {@link RECENT_ENQUEUES_MS}, oldest first: what
   * a failover may have lost (replication is asynchronous). Bounded by the keys queued in that time.
   */
  private readonly recentlyQueued = new Map<string, RecentEnqueue>();

  constructor(
    private readonly queues: QueueSet,
    private readonly registry: KindRegistry,
    private readonly metrics?: SluiceMetrics,
    private readonly opts: EnqueuerOptions = {},
  ) {
    this.recentMs = opts.recentMs ?? RECENT_ENQUEUES_MS;
  }

  private readonly recentMs: number;

  /** Whether fresh requests are shared fairly between namespaces. */
  get fair(): boolean {
    return this.opts.fairness !== undefined;
  }

  /** The queue of `kind` (aging runs over the queues the dispatcher feeds). */
  queueOf(kind: KindInfo): Queue {
    return this.queues.get(kind);
  }

  /** The requests accepted in the remembered window, oldest first (the latest per key). */
  recent(now = Date.now()): RecentEnqueue[] {
    this.forgetOlderThan(now - this.recentMs);
    return [...this.recentlyQueued.values()];
  }

  private forgetOlderThan(cutoff: number): void {
    for (const [key, r] of this.recentlyQueued) {
      if (r.at >= cutoff) break;
      this.recentlyQueued.delete(key);
    }
  }

  /**
   * Queues a reconcile of each referenced object (requests for one key collapse into one job).
   * @returns one result per request, in order.
   * @throws ConfigError for a kind that is not registered.
   */
  async enqueue(
    requests: readonly EnqueueRequest[],
    priority: Priority = 'normal',
  ): Promise<EnqueueResult[]> {
    const byQueue = new Map<string, { indexes: number[]; requests: EnqueueRequest[] }>();
    requests.forEach((r, i) => {
      const kind = this.registry.get(r.ref.group, r.ref.kind);
      if (!kind) throw new ConfigError(`cannot enqueue ${r.ref.kind}.${r.ref.group}: kind is not registered`);
      const entry = byQueue.get(kind.queue) ?? { indexes: [], requests: [] };
      entry.indexes.push(i);
      entry.requests.push(r);
      byQueue.set(kind.queue, entry);
    });
    const results: EnqueueResult[] = new Array<EnqueueResult>(requests.length);
    const trace = traceCarrier();
    const now = Date.now();
    await Promise.all(
      [...byQueue.entries()].map(async ([queueName, batch]) => {
        const first = batch.requests[0];
        const kind = first ? this.registry.get(first.ref.group, first.ref.kind) : undefined;
        if (!kind) return;
        const queue = this.queues.get(kind);
        const fairness = priority === 'normal' ? this.opts.fairness : undefined;
        const levels = batch.requests.map((r) => fairness?.level(r.ref.namespace ?? '', now) ?? 0);
        const jobs = await addAll(
          queue,
          batch.requests.map((r, j) => {
            const carrier = r.trace ?? trace;
            const data: ReconcileJobData = {
              ref: r.ref,
              reason: r.reason,
              enqueuedAt: now,
              ...(carrier ? { trace: carrier } : {}),
              ...(r.by ? { by: r.by } : {}),
            };
            return {
              name: displayName(r.ref),
              data,
              opts: jobOptions(jobKey(r.ref), priority, levels[j] ?? 0),
            };
          }),
        );
        await Promise.all(
          jobs.map(async (job, j) => {
            const request = batch.requests[j];
            const index = batch.indexes[j];
            if (!request || index === undefined) return;
            const key = jobKey(request.ref);
            const id = job.id ?? '';
            results[index] = { jobId: id, queue: queueName };
            const at = Date.now();
            this.recentlyQueued.delete(key);
            this.recentlyQueued.set(key, { request, priority, at });
            this.forgetOlderThan(at - this.recentMs);
            this.metrics?.enqueued.inc({ kind: kind.kind, reason: request.reason });
            if (priority === 'low') {
              this.lowPriority.set(key, id);
              return;
            }
            const parked = priority === 'high' ? id : this.lowPriority.get(key);
            this.lowPriority.delete(key);
            if (parked) await this.lift(queue.name, queue, parked, priority === 'high', levels[j] ?? 0);
          }),
        );
      }),
    );
    return results;
  }

  /**
   * Moves a waiting job into the unprioritized (FIFO) list, or to its fairness `level`; a job that
   * has moved on is left alone.
   */
  private async lift(
    name: string,
    queue: Parameters<typeof Job.fromId>[0],
    jobId: string,
    front: boolean,
    level: number,
  ): Promise<void> {
    try {
      await new Job(queue, name, {}, {}, jobId).changePriority({
        priority: front ? 0 : level,
        lifo: front,
      });
    } catch {
      /* the job finished or was taken meanwhile: nothing to lift */
    }
  }
}
