/**
 * @module bench/scenarios/capacity-report
 * The capacity scenario's figures, targets and notes: the curve's rates and efficiencies, the
 * kill variant, and a reading of where the curve bends, built from the same run's measurements
 * (the API server's write ceiling, the CPU each process used, Redis requests and CPU per job).
 */
import os from 'node:os';
import type { Figures, Target } from '../lib/results.js';
import { median, round } from '../lib/stats.js';
import type { KillResult } from './capacity-kill.js';
import type { CapacitySettings, CurveEntry } from './capacity.js';
import { SLO, type StepResult } from './capacity-steps.js';

/** Cores of this machine (shared with everything else on it). */
const CORES = os.cpus().length;

export const CAPACITY_ORDER = [
  'changes_per_s_1w',
  'changes_per_s_2w',
  'changes_per_s_4w',
  'changes_per_s_8w',
  'efficiency_2w',
  'efficiency_4w',
  'efficiency_8w',
  'overlaps',
  'api_change_ceiling_per_s',
  'kill_held',
  'kill_lost',
] as const;

/** The process counts whose linear demand (N × the one-process rate) fits under the API server's change ceiling. */
function underCeiling(m: Figures): number[] {
  const one = m.changes_per_s_1w ?? 0;
  const ceiling = m.api_change_ceiling_per_s ?? Infinity;
  return [2, 4, 8].filter((n) => m[`efficiency_${n}w`] !== undefined && n * one <= ceiling);
}

export const CAPACITY_TARGETS: readonly Target[] = [
  {
    name: '≥ 90 % of linear while linear demand is under the API server’s change ceiling',
    check: (m) => underCeiling(m).every((n) => (m[`efficiency_${n}w`] ?? 0) >= 0.9),
    show: (m) =>
      [2, 4, 8]
        .filter((n) => m[`efficiency_${n}w`] !== undefined)
        .map(
          (n) =>
            `${n}w ${m[`efficiency_${n}w`]}×${underCeiling(m).includes(n) ? '' : ' (above the ceiling)'}`,
        )
        .join(', ') + ` (ceiling ${m.api_change_ceiling_per_s ?? '?'} changes/s)`,
  },
  {
    name: 'same-key overlaps = 0 (every step and the kill variant)',
    check: (m) => m.overlaps === 0,
    show: (m) => `${m.overlaps ?? '?'}`,
  },
  {
    name: 'kill a worker every 30 s: nothing lost, throughput ≥ 0.95× offered',
    check: (m) => m.kill_lost === 0 && m.kill_missing === 0 && (m.kill_held ?? 0) >= 0.95,
    show: (m) =>
      `lost ${m.kill_lost ?? '?'}${m.kill_missing ? ` (${m.kill_missing} objects deleted from outside, unchecked)` : ''}, held ${m.kill_held ?? '?'}× (worst 10 s after a kill ${m.kill_worst_after_over_before ?? '?'}× the 10 s before)`,
  },
];

export function capacityNotes(s: CapacitySettings): string[] {
  const perProcess = (s.concurrency * 1000) / s.reconcileMs;
  return [
    `Objects: ${s.objects} test Widgets on the shared API server; each change is a merge patch of one Widget's spec by the driver (open loop: sent on schedule, at most 256 in flight), round-robin, so one key changes every ${s.objects} changes.`,
    'Path: the benchmark dispatcher process (the shipped Dispatcher: watch of the namespace, default primary predicate, EnqueueBatcher → Enqueuer.addBulk) → a private Redis → worker processes running the worker host’s KindWorker (validation, GET of the object, reconcile, outcome mapping, history) with the host’s lease settings (30 s lock, stalled-job check every 15 s).',
    `Reconcile: wait ${s.reconcileMs} ms (a broker round trip), then merge-patch /status (observedGeneration and a Ready condition). ${s.concurrency} reconciles at once per process, so one process can do at most ${perProcess} changes/s, well under the API server's ceiling: the curve can show scaling before the API server saturates.`,
    `Objective per step (${s.stepSeconds} s of load, then the queue drains): p99 queue wait (job enqueued → taken by a worker, the host's sluice_queue_wait_seconds) ≤ ${SLO.p99WaitMs} ms and p99 job duration (taken → completed) ≤ ${SLO.p99ReconcileMs} ms for the jobs enqueued during the window, no failed job, every change reconciled, and ≥ ${SLO.minSentShare * 100} % of the offered patches sent. Rates grow ×1.2 until a step misses, then bisect to within 6 %; a step that misses is run once more and counts as missed only if it misses again (other processes on the shared cores can only slow a step down; details.curve keeps both runs); the figure is the rate actually sent in the best step that met it.`,
    'Same-key overlaps: every run writes its start and end (key, generation) to a per-process file with a synchronous write; the driver checks no two runs of a key intersect across all processes and steps (a run of a killed process counts as running until the kill).',
    `Kill variant: ${s.killSeconds} s at ${Math.round(s.killLoad * 100)} % of the 4-process capacity, the oldest worker SIGKILLed every ${s.killEveryS} s and a replacement started at once; lost = objects whose status.observedGeneration ≠ metadata.generation after the queue drains.`,
    'CPU: cores used during each step’s window (CPU seconds ÷ seconds) of the driver, the dispatcher, the workers (summed), kube-apiserver, etcd and Redis (INFO cpu), and the whole machine (/proc/stat, other people’s processes included). Redis requests and round trips per job are counted in the workers’ and the dispatcher’s ioredis clients; commands per job from INFO commandstats (script-internal commands included).',
  ];
}

