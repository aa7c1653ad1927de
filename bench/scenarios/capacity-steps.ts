/**
 * @module bench/scenarios/capacity-steps
 * One step of the capacity benchmark: open-loop spec patches of the benchmark's Widgets at a
 * fixed rate for a window (each patch sent on schedule whether or not earlier ones answered, at
 * most {@link MAX_IN_FLIGHT} at once), then a wait until the queue is empty, then the figures
 * of the jobs the window's changes caused: queue wait and job duration from the worker
 * processes' records, change → reconcile start, CPU of every process involved, and what the
 * Sluice processes sent to Redis per job.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jobKey, type KubeObject, type QueueSet, type RedisClient } from '../../runtime/index.js';
import { runDir } from '../../test/env/paths.js';
import { WidgetKind } from '../../test/runtime/widget-function.js';
import type { WorkerPool } from '../lib/capacity-pool.js';
import { changeLatencies, overlaps, type Change, type Interval } from '../lib/capacity-records.js';
import { kube } from '../lib/kube.js';
import { cpuSeconds, type NodeChild } from '../lib/procs.js';
import { commandStats, type RedisRequestCounts } from '../lib/redis-requests.js';
import { now } from '../lib/queue-workers.js';
import { percentile } from '../lib/stats.js';

/** Patches in flight at most; a patch due while this many wait is not sent (the step then fails its rate). */
export const MAX_IN_FLIGHT = 256;

/** The objective each step is judged on (the issue's, from the controller-sharding project). */
export const SLO = { p99WaitMs: 1000, p99ReconcileMs: 5000, minSentShare: 0.95 } as const;

/** What a step runs against. */
export interface Rig {
  readonly namespace: string;
  readonly names: readonly string[];
  readonly pool: WorkerPool;
  readonly queues: QueueSet;
  readonly redis: RedisClient;
  readonly dispatcher: { readonly pid: number; readonly child: NodeChild };
  /** The dispatcher's Redis counts as of its latest report. */
  dispatcherSent(): RedisRequestCounts;
  /** Every run recorded so far (for the overlap check over the whole scenario). */
  readonly runs: Interval[];
}

/** The figures of one step. */
export interface StepResult {
  readonly rate: number;
  readonly workers: number;
  readonly sentPerS: number;
  readonly reconcilesPerS: number;
  readonly changes: number;
  readonly jobs: number;
  readonly p50WaitMs: number;
  readonly p99WaitMs: number;
  readonly p99ReconcileMs: number;
  readonly p99ChangeToStartMs: number;
  readonly failedJobs: number;
  readonly patchErrors: number;
  readonly drained: boolean;
  readonly overlaps: number;
  readonly passed: boolean;
  /** Cores used during the window (CPU seconds ÷ seconds) per process group. */
  readonly cpu: Readonly<Record<string, number>>;
  readonly redisRequestsPerJob: number;
  readonly redisRoundTripsPerJob: number;
  readonly redisCommandsPerJob: number;
}

let spec = Date.now() % 1_000_000;

/** Sends `rate` patches a second for `seconds`, round-robin over the objects; `onChange` gets each. */
export async function offer(
  rig: Rig,
  rate: number,
  seconds: number,
  onChange: (c: Change) => void,
  cursor = { next: 0 },
): Promise<{ sent: number; errors: number; skipped: number }> {
  const total = Math.round(rate * seconds);
  const t0 = now();
  let i = 0;
  let inFlight = 0;
  let sent = 0;
  let errors = 0;
  let skipped = 0;
  while (i < total) {
    const due = Math.min(total, Math.floor(((now() - t0) / 1000) * rate) + 1);
    for (; i < due; i++) {
      if (inFlight >= MAX_IN_FLIGHT) {
        skipped++;
        continue;
      }
      const name = rig.names[cursor.next++ % rig.names.length] ?? '';
      const at = now();
      inFlight++;
      sent++;
      void kube()
        .patch<KubeObject>(WidgetKind, rig.namespace, name, { spec: { size: spec++ } })
        .then(
          (o) =>
            onChange({
              key: jobKey({ group: WidgetKind.group, kind: WidgetKind.kind, namespace: rig.namespace, name }),
              generation: o.metadata.generation ?? 0,
              at,
            }),
          () => errors++,
        )
        .finally(() => inFlight--);
    }
    await sleep(2);
  }
  while (inFlight > 0) await sleep(5);
  return { sent, errors, skipped };
}

/** Resolves true once the queue has held no job (waiting, active, delayed) for three polls in a row after `notBefore`. */
export async function drained(rig: Rig, notBefore: number, timeoutMs: number): Promise<boolean> {
  const queue = rig.queues.get(WidgetKind);
  const deadline = now() + timeoutMs;
  let quiet = 0;
  while (now() < deadline) {
    await sleep(250);
    if (now() < notBefore) continue;
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    quiet = Object.values(counts).every((n) => n === 0) ? quiet + 1 : 0;
    if (quiet >= 3) return true;
  }
  return false;
}

