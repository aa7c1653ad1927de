/**
 * @module bench/scenarios/queue
 * Scenario `queue`: no-op reconcile throughput through the whole Sluice path against raw BullMQ
 * with the same job options, in the same run and on the same (private) Redis; then the latency
 * from an event to the start of its reconcile at a steady 1,000 events per second.
 *
 * - Sluice path: the dispatcher's {@link EnqueueBatcher} (micro-batched `addBulk` through the
 *   {@link Enqueuer}) → Redis → the worker host's KindWorker (payload validation, logger,
 *   metrics, span, read of the object from memory, no-op reconcile, outcome mapping) → done.
 * - Raw path: `queue.addBulk` in batches of the same size with `jobOptions()` (deduplication
 *   `keepLastIfActive` + `reschedule`) → a plain BullMQ Worker with a no-op processor.
 * - Sluice without history: the same, with `SLUICE_HISTORY_RECORDS=0` (the per-object reconcile
 *   history off), so one run shows what writing history costs.
 * Throughput = jobs / (last completion − first enqueue), every key distinct, with 1 and 2 worker
 * processes of the same concurrency on every path (the worker host's default unless
 * `--worker-concurrency` says otherwise). No queue-wide rate limit is set on any path.
 */
import type { RedisTarget } from '../../runtime/index.js';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { EnqueueBatcher } from '../../runtime/queue/batcher.js';
import { DEFAULT_CONCURRENCY } from '../../runtime/worker/defaults.js';
import {
  Enqueuer,
  KindRegistry,
  QueueSet,
  SluiceMetrics,
  createLogger,
  jobKey,
  jobOptions,
  type ObjectRef,
} from '../../runtime/index.js';
import { startPrivateRedis } from '../../test/env/private-redis.js';
import { redisCluster } from '../../test/env/redis-topologies.js';
import { NoopKind } from '../lib/noop-kind.js';
import { commandStats } from '../lib/redis-requests.js';
import { kindsNotes, runKinds } from './queue-kinds.js';
import { now, startWorkers, until, type WorkerSpec } from '../lib/queue-workers.js';
import type { Figures, ScenarioResult, Target } from '../lib/results.js';
import { percentile } from '../lib/stats.js';

export interface QueueOptions {
  /** Jobs per throughput measurement. */
  readonly jobs: number;
  /** Events per second of the latency measurement. */
  readonly rate: number;
  /** Seconds of the latency measurement. */
  readonly seconds: number;
  /** Jobs at once per worker process, on both paths. */
  readonly concurrency: number;
  /** Write a V8 CPU profile of every worker process into this folder. */
  readonly cpuProfDir?: string;
}

export const QUEUE_FULL: QueueOptions = {
  jobs: 20_000,
  rate: 1000,
  seconds: 15,
  concurrency: DEFAULT_CONCURRENCY,
};
export const QUEUE_SMALL: QueueOptions = { ...QUEUE_FULL, jobs: 2_000, seconds: 3 };

export const QUEUE_ORDER = [
  'sluice_per_s',
  'sluice_nohistory_per_s',
  'raw_bullmq_per_s',
  'p50_ms',
  'p99_ms',
] as const;

/** The paths measured: Sluice with history (the default), Sluice without, raw BullMQ. */
type Path = 'sluice' | 'sluice-nohistory' | 'raw';

/** A path's name in the figures. */
function pathFigure(p: Path): string {
  return p === 'raw' ? 'raw_bullmq' : p === 'sluice' ? 'sluice' : 'sluice_nohistory';
}

export const QUEUE_TARGETS: readonly Target[] = [
  {
    name: 'throughput ≥ 0.9× raw BullMQ (1 worker)',
    check: (m) => (m.ratio ?? 0) >= 0.9,
    show: (m) => `${m.ratio ?? '?'}× (${m.sluice_per_s ?? '?'} vs ${m.raw_bullmq_per_s ?? '?'} jobs/s)`,
  },
  {
    name: 'throughput ≥ 0.9× raw BullMQ (2 workers)',
    check: (m) => (m.ratio_2w ?? 0) >= 0.9,
    show: (m) =>
      `${m.ratio_2w ?? '?'}× (${m.sluice_2w_per_s ?? '?'} vs ${m.raw_bullmq_2w_per_s ?? '?'} jobs/s)`,
  },
  {
    name: 'event → reconcile start p99 ≤ 25 ms at 1,000/s',
    check: (m) => (m.p99_ms ?? Infinity) <= 25,
    show: (m) => `${m.p99_ms ?? '?'} ms (p50 ${m.p50_ms ?? '?'} ms)`,
  },
];

