/**
 * @module bench/scenarios/fairness
 * Scenario `fairness`: one namespace floods the queue (10,000 objects at once, then keeps
 * changing them faster than the workers reconcile), another changes one object a second. The
 * figure is the quiet namespace's change → reconcile start p99 in three phases of one run: no
 * flood, flood with fairness off, flood with fairness on (`SLUICE_FAIRNESS=namespace`,
 * `runtime/queue/fairness.ts`); the target is on ÷ no flood ≤ 1.2. Then the cost of fairness to a
 * single tenant: throughput of 20,000 no-op jobs of one namespace with fairness off and on,
 * alternating (off, on, on, off, off, on), with the CPU each spent per job.
 *
 * The queue level (the dispatcher's EnqueueBatcher and Enqueuer → worker processes reading
 * objects from memory; `bench/proc/paced-worker.ts`): fairness is decided in the Enqueuer and
 * Redis alone, and the flood must load the workers, not the shared API server.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Enqueuer,
  FairShare,
  KindRegistry,
  QueueSet,
  SluiceMetrics,
  createLogger,
  type ObjectRef,
} from '../../runtime/index.js';
import { EnqueueBatcher } from '../../runtime/queue/batcher.js';
import { DEFAULT_CONCURRENCY } from '../../runtime/worker/defaults.js';
import { startPrivateRedis, type PrivateRedis } from '../../test/env/private-redis.js';
import type { RedisClient } from '../../runtime/redis/connection.js';
import { NoopKind } from '../lib/noop-kind.js';
import { latencies, startPaced, waitUntil, type Change } from '../lib/paced.js';
import { now } from '../lib/queue-workers.js';
import type { Target } from '../lib/results.js';
import { percentile } from '../lib/stats.js';
import type { Scenario } from './index.js';

interface FairnessOptions {
  readonly workers: number;
  readonly concurrency: number;
  readonly reconcileMs: number;
  readonly floodObjects: number;
  /** Flood changes per second after the first 10,000 (cycling over its objects). */
  readonly floodRate: number;
  /** Quiet-namespace changes per second. */
  readonly quietRate: number;
  /** Seconds per latency phase. */
  readonly seconds: number;
  /** Jobs per single-tenant throughput measurement. */
  readonly throughputJobs: number;
  /** The fairness quantum (SLUICE_FAIRNESS_QUANTUM). */
  readonly quantum: number;
}

const FULL: FairnessOptions = {
  workers: 2,
  concurrency: 25,
  reconcileMs: 50,
  floodObjects: 10_000,
  floodRate: 500,
  quietRate: 1,
  seconds: 60,
  throughputJobs: 20_000,
  quantum: 50,
};
const SMALL: FairnessOptions = { ...FULL, floodObjects: 2000, seconds: 15, throughputJobs: 4000 };

const ref = (namespace: string, name: string): ObjectRef => ({
  group: NoopKind.group,
  version: NoopKind.version,
  kind: NoopKind.kind,
  namespace,
  name,
});

interface Driver {
  readonly batcher: EnqueueBatcher;
  readonly queues: QueueSet;
  close(): Promise<void>;
}

function driver(redisUrl: string, prefix: string, fair: boolean, quantum: number): Driver {
  const queues = new QueueSet({ redis: redisUrl, prefix });
  const enqueuer = new Enqueuer(queues, new KindRegistry([NoopKind]), new SluiceMetrics(), {
    ...(fair ? { fairness: new FairShare({ quantum }) } : {}),
  });
  const batcher = new EnqueueBatcher(enqueuer, createLogger({ level: 'warn' }), { fair });
  return {
    batcher,
    queues,
    close: async () => {
      await batcher.close();
      await queues
        .get(NoopKind)
        .obliterate({ force: true })
        .catch(() => undefined);
      await queues.close();
    },
  };
}

type Phase = 'alone' | 'flood-off' | 'flood-on';

