/**
 * @module runtime/worker/kind-worker
 * Runs one kind's reconciler as a BullMQ worker: takes a job, reconciles the object its reference
 * names, and maps the outcome to a queue action.
 *
 * Guarantees (with the job options of `runtime/queue/options.ts`):
 * - one reconcile per object at a time across every worker process (the job's lock is a lease;
 *   a lost lease aborts the reconcile through its AbortSignal);
 * - `requeueAfter(ms)` keeps the job and delays it; an event parked while it ran is promoted at
 *   once instead of waiting out the delay;
 * - a failure is retried with capped exponential backoff counted since the last success;
 * - a {@link TerminalError} fails the job without retry (it stays visible on the dashboard);
 * - every run is recorded in the object's history (`history/`), buffered and written per batch.
 *
 * Costs: about one Redis round trip per job under load; one GET of the object per job; history
 * adds no round trip to a job, one script call per batch of records. Parents the function reads
 * from its read cache (`cachedReads`) cost no request on a hit.
 */
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { context, propagation, trace } from '@opentelemetry/api';
import {
  TerminalError,
  backoffStrategy,
  delay,
  displayName,
  parkedEventKey,
  messageOf,
  parseJobData,
  type BackoffPolicy,
  type EventRecorder,
  type KubeClient,
  type KubeObject,
  type Logger,
  type ReconcileJobData,
  type SluiceFunction,
  type FunctionDeclaration,
  type SluiceMetrics,
} from '../index.js';
import os from 'node:os';
import { DEFAULT_HISTORY, type HistorySettings } from '../config.js';
import { recordMessage } from '../history/record.js';
import { HistoryWriter } from '../history/writer.js';
import { createRedis, type RedisClient, type RedisTarget } from '../redis/connection.js';
import { ending, historyEntry, type Ending } from './history-entry.js';
import { jobContext } from './job-context.js';
import { failureCondition, reconcileObject } from './reconcile-object.js';
import { DEFAULT_CONCURRENCY } from './defaults.js';
import { CachedKubeClient, ReadCache, cacheable } from './read-cache.js';

export interface KindWorkerOptions {
  /** The Redis to use: an endpoint (`SluiceConfig.redis`) or one server's URL. */
  readonly redis: RedisTarget;
  /** BullMQ key prefix. @defaultValue `sluice` */
  readonly prefix?: string;
  /** Reconciles run at once by this process for this kind. @defaultValue {@link DEFAULT_CONCURRENCY} */
  readonly concurrency?: number;
  /** The job lease; a worker that stops renewing it for this long loses the job. @defaultValue 30000 */
  readonly lockDurationMs?: number;
  /** How often stalled jobs (dead workers) are looked for. @defaultValue 15000 */
  readonly stalledIntervalMs?: number;
  /** Stalls tolerated over a job's life (the counter never resets). @defaultValue 1000 */
  readonly maxStalledCount?: number;
  /** Retry delays. @defaultValue 5 ms doubling to 1000 s (client-go) */
  readonly backoff?: BackoffPolicy;
  /**
   * After the Redis connection comes back, how long to wait before taking jobs again, so that
   * reconciles aborted in other workers when it dropped have finished (their leases may be gone).
   * This worker also waits until its own aborted reconciles have ended. @defaultValue 2000
   */
  readonly reconnectGraceMs?: number;
  /** `SluiceConfig.namespace`, named in the condition when an object fails because it is missing. */
  readonly operatorNamespace?: string;
  /** How much reconcile history to keep per object. @defaultValue {@link DEFAULT_HISTORY} */
  readonly history?: HistorySettings;
  /** This process in history records. @defaultValue the host name and pid */
  readonly identity?: string;
  /** The namespace the read cache watches (`SluiceConfig.watchNamespace`). @defaultValue all */
  readonly watchNamespace?: string;
}

export interface KindWorkerDeps {
  readonly kube: KubeClient;
  /** The values of the needs the function declared, added to its context under their names. */
  readonly needs?: object;
  readonly metrics: SluiceMetrics;
  readonly log: Logger;
  readonly events: EventRecorder;
}

const tracer = trace.getTracer('sluice-worker');

export class KindWorker {
  private worker: Worker | undefined;
  private history: HistoryWriter | undefined;
  private readonly identity: string;
  /** The client handed to BullMQ, which duplicates it for its own connections; ours to close. */
  private connection: RedisClient | undefined;
  private disconnected = false;
  private closing = false;
  private resumeTimer: NodeJS.Timeout | undefined;
  /** The reconciles of this worker that have started and not yet ended. */
  private readonly reconciling = new Set<Promise<void>>();
  /** The function's `cachedReads`, watched while the worker runs; none when it declares none. */
  private readCache: ReadCache | undefined;
  private cachedKube: KubeClient | undefined;

  /** @param fn the function, loaded or declared (its handlers are then loaded on the first job). */
  constructor(
    private readonly fn: SluiceFunction | FunctionDeclaration,
    private readonly deps: KindWorkerDeps,
    private readonly opts: KindWorkerOptions,
  ) {
    this.identity = opts.identity ?? `${os.hostname()}-${process.pid}`;
  }