/** What the worker processes of `path` serve. */
function workerSpec(
  path: Path,
  redis: RedisTarget,
  prefix: string,
  opts: QueueOptions,
  recordStarts: boolean,
): WorkerSpec {
  return {
    mode: path === 'raw' ? 'raw' : 'sluice',
    history: path === 'sluice',
    redis,
    prefix,
    concurrency: opts.concurrency,
    recordStarts,
    ...(opts.cpuProfDir ? { cpuProfDir: opts.cpuProfDir } : {}),
  };
}

function ref(name: string): ObjectRef {
  return { group: NoopKind.group, version: NoopKind.version, kind: NoopKind.kind, namespace: 'bench', name };
}

/** Jobs per second through one path with `workers` worker processes. */
async function throughput(
  mode: Path,
  workers: number,
  redis: RedisTarget,
  opts: QueueOptions,
  tag: string,
): Promise<{ perS: number; enqueueS: number; commands: Record<string, number> }> {
  const prefix = `bench-q-${tag}-${mode}-${workers}`;
  const w = await startWorkers(workerSpec(mode, redis, prefix, opts, false), workers);
  const queues = new QueueSet({ redis, prefix });
  const before = await commandStats(queues.connection);
  try {
    const names = Array.from({ length: opts.jobs }, (_, i) => `${mode}-${i}`);
    const t0 = now();
    if (mode !== 'raw') {
      const enqueuer = new Enqueuer(queues, new KindRegistry([NoopKind]), new SluiceMetrics());
      const log = createLogger({ level: 'warn' });
      const batcher = new EnqueueBatcher(enqueuer, log);
      for (const n of names) batcher.add(ref(n), 'event', 'normal');
      await batcher.close();
    } else {
      const queue = queues.get(NoopKind);
      for (let i = 0; i < names.length; i += 500) {
        await queue.addBulk(
          names.slice(i, i + 500).map((n) => {
            const r = ref(n);
            return {
              name: n,
              data: { ref: r, reason: 'event', enqueuedAt: Date.now() },
              opts: jobOptions(jobKey(r), 'normal'),
            };
          }),
        );
      }
    }
    const enqueued = now();
    await until(`${opts.jobs} ${mode} jobs`, () => w.done() >= opts.jobs, 10 * 60_000);
    await sleep(100);
    const after = await commandStats(queues.connection);
    const commands: Record<string, number> = {};
    for (const [k, v] of after) {
      const d = (v - (before.get(k) ?? 0)) / opts.jobs;
      if (d >= 0.01) commands[k] = Math.round(d * 100) / 100;
    }
    return { perS: opts.jobs / ((w.lastDoneAt() - t0) / 1000), enqueueS: (enqueued - t0) / 1000, commands };
  } finally {
    await w.stop();
    await queues
      .get(NoopKind)
      .obliterate({ force: true })
      .catch(() => undefined);
    await queues.close();
  }
}

/** What one latency measurement found: each event's latency (ms) and what held the loops up. */
interface Latency {
  readonly ms: number[];
  /** The worker process's event-loop delay and GC pauses during the measurement. */
  readonly worker: Record<string, number>;
  /** The driver's (the dispatcher's part: batcher and enqueue) event-loop delay p99, ms. */
  readonly driverLoopDelayP99Ms: number;
}

/**
 * Event → reconcile start latencies at `opts.rate` events per second: the events go through the
 * dispatcher's batcher in every case, and one worker process of `path` takes them (the raw path
 * is a plain BullMQ Worker, so the difference is the worker host's own share).
 */