function bestOf(c: CurveEntry): StepResult | undefined {
  return c.best;
}

/** The first step that missed above the best one (the load where the objective broke). */
function firstMiss(c: CurveEntry): StepResult | undefined {
  const best = c.best?.rate ?? 0;
  return c.steps.filter((s) => !s.passed && s.rate > best).sort((a, b) => a.rate - b.rate)[0];
}

function cores(s: StepResult | undefined, k: string): number {
  return s?.cpu[k] ?? Number.NaN;
}

const OURS = ['driver', 'dispatcher', 'workers', 'apiserver', 'etcd', 'redis'] as const;

/** Busy cores of the machine not used by any process of the benchmark during a step. */
function othersCores(s: StepResult): number {
  return Math.max(0, cores(s, 'machine') - OURS.reduce((a, k) => a + (cores(s, k) || 0), 0));
}

/** Figures, a reading of the bend, the plot's caption and the per-step detail. */
export function capacityReading(
  curve: readonly CurveEntry[],
  ceilingWritesPerS: number,
  kill: KillResult,
  totalOverlaps: number,
  s: CapacitySettings,
): { figures: Figures; notes: string[]; caption: string[]; curveDetail: unknown } {
  const f: Record<string, number> = {};
  const one = curve.find((c) => c.workers === 1)?.best?.sentPerS ?? 0;
  const changeCeiling = ceilingWritesPerS / 2;
  for (const c of curve) {
    const b = bestOf(c);
    const n = c.workers;
    f[`changes_per_s_${n}w`] = b?.sentPerS ?? 0;
    if (n > 1 && one > 0) f[`efficiency_${n}w`] = (b?.sentPerS ?? 0) / (n * one);
    if (!b) continue;
    f[`p99_wait_ms_${n}w`] = b.p99WaitMs;
    f[`p99_reconcile_ms_${n}w`] = b.p99ReconcileMs;
    f[`p99_change_to_start_ms_${n}w`] = b.p99ChangeToStartMs;
    f[`redis_round_trips_per_job_${n}w`] = b.redisRoundTripsPerJob;
    f[`redis_requests_per_job_${n}w`] = b.redisRequestsPerJob;
    f[`redis_commands_per_job_${n}w`] = b.redisCommandsPerJob;
    for (const k of ['machine', 'apiserver', 'etcd', 'workers', 'dispatcher', 'redis', 'driver'])
      f[`${k}_cores_${n}w`] = cores(b, k);
    const over = Math.max(0, ...c.steps.filter((x) => !x.passed).map((x) => x.reconcilesPerS));
    if (over > 0) f[`overloaded_reconciles_per_s_${n}w`] = over;
  }
  f.overlaps = totalOverlaps;
  f.ceiling_writes_per_s = ceilingWritesPerS;
  f.api_change_ceiling_per_s = changeCeiling;
  f.kill_held = kill.held;
  f.kill_lost = kill.lost;
  f.kill_missing = kill.missing;
  f.kill_overlaps = kill.overlaps;
  f.kill_worst_after_over_before = kill.worstAfterOverBefore;
  f.kill_max_retry_s = kill.maxRetryS;
  f.kill_interrupted = kill.interrupted;
  f.kill_rate = kill.rate;
  // What the rest of the machine took: busy cores minus every process of the benchmark (the API
  // server and etcd also serve other people's tests, so this is a lower bound).
  const others = curve.flatMap((c) => c.steps.map(othersCores));
  f.others_cores_median = median(others);
  f.machine_cores_median = median(curve.flatMap((c) => c.steps.map((x) => cores(x, 'machine'))));

  const bend = curve.find((c) => c.workers > 1 && (f[`efficiency_${c.workers}w`] ?? 1) < 0.9);
  const top = bend ?? curve[curve.length - 1];
  const at = top ? (firstMiss(top) ?? top.best) : undefined;
  const share = (k: string): string => cores(at, k).toFixed(2);
  const api = cores(at, 'apiserver') + cores(at, 'etcd');
  const machine = cores(at, 'machine');
  // Per-job costs from the busiest step that met the objective (the most load, the least noise).
  const peak = curve
    .flatMap((c) => (c.best ? [c.best] : []))
    .sort((a, b) => b.reconcilesPerS - a.reconcilesPerS)[0];
  const peakRate = peak?.reconcilesPerS ?? Number.NaN;
  const redisPerJob = peak ? cores(peak, 'redis') / Math.max(1, peakRate) : Number.NaN;
  const dispatcherPerJob = peak ? cores(peak, 'dispatcher') / Math.max(1, peakRate) : Number.NaN;
  const redisRoom = 1 / redisPerJob / peakRate;
  const why: string[] = [];
  if (machine >= 0.85 * CORES)
    why.push(`the machine's ${CORES} cores were ${round((machine / CORES) * 100)} % busy`);
  if ((top?.best?.sentPerS ?? 0) >= 0.8 * changeCeiling)
    why.push(
      `the rate reached ${round(((top?.best?.sentPerS ?? 0) / changeCeiling) * 100)} % of the API server's change ceiling`,
    );
  const notes = [
    `The machine (${CORES} cores) was ${round(f.machine_cores_median)} cores busy in the median step, of which ${round(f.others_cores_median)} cores were other people's processes (builds, tests and benchmarks sharing it; at least, since the API server and etcd also serve them): every rate here is what was left for Sluice, not what Sluice alone would reach.`,
    `Reading: ${curve
      .map(
        (c) =>
          `${c.workers}w ${round(f[`changes_per_s_${c.workers}w`] ?? 0)}/s${c.workers > 1 ? ` (${round(f[`efficiency_${c.workers}w`] ?? 0)}×)` : ''}`,
      )
      .join(
        ', ',
      )}. API server ceiling in the same run: ${round(ceilingWritesPerS)} status writes/s, so ${round(changeCeiling)} changes/s at 2 writes per change (the driver's spec patch and the worker's status patch; plus one GET and two watch events).`,
    bend
      ? `The curve bends at ${bend.workers} processes (${round(f[`efficiency_${bend.workers}w`] ?? 0)}× linear)${why.length ? `: ${why.join('; ')}` : ''}. At the first step that missed there, cores used: kube-apiserver + etcd ${api.toFixed(2)}, workers ${share('workers')}, dispatcher ${share('dispatcher')}, driver ${share('driver')}, Redis ${share('redis')}, whole machine ${machine.toFixed(2)} of ${CORES}.`
      : `No bend below 90 % of linear up to ${top?.workers ?? '?'} processes.`,
    `Redis ${redisRoom >= 3 ? 'is far from its limit' : 'is near its limit'}: at the busiest step that met the objective (${peak?.workers ?? '?'} workers, ${round(peakRate)} jobs/s) ${round(peak?.redisRoundTripsPerJob ?? Number.NaN)} round trips and ${round(peak?.redisCommandsPerJob ?? Number.NaN)} server commands per job, ${round(redisPerJob * 1000)} ms of Redis CPU per job, i.e. one Redis core would carry about ${round(1 / redisPerJob)} jobs/s (${round(redisRoom)}× that rate). The dispatcher used ${round(dispatcherPerJob * 1000)} ms of CPU per change (one core ≈ ${round(1 / dispatcherPerJob)} changes/s).`,
    `Kill variant: ${kill.workers} workers at ${round(kill.rate)} changes/s, ${kill.kills} SIGKILLs: ${round(kill.held)}× of the offered changes completed within the window; the 10 s after each kill ran at ${kill.around.map((a) => `${round(a.after)}/s vs ${round(a.before)}/s before`).join(', ')}; ${kill.interrupted} interrupted runs ran again at most ${round(kill.maxRetryS)} s after their kill (the 30 s lease, then the next 15 s stalled-job check); lost ${kill.lost} of ${kill.objects} objects${kill.missing ? ` (${kill.missing} deleted from outside the run, unchecked)` : ''}; overlaps ${kill.overlaps}; the queue drained ${round(kill.drainedAfterS)} s after the load.`,
  ];
  const caption = [
    `One run; ${s.objects} Widgets on a real kube-apiserver + etcd, private Redis, benchmark dispatcher, all on ${CORES} shared cores;`,
    `in the median step the machine was ${round(f.machine_cores_median)} cores busy, ≥ ${round(f.others_cores_median)} of them other people's processes.`,
    bend
      ? `At ${bend.workers} processes: apiserver + etcd ${api.toFixed(2)} cores, workers ${share('workers')}, machine ${machine.toFixed(2)} of ${CORES} busy. Same-key overlaps: ${totalOverlaps}.`
      : `Same-key overlaps: ${totalOverlaps}.`,
  ];
  const stepDetail = (x: StepResult): Record<string, unknown> => ({
    rate: round(x.rate),
    sent_per_s: round(x.sentPerS),
    reconciles_per_s: round(x.reconcilesPerS),
    p50_wait_ms: round(x.p50WaitMs),
    p99_wait_ms: round(x.p99WaitMs),
    p99_reconcile_ms: round(x.p99ReconcileMs),
    p99_change_to_start_ms: round(x.p99ChangeToStartMs),
    failed_jobs: x.failedJobs,
    patch_errors: x.patchErrors,
    drained: x.drained,
    passed: x.passed,
    cores: Object.fromEntries(Object.entries(x.cpu).map(([k, v]) => [k, round(v)])),
    redis_round_trips_per_job: round(x.redisRoundTripsPerJob),
    redis_commands_per_job: round(x.redisCommandsPerJob),
  });
  const curveDetail = curve.map((c) => ({
    workers: c.workers,
    best_rate: c.best?.rate,
    steps: c.steps.map(stepDetail),
    missed_first: c.missedFirst.map(stepDetail),
  }));
  return { figures: f, notes, caption, curveDetail };
}
