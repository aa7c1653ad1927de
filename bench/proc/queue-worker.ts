/**
 * @module bench/proc/queue-worker
 * A worker process of the queue benchmark, in one of two modes:
 * - `sluice`: the worker host's {@link KindWorker} running the no-op reconciler (whole host path);
 * - `raw`: a plain BullMQ Worker with a no-op processor and the same worker settings.
 * In `sluice` mode, `history` says whether the per-object reconcile history is written, and
 * `kinds` names the no-op kinds served (one KindWorker each, all in this process).
 * It reports to its parent, every 50 ms: how many jobs finished, when the last one did, what its
 * Redis clients sent ({@link redisRequestCounts}) and (when asked) when each reconcile started,
 * keyed by object name.
 * Usage: forked by the queue scenario with `{mode, redis, prefix, concurrency, recordStarts, kinds?}`.
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { Worker } from 'bullmq';
import { KindWorker } from '../../runtime/worker/kind-worker.js';
import { DEFAULT_HISTORY, backoffStrategy, createRedis, type RedisTarget } from '../../runtime/index.js';
import { MemoryKube, NoopKind, benchHostDeps, noopFunction, noopKind } from '../lib/noop-kind.js';
import { startProfiler } from '../lib/profiler.js';
import { countRedisRequests, redisRequestCounts } from '../lib/redis-requests.js';

interface Options {
  readonly mode: 'sluice' | 'raw';
  /** Write reconcile history (the default settings) or none. @defaultValue true */
  readonly history?: boolean;
  /** One server's URL, or a Sentinel or Cluster endpoint. */
  readonly redis: RedisTarget;
  readonly prefix: string;
  readonly concurrency: number;
  readonly recordStarts: boolean;
  /** Kind names served in `sluice` mode. @defaultValue the single `Noop` kind */
  readonly kinds?: readonly string[];
  /** Write a V8 CPU profile of this process to this file when it stops. */
  readonly cpuProfile?: string;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as Options;
countRedisRequests();
const profiler = opts.cpuProfile ? await startProfiler(opts.cpuProfile) : undefined;
const now = (): number => performance.timeOrigin + performance.now();
let done = 0;
let lastDoneAt = 0;
let starts: [string, number][] = [];
let reported = -1;

// What holds this process's event loop up (the latency part's tail): its delay and GC pauses,
// since the last `reset` message from the parent.
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
let gcMs = 0;
let gcMaxMs = 0;
let gcCount = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcMs += e.duration;
    gcMaxMs = Math.max(gcMaxMs, e.duration);
    gcCount++;
  }
}).observe({ entryTypes: ['gc'] });
process.on('message', (m: { type?: string }) => {
  if (m.type !== 'reset') return;
  loopDelay.reset();
  gcMs = gcMaxMs = gcCount = 0;
});
const pauses = (): Record<string, number> => ({
  loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
  loopDelayMaxMs: loopDelay.max / 1e6,
  gcMs,
  gcMaxMs,
  gcCount,
});

const onStart = (name: string): void => {
  if (opts.recordStarts) starts.push([name, now()]);
};
const onDone = (): void => {
  done++;
  lastDoneAt = now();
};

const workerSettings = {
  concurrency: opts.concurrency,
  lockDuration: 30_000,
  stalledInterval: 15_000,
  maxStalledCount: 1000,
};

let close: () => Promise<void>;
if (opts.mode === 'sluice') {
  const kinds = opts.kinds?.map(noopKind) ?? [NoopKind];
  const workers = kinds.map(
    (kind) =>
      new KindWorker(noopFunction(onStart, kind), benchHostDeps(new MemoryKube()), {
        redis: opts.redis,
        prefix: opts.prefix,
        concurrency: opts.concurrency,
        lockDurationMs: workerSettings.lockDuration,
        stalledIntervalMs: workerSettings.stalledInterval,
        maxStalledCount: workerSettings.maxStalledCount,
        history: opts.history === false ? { ...DEFAULT_HISTORY, records: 0 } : DEFAULT_HISTORY,
      }),
  );
  for (const worker of workers) {
    worker.start();
    // The host has no completion hook: count completions from BullMQ's own event on its worker.
    const inner = (worker as unknown as { worker?: Worker }).worker;
    inner?.on('completed', onDone);
  }
  close = async () => {
    await Promise.all(workers.map((w) => w.close()));
  };
} else {
  const connection = createRedis(opts.redis);
  connection.on('error', () => undefined);
  const worker = new Worker(
    NoopKind.queue,
    (job) => {
      onStart((job.data as { ref?: { name?: string } }).ref?.name ?? job.name);
      return Promise.resolve();
    },
    {
      connection,
      prefix: opts.prefix,
      ...workerSettings,
      settings: { backoffStrategy: backoffStrategy() },
    },
  );
  worker.on('completed', onDone);
  worker.on('error', () => undefined);
  close = async () => {
    await worker.close();
    connection.disconnect();
  };
}

const timer = setInterval(() => {
  if (done === reported && starts.length === 0) return;
  reported = done;
  process.send?.({ type: 'progress', done, lastDoneAt, starts, ...redisRequestCounts(), pauses: pauses() });
  starts = [];
}, 50);

process.send?.({ type: 'ready' });
process.on('SIGTERM', () => {
  clearInterval(timer);
  void close()
    .then(() => profiler?.stop())
    .then(() => process.exit(0));
});