async function latency(path: Path, redisUrl: string, opts: QueueOptions, tag: string): Promise<Latency> {
  const prefix = `bench-q-${tag}-lat-${path}`;
  const w = await startWorkers(workerSpec(path, redisUrl, prefix, opts, true), 1);
  const queues = new QueueSet({ redis: redisUrl, prefix });
  const enqueuer = new Enqueuer(queues, new KindRegistry([NoopKind]), new SluiceMetrics());
  const batcher = new EnqueueBatcher(enqueuer, createLogger({ level: 'warn' }));
  const sent = new Map<string, number>();
  const driverLoop = monitorEventLoopDelay({ resolution: 1 });
  try {
    const total = opts.rate * opts.seconds;
    w.reset();
    driverLoop.enable();
    const t0 = now();
    let i = 0;
    while (i < total) {
      const due = Math.min(total, Math.floor(((now() - t0) / 1000) * opts.rate));
      for (; i < due; i++) {
        const name = `lat-${i}`;
        sent.set(name, now());
        batcher.add(ref(name), 'event', 'normal');
      }
      await sleep(1);
    }
    await batcher.flush();
    await until('every event reconciled', () => w.starts.size >= total, 120_000);
    driverLoop.disable();
    await sleep(100); // the worker's report after its last start
    const out: number[] = [];
    for (const [name, t] of sent) {
      const s = w.starts.get(name);
      if (s !== undefined) out.push(s - t);
    }
    return { ms: out, worker: w.pauses()[0] ?? {}, driverLoopDelayP99Ms: driverLoop.percentile(99) / 1e6 };
  } finally {
    await batcher.close();
    await w.stop();
    await queues
      .get(NoopKind)
      .obliterate({ force: true })
      .catch(() => undefined);
    await queues.close();
  }
}

/** Redis commands per job of the last run, per path and worker count (from INFO commandstats). */
export const redisCommandsPerJob: Record<string, Record<string, number>> = {};

/** One run of the scenario: both paths with 1 and 2 workers, then the latency. */
export async function runQueue(
  opts: QueueOptions,
  say: (m: string) => void,
  runIndex: number,
): Promise<Figures> {
  const redis = await startPrivateRedis();
  try {
    const tag = `${Date.now().toString(36)}-${runIndex}`;
    const f: Record<string, number> = {};
    // Rotate the order so no path always runs on a warmer machine.
    const paths: Path[] = ['raw', 'sluice', 'sluice-nohistory'];
    const order = paths.map((_, i) => paths[(i + runIndex) % paths.length] ?? 'raw');
    for (const workers of [1, 2]) {
      for (const mode of order) {
        const { perS, enqueueS, commands } = await throughput(mode, workers, redis.url, opts, tag);
        redisCommandsPerJob[`${mode}_${workers}w`] = commands;
        const base = `${pathFigure(mode)}${workers === 2 ? '_2w' : ''}`;
        f[`${base}_per_s`] = perS;
        f[`${base}_enqueue_s`] = enqueueS;
        say(
          `  ${mode} with ${workers} worker(s): ${Math.round(perS)} jobs/s (all enqueued after ${enqueueS.toFixed(2)} s)`,
        );
      }
    }
    // Ratios of one run (the same machine and Redis at the same time); the targets use their medians.
    f.ratio = (f.sluice_per_s ?? 0) / (f.raw_bullmq_per_s ?? 1);
    f.ratio_2w = (f.sluice_2w_per_s ?? 0) / (f.raw_bullmq_2w_per_s ?? 1);
    f.ratio_nohistory = (f.sluice_nohistory_per_s ?? 0) / (f.raw_bullmq_per_s ?? 1);
    f.ratio_nohistory_2w = (f.sluice_nohistory_2w_per_s ?? 0) / (f.raw_bullmq_2w_per_s ?? 1);
    // The share of throughput that writing history costs, within the same run.
    f.history_cost = 1 - (f.sluice_per_s ?? 0) / (f.sluice_nohistory_per_s ?? 1);
    // The same paths, one worker each, on a Redis Cluster of three primaries (one queue lives on
    // one primary, so this shows the cost of the Cluster client per job).
    const cluster = await redisCluster();
    for (const mode of order) {
      const { perS, commands } = await throughput(mode, 1, cluster.endpoint, opts, `${tag}-c`);
      redisCommandsPerJob[`cluster_${mode}_1w`] = commands;
      f[`cluster_${pathFigure(mode)}_per_s`] = perS;
      say(`  ${mode} with 1 worker on a 3-primary Cluster: ${Math.round(perS)} jobs/s`);
    }
    f.cluster_ratio = (f.cluster_sluice_per_s ?? 0) / (f.cluster_raw_bullmq_per_s ?? 1);
    // Throughput as kinds spread over the Cluster's primaries, beside the single Redis.
    Object.assign(f, await runKinds(redis.url, cluster, opts, tag, say));
    // Latency with each worker in turn (rotated like the throughput paths), the same batcher.
    for (const mode of order) {
      const lat = await latency(mode, redis.url, opts, tag);
      const base = mode === 'sluice' ? '' : mode === 'raw' ? 'raw_worker_' : 'nohistory_';
      f[`${base}p50_ms`] = percentile(lat.ms, 50);
      f[`${base}p99_ms`] = percentile(lat.ms, 99);
      f[`${base}max_ms`] = Math.max(...lat.ms);
      const w = lat.worker;
      f[`${base}lat_worker_gc_max_ms`] = w.gcMaxMs ?? Number.NaN;
      f[`${base}lat_worker_gc_ms`] = w.gcMs ?? Number.NaN;
      f[`${base}lat_worker_loop_delay_p99_ms`] = w.loopDelayP99Ms ?? Number.NaN;
      f[`${base}lat_worker_loop_delay_max_ms`] = w.loopDelayMaxMs ?? Number.NaN;
      f[`${base}lat_driver_loop_delay_p99_ms`] = lat.driverLoopDelayP99Ms;
      say(
        `  latency at ${opts.rate}/s, ${mode} worker: p50 ${percentile(lat.ms, 50).toFixed(1)} ms, p99 ${percentile(lat.ms, 99).toFixed(1)} ms; worker GC max ${(w.gcMaxMs ?? 0).toFixed(1)} ms (${(w.gcMs ?? 0).toFixed(0)} ms in all), loop delay p99/max ${(w.loopDelayP99Ms ?? 0).toFixed(1)}/${(w.loopDelayMaxMs ?? 0).toFixed(1)} ms`,
      );
    }
    return f;
  } finally {
    await redis.stop();
  }
}