  /** Starts taking jobs. */
  start(): void {
    if (this.worker) return;
    if (this.fn.cachedReads && this.fn.cachedReads.length > 0) {
      const cache = new ReadCache(this.deps.kube, this.fn.cachedReads, {
        ...(this.opts.watchNamespace ? { namespace: this.opts.watchNamespace } : {}),
        onError: (kind, err) =>
          this.deps.log.warn(
            { kind, err: messageOf(err) },
            'read cache watch failed; reading from the API server',
          ),
      });
      cache.start();
      this.readCache = cache;
      this.cachedKube = new CachedKubeClient(this.deps.kube.rest, cache);
    }
    this.history = new HistoryWriter(this.fn.kind, {
      redis: this.opts.redis,
      prefix: this.opts.prefix ?? 'sluice',
      settings: this.opts.history ?? DEFAULT_HISTORY,
      log: this.deps.log,
    });
    const connection = createRedis(this.opts.redis, 'queue');
    connection.on('error', () => undefined);
    this.connection = connection;
    const worker = new Worker(this.fn.kind.queue, (job, token, signal) => this.guarded(job, token, signal), {
      connection,
      prefix: this.opts.prefix ?? 'sluice',
      concurrency: this.opts.concurrency ?? DEFAULT_CONCURRENCY,
      lockDuration: this.opts.lockDurationMs ?? 30_000,
      stalledInterval: this.opts.stalledIntervalMs ?? 15_000,
      maxStalledCount: this.opts.maxStalledCount ?? 1000,
      settings: { backoffStrategy: backoffStrategy(this.opts.backoff) },
    });
    worker.on('lockRenewalFailed', (ids) => {
      for (const id of ids) worker.cancelJob(id, 'lock lost');
    });
    worker.on('error', (err) => this.deps.log.warn({ err: messageOf(err) }, 'worker error'));
    this.worker = worker;
    void this.guardConnection(worker);
  }

  /**
   * A dropped Redis connection may mean the leases of the running jobs are gone (Redis restarted
   * empty, or failed over): another worker could then start the same object. So on a drop, every
   * running reconcile is aborted and no job is taken; after the connection is back, taking jobs
   * resumes only once the aborted reconciles have had time to stop.
   */
  private async guardConnection(worker: Worker): Promise<void> {
    const clients = [
      await worker.backend.client,
      ...(worker.backend.blockingClient ? [await worker.backend.blockingClient] : []),
    ];
    const lost = (): void => {
      if (this.closing || this.worker !== worker) return;
      if (this.resumeTimer) clearTimeout(this.resumeTimer);
      this.resumeTimer = undefined;
      if (this.disconnected) return;
      this.disconnected = true;
      this.deps.log.warn(
        { kind: this.fn.kind.kind },
        'lost the Redis connection: aborting running reconciles',
      );
      worker.cancelAllJobs('redis connection lost');
      void worker.pause(true).catch(() => undefined);
    };
    const back = (): void => {
      if (!this.disconnected || this.closing || this.worker !== worker) return;
      if (this.resumeTimer) clearTimeout(this.resumeTimer);
      this.resumeTimer = setTimeout(() => {
        this.resumeTimer = undefined;
        void this.drained(this.opts.lockDurationMs ?? 30_000).then(() => {
          if (!this.disconnected || this.closing || this.worker !== worker || this.resumeTimer) return;
          this.disconnected = false;
          worker
            .resume()
            .catch((err: unknown) =>
              this.deps.log.warn({ err: messageOf(err) }, 'could not resume the worker'),
            );
        });
      }, this.opts.reconnectGraceMs ?? 2000);
    };
    for (const c of clients) {
      c.on('close', lost);
      c.on('ready', back);
    }
  }

  /** Stops taking jobs and waits for the running reconciles to finish. */
  async close(force = false): Promise<void> {
    this.closing = true;
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    // The reference stays until the running reconciles are done: one that ends with
    // requeueAfter during a graceful stop still needs the worker to park its job.
    try {
      await this.worker?.close(force);
    } finally {
      this.worker = undefined;
      await this.history?.close();
      this.history = undefined;
      this.readCache?.close();
      this.readCache = undefined;
      this.cachedKube = undefined;
      this.connection?.disconnect();
      this.connection = undefined;
    }
  }

  get running(): boolean {
    return this.worker?.isRunning() ?? false;
  }

  /** Resolves once the reconciles running now have ended, or after `capMs`. */
  private async drained(capMs: number): Promise<void> {
    await Promise.race([Promise.allSettled([...this.reconciling]), delay(capMs)]);
  }

  /**
   * Runs a job unless the Redis connection has dropped since it was taken: its lease may be gone, so
   * it must not start (after an empty restart the dispatcher queues the object again; otherwise
   * the job is retried).
   */
  private async guarded(job: Job, token: string | undefined, signal: AbortSignal | undefined): Promise<void> {
    if (this.disconnected)
      throw new Error('the Redis connection dropped: not starting a reconcile whose lease may be gone');
    const run = this.process(job, token, signal);
    this.reconciling.add(run);
    try {
      await run;
    } finally {
      this.reconciling.delete(run);
    }
  }