/** One latency phase: the quiet namespace's change → start latencies (s). */
async function phase(o: FairnessOptions, redisUrl: string, prefix: string, which: Phase): Promise<number[]> {
  const workers = await startPaced(
    { mode: 'memory', redis: redisUrl, prefix, concurrency: o.concurrency, reconcileMs: o.reconcileMs },
    o.workers,
  );
  const d = driver(redisUrl, prefix, which === 'flood-on', o.quantum);
  const quiet: Change[] = [];
  try {
    const start = now();
    const flood = which !== 'alone';
    if (flood)
      for (let i = 0; i < o.floodObjects; i++) d.batcher.add(ref('flood', `f-${i}`), 'event', 'normal');
    let sentFlood = o.floodObjects;
    let sentQuiet = 0;
    while (now() - start < o.seconds * 1000) {
      const t = now();
      const elapsed = (t - start) / 1000;
      if (flood)
        for (; sentFlood < o.floodObjects + elapsed * o.floodRate; sentFlood++)
          d.batcher.add(ref('flood', `f-${sentFlood % o.floodObjects}`), 'event', 'normal');
      // The first quiet change after a second, when the flood's backlog is in the queue.
      for (; sentQuiet < (elapsed - 1) * o.quietRate; sentQuiet++) {
        const name = `q-${sentQuiet}`;
        d.batcher.add(ref('quiet', name), 'event', 'normal');
        quiet.push({ object: `quiet/${name}`, at: now(), generation: 0 });
      }
      await sleep(5);
    }
    await waitUntil(() => latencies(quiet, workers.reconciles).missing === 0, 120_000);
    return latencies(quiet, workers.reconciles).start;
  } finally {
    await workers.stop();
    await d.close();
  }
}

/** Redis's own CPU seconds so far (`INFO cpu`). */
async function redisCpu(redis: RedisClient): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string): number => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? 0);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** What a single-tenant run took: jobs/s, and CPU milliseconds per job (Redis, workers, driver). */
interface Throughput {
  readonly perS: number;
  readonly cpuMsPerJob: number;
}

/**
 * Single-tenant throughput: `jobs` distinct keys of one namespace, no-op reconciles, with the CPU
 * every process spent on them (less sensitive to other load on the machine than the rate).
 */
async function throughput(
  o: FairnessOptions,
  redisUrl: string,
  prefix: string,
  fair: boolean,
): Promise<Throughput> {
  const workers = await startPaced(
    { mode: 'memory', redis: redisUrl, prefix, concurrency: DEFAULT_CONCURRENCY, reconcileMs: 0 },
    o.workers,
  );
  const d = driver(redisUrl, prefix, fair, o.quantum);
  try {
    const cpu0 = (await workers.cpuSeconds()) + (await redisCpu(d.queues.connection));
    const driver0 = process.cpuUsage();
    const start = now();
    for (let i = 0; i < o.throughputJobs; i++) d.batcher.add(ref('solo', `s-${i}`), 'event', 'normal');
    const done = await waitUntil(() => workers.reconciles.count >= o.throughputJobs, 300_000);
    if (!done) throw new Error('the throughput jobs did not finish within 300 s');
    let last = 0;
    for (const list of workers.reconciles.byObject.values())
      for (const s of list) last = Math.max(last, s[3]);
    const used = process.cpuUsage(driver0);
    const cpu =
      (await workers.cpuSeconds()) +
      (await redisCpu(d.queues.connection)) -
      cpu0 +
      (used.user + used.system) / 1e6;
    return { perS: o.throughputJobs / ((last - start) / 1000), cpuMsPerJob: (cpu * 1000) / o.throughputJobs };
  } finally {
    await workers.stop();
    await d.close();
  }
}

const TARGETS: readonly Target[] = [
  {
    name: "quiet namespace's p99 under a flood with fairness ≤ 1.2× its p99 without the flood",
    check: (m) => (m.fair_ratio ?? Infinity) <= 1.2,
    show: (m) =>
      `${m.fair_ratio ?? '?'}× (${m.quiet_flood_on_p99_ms ?? '?'} ms vs ${m.quiet_alone_p99_ms ?? '?'} ms alone; fairness off: ${m.quiet_flood_off_p99_ms ?? '?'} ms)`,
  },
  {
    name: 'fairness costs a single tenant ≤ 5 % of throughput (else it is off by default)',
    check: (m) => (m.single_tenant_cost ?? Infinity) <= 0.05 && (m.single_cpu_cost ?? Infinity) <= 0.05,
    show: (m) =>
      `${((m.single_tenant_cost ?? Number.NaN) * 100).toFixed(1)} % of jobs/s (${m.single_on_per_s ?? '?'} vs ${m.single_off_per_s ?? '?'}), ${((m.single_cpu_cost ?? Number.NaN) * 100).toFixed(1)} % more CPU per job`,
  },
];