/** How the queue figures were measured, for the results file. */
export function queueNotes(opts: QueueOptions): ScenarioResult['notes'] {
  return [
    `Throughput: ${opts.jobs} distinct keys enqueued at once, timed from the first enqueue to the last completion; worker processes of concurrency ${opts.concurrency}.`,
    'Sluice: EnqueueBatcher (5 ms linger, batches of 500) → Enqueuer.addBulk → KindWorker with the whole host path and a no-op reconciler; the object is read from memory, so the API server is not measured.',
    'Sluice without history: the same path with SLUICE_HISTORY_RECORDS=0; Sluice with history writes each record through the buffered HistoryWriter (default caps: 20 records, 16 KiB, 7 days).',
    'Raw BullMQ: queue.addBulk in batches of 500 with the same jobOptions (deduplication keepLastIfActive + reschedule) → a plain Worker with the same lock/stall settings and a no-op processor.',
    `Latency: ${opts.rate} distinct events per second for ${opts.seconds} s into the dispatcher's batcher, one worker process; time from the event to the reconciler's start. p*_ms: the Sluice worker with history (the default); nohistory_*: without history; raw_worker_*: a plain BullMQ Worker taking the same jobs (the worker host's share is the difference).`,
    'Latency, what holds the loops up: *lat_worker_gc_max_ms / _gc_ms are the worker process’s longest GC pause and their sum during the measurement (perf_hooks gc entries), *lat_worker_loop_delay_* its event-loop delay (monitorEventLoopDelay, 1 ms resolution), *lat_driver_loop_delay_p99_ms the same for the process running the batcher.',
    'A private Redis per run; no queue-wide rate limit (SLUICE_RATE_LIMIT, 500/s by default, would cap both paths).',
    'Cluster: both paths again with one worker on the test environment’s Redis Cluster (three primaries, three replicas, loopback); commands per job are summed over the primaries.',
    ...kindsNotes(opts.jobs, opts.concurrency),
  ];
}