  private async process(job: Job, token: string | undefined, signal: AbortSignal | undefined): Promise<void> {
    const kindLabel = { kind: this.fn.kind.kind };
    let data: ReconcileJobData;
    try {
      data = parseJobData(job.data);
    } catch (err) {
      throw new UnrecoverableError(messageOf(err));
    }
    if (job.attemptsStarted <= 1)
      this.deps.metrics.queueWait.observe(kindLabel, Math.max(0, Date.now() - data.enqueuedAt) / 1000);
    let current: KubeObject = {
      metadata: {
        name: data.ref.name,
        ...(data.ref.namespace ? { namespace: data.ref.namespace } : {}),
        ...(data.ref.uid ? { uid: data.ref.uid } : {}),
      },
    };
    const ctx = jobContext(
      this.fn.kind,
      this.deps,
      job.id,
      data,
      signal ?? new AbortController().signal,
      () => current,
      this.cachedKube && cacheable(data.reason) ? this.cachedKube : this.deps.kube,
    );
    const startedAt = Date.now();
    let recorded = false;
    // Buffered, never awaited: history costs the job no round trip.
    const record = (end: Ending): void => {
      if (recorded || !this.history) return;
      recorded = true;
      this.history.record(data.ref, historyEntry(data, job.id ?? '', current, startedAt, this.identity, end));
    };
    const parent = data.trace ? propagation.extract(context.active(), data.trace) : context.active();
    const series = this.deps.metrics.reconcileSeries(this.fn.kind.kind, this.fn.metricsAlias);
    const stop = series.startTimer();
    await tracer.startActiveSpan(`reconcile ${this.fn.kind.kind}`, {}, parent, async (span) => {
      span.setAttribute('sluice.object', displayName(data.ref));
      try {
        const outcome = await reconcileObject(this.fn, data.ref, ctx, {
          observe: (obj) => (current = obj),
          ...(this.opts.operatorNamespace === undefined
            ? {}
            : { operatorNamespace: this.opts.operatorNamespace }),
        });
        stop();
        record(ending(outcome));
        if (outcome.kind === 'paused') {
          series.count('paused');
          return;
        }
        if (outcome.kind === 'reconciled' && outcome.result.requeueAfterMs !== null) {
          series.count('requeue_after');
          await this.requeue(job, token, outcome.result.requeueAfterMs, data);
        }
        series.count('success');
      } catch (err) {
        if (err instanceof DelayedError) throw err;
        stop();
        series.error();
        const failure = failureCondition(err);
        const failed = { errorReason: failure.reason, error: recordMessage(failure.message) };
        if (err instanceof TerminalError) {
          record({ outcome: 'terminal', ...failed });
          series.count('terminal');
          ctx.log.info({ reason: err.reason, err: err.message }, 'reconcile refused: the spec cannot work');
          throw new UnrecoverableError(`${err.reason}: ${err.message}`);
        }
        series.count('error');
        record({ outcome: 'error', attempt: job.attemptsMade + 1 - (data.failBase ?? 0), ...failed });
        ctx.log.warn(
          { err: messageOf(err), attempt: job.attemptsMade + 1 },
          'reconcile failed; retrying with backoff',
        );
        throw err;
      } finally {
        span.end();
      }
    });
  }

  /**
   * Keeps the job, delayed by `ms`, with the failure count reset. If an event for the object was
   * parked while it ran, the job is promoted so that event does not wait out the delay. Every step
   * is fenced by the job's lock: a worker whose lease is gone (Redis lost its data while it ran)
   * writes nothing, since a job of the same id may now be another object's.
   *
   * Cost: two round trips. BullMQ's move to delayed checks the lock, replaces the data and delays
   * the job in one script (BullMQ's own `updateData` would check only that a job of that id
   * exists); the parked event is looked for after it, since one may be parked until the job
   * leaves the active state.
   */
  private async requeue(
    job: Job,
    token: string | undefined,
    ms: number,
    data: ReconcileJobData,
  ): Promise<never> {
    const worker = this.worker;
    if (!worker) throw new Error('worker closed');
    if (!token) throw new Error(`no lock token for job ${job.id ?? ''}: not requeueing it`);
    // The next run is the requeue's (its history says so), with the failure count reset.
    const { by: _asked, ...rest } = data;
    const next: ReconcileJobData = { ...rest, reason: 'requeue', failBase: job.attemptsMade };
    try {
      await worker.backend.moveToDelayed(job.id ?? '', Date.now(), ms, token, {
        skipAttempt: true,
        fieldsToUpdate: { data: JSON.stringify(next) },
      });
    } catch (err) {
      throw new Error(`could not requeue job ${job.id ?? ''} (its lock may be gone): ${messageOf(err)}`, {
        cause: err,
      });
    }
    const redis = await worker.backend.client;
    const parked = await redis.del(worker.toKey(parkedEventKey(data.ref)));
    if (parked > 0) await job.promote().catch(() => undefined);
    throw new DelayedError();
  }
}