export const fairnessScenario: Scenario = {
  order: [
    'fair_ratio',
    'quiet_alone_p99_ms',
    'quiet_flood_off_p99_ms',
    'quiet_flood_on_p99_ms',
    'single_tenant_cost',
  ],
  defaultRuns: 1,
  async prepare(opts, say) {
    const o: FairnessOptions = {
      ...(opts.small ? SMALL : FULL),
      ...(opts.size === undefined ? {} : { floodObjects: opts.size }),
      ...(opts.workerConcurrency === undefined ? {} : { concurrency: opts.workerConcurrency }),
    };
    const redis: PrivateRedis = await startPrivateRedis();
    return {
      async run(index) {
        const id = `${index}-${Date.now().toString(36)}`;
        const p99 = new Map<Phase, number>();
        const p50 = new Map<Phase, number>();
        for (const which of ['alone', 'flood-off', 'flood-on'] as const) {
          const l = await phase(o, redis.url, `bench-fair-${which}-${id}`, which);
          p99.set(which, percentile(l, 99) * 1000);
          p50.set(which, percentile(l, 50) * 1000);
          say(
            `    ${which}: quiet p50 ${p50.get(which)?.toFixed(1)} ms, p99 ${p99.get(which)?.toFixed(1)} ms (${l.length} changes)`,
          );
        }
        const rates: (Throughput & { fair: boolean })[] = [];
        for (const [k, fair] of [false, true, true, false, false, true].entries()) {
          const r = await throughput(o, redis.url, `bench-fair-tp-${k}-${id}`, fair);
          rates.push({ fair, ...r });
          say(
            `    single tenant, fairness ${fair ? 'on' : 'off'}: ${r.perS.toFixed(0)} jobs/s, ${r.cpuMsPerJob.toFixed(3)} CPU ms per job`,
          );
        }
        const mean = (fair: boolean, of: (r: Throughput) => number = (r) => r.perS): number => {
          const xs = rates.filter((r) => r.fair === fair).map(of);
          return xs.reduce((a, b) => a + b, 0) / xs.length;
        };
        const cpuOf = (r: Throughput): number => r.cpuMsPerJob;
        const alone = p99.get('alone') ?? Number.NaN;
        return {
          fair_ratio: (p99.get('flood-on') ?? Number.NaN) / alone,
          quiet_alone_p99_ms: alone,
          quiet_flood_off_p99_ms: p99.get('flood-off') ?? Number.NaN,
          quiet_flood_on_p99_ms: p99.get('flood-on') ?? Number.NaN,
          single_tenant_cost: 1 - mean(true) / mean(false),
          unfair_ratio: (p99.get('flood-off') ?? Number.NaN) / alone,
          quiet_alone_p50_ms: p50.get('alone') ?? Number.NaN,
          quiet_flood_off_p50_ms: p50.get('flood-off') ?? Number.NaN,
          quiet_flood_on_p50_ms: p50.get('flood-on') ?? Number.NaN,
          single_off_per_s: mean(false),
          single_on_per_s: mean(true),
          single_cpu_cost: mean(true, cpuOf) / mean(false, cpuOf) - 1,
          single_off_cpu_ms_per_job: mean(false, cpuOf),
          single_on_cpu_ms_per_job: mean(true, cpuOf),
        };
      },
      cleanup: () => redis.stop(),
      targets: TARGETS,
      notes: [
        `Queue level: the dispatcher's EnqueueBatcher and Enqueuer (with FairShare for fairness on, quantum ${o.quantum}) → ${o.workers} worker processes (the worker host's KindWorker, concurrency ${o.concurrency}, history off) whose reconcile waits ${o.reconcileMs} ms and reads the object from memory, on a private Redis.`,
        `Each latency phase lasts ${o.seconds} s on a fresh queue. Flood: ${o.floodObjects} objects of one namespace enqueued at once, then ${o.floodRate} changes/s over them (more than the workers do, so the backlog stays). Quiet: ${o.quietRate} change/s in another namespace, each on a new object, from the second second; latency from the request to the start of its reconcile.`,
        `fair_ratio = quiet p99 with the flood and fairness on ÷ quiet p99 without the flood (same run); unfair_ratio the same with fairness off.`,
        `Single tenant: ${o.throughputJobs} distinct objects of one namespace enqueued at once, no-op reconciles (concurrency ${DEFAULT_CONCURRENCY}), jobs/s from the first request to the last reconcile's end; off, on, on, off, off, on, each a fresh queue; single_tenant_cost = 1 − mean(on) ÷ mean(off) of the rates; single_cpu_cost = mean(on) ÷ mean(off) − 1 of the CPU per job (Redis from INFO cpu, the worker processes from /proc, the driver), which other load on the shared machine disturbs less than the rate.`,
      ],
      details: () => ({ ...o }),
    };
  },
};