function pidFile(name: string): number | undefined {
  try {
    return Number(readFileSync(path.join(runDir, `${name}.pid`), 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds the whole machine has been busy (every process, other people's included), from /proc/stat. */
export function machineBusySeconds(): number {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  // user nice system idle iowait irq softirq steal: everything but idle and iowait is busy.
  const busy = fields.reduce((a, v, i) => (i === 3 || i === 4 || i > 7 ? a : a + (v || 0)), 0);
  return busy / 100;
}

/**
 * Waits (up to `timeoutMs`) until the machine has been less than `maxCores` busy over two 3 s
 * samples in a row: other people's builds and benchmarks share the cores, and a curve measured
 * while they run shows their load, not Sluice's. @returns the busy cores of the last sample
 */
export async function quietMachine(maxCores: number, timeoutMs: number): Promise<number> {
  const deadline = now() + timeoutMs;
  let quiet = 0;
  let busy = Number.NaN;
  while (now() < deadline && quiet < 2) {
    const b0 = machineBusySeconds();
    await sleep(3000);
    busy = (machineBusySeconds() - b0) / 3;
    quiet = busy < maxCores ? quiet + 1 : 0;
  }
  return busy;
}

/** CPU seconds so far of every process group the benchmark involves, and of the whole machine. */
export async function cpuNow(rig: Rig): Promise<Record<string, number>> {
  const own = process.cpuUsage();
  const info = await rig.redis.info('cpu');
  const redisCpu = ['used_cpu_sys', 'used_cpu_user']
    .map((k) => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0))
    .reduce((a, b) => a + b, 0);
  const server = async (name: string): Promise<number> => {
    const pid = pidFile(name);
    return pid ? cpuSeconds(pid).catch(() => Number.NaN) : Number.NaN;
  };
  return {
    machine: machineBusySeconds(),
    driver: (own.user + own.system) / 1e6,
    dispatcher: await cpuSeconds(rig.dispatcher.pid).catch(() => Number.NaN),
    workers: await rig.pool.cpuSeconds(),
    apiserver: await server('kube-apiserver'),
    etcd: await server('etcd'),
    redis: redisCpu,
  };
}

function sumCommands(stats: Map<string, number>): number {
  let n = 0;
  for (const [k, v] of stats) if (k !== 'info' && k !== 'ping') n += v;
  return n;
}

/** Sent by the workers and the dispatcher so far. */
function sentNow(rig: Rig): RedisRequestCounts {
  const w = rig.pool.requests();
  const d = rig.dispatcherSent();
  return { requests: w.requests + d.requests, roundTrips: w.roundTrips + d.roundTrips };
}

/** One step at `rate` changes/s for `seconds` with the pool as it is. */
export async function runStep(rig: Rig, rate: number, seconds: number): Promise<StepResult> {
  rig.pool.collect(); // start from a clean read: the queue was drained before this step
  const changes: Change[] = [];
  const cpu0 = await cpuNow(rig);
  const sent0 = sentNow(rig);
  const cmd0 = sumCommands(await commandStats(rig.redis));
  const t0 = now();
  const load = await offer(rig, rate, seconds, (c) => changes.push(c));
  const t1 = now();
  const cpu1 = await cpuNow(rig);
  const empty = await drained(rig, t1 + 1000, 60_000);
  await sleep(400); // the workers' last progress reports
  const { intervals, jobs } = rig.pool.collect();
  rig.runs.push(...intervals);
  const sent1 = sentNow(rig);
  const cmd1 = sumCommands(await commandStats(rig.redis));
  const window = jobs.filter((j) => j.enqueuedAt >= t0 && j.enqueuedAt <= t1);
  const waits = window.map((j) => j.activeAt - j.enqueuedAt);
  const durations = window.flatMap((j) => (j.endedAt === undefined ? [] : [j.endedAt - j.activeAt]));
  const done = jobs.filter((j) => !j.failed && j.endedAt !== undefined);
  const inWindow = done.filter((j) => (j.endedAt ?? 0) >= t0 && (j.endedAt ?? 0) <= t1).length;
  const e2e = changeLatencies(changes, intervals);
  const secs = (t1 - t0) / 1000;
  const cpu: Record<string, number> = {};
  for (const k of Object.keys(cpu1)) cpu[k] = ((cpu1[k] ?? 0) - (cpu0[k] ?? 0)) / secs;
  const p99WaitMs = percentile(waits, 99);
  const p99ReconcileMs = percentile(durations, 99);
  const failedJobs = jobs.filter((j) => j.failed).length;
  const jobsDone = Math.max(1, done.length);
  const result = {
    rate,
    workers: rig.pool.size,
    sentPerS: load.sent / secs,
    reconcilesPerS: inWindow / secs,
    changes: changes.length,
    jobs: window.length,
    p50WaitMs: percentile(waits, 50),
    p99WaitMs,
    p99ReconcileMs,
    p99ChangeToStartMs: percentile(e2e.latencies, 99),
    failedJobs,
    patchErrors: load.errors,
    drained: empty && e2e.missed === 0,
    overlaps: overlaps(intervals).length,
    cpu,
    redisRequestsPerJob: (sent1.requests - sent0.requests) / jobsDone,
    redisRoundTripsPerJob: (sent1.roundTrips - sent0.roundTrips) / jobsDone,
    redisCommandsPerJob: (cmd1 - cmd0) / jobsDone,
  };
  const passed =
    result.drained &&
    failedJobs === 0 &&
    load.errors === 0 &&
    waits.length > 0 &&
    p99WaitMs <= SLO.p99WaitMs &&
    p99ReconcileMs <= SLO.p99ReconcileMs &&
    load.sent >= SLO.minSentShare * rate * seconds;
  return { ...result, passed };
}
