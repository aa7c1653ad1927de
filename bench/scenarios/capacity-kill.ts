/**
 * @module bench/scenarios/capacity-kill
 * The capacity benchmark's kill variant: a steady open-loop load below the pool's capacity while
 * the oldest worker process is SIGKILLed every `everyS` seconds and a replacement started at
 * once. The killed process's active jobs keep their lease until it expires (the worker host's
 * 30 s lock) and are then found by another worker's stalled-job check (every 15 s), so they run
 * again 30–45 s after the kill; the events that arrive for those keys meanwhile are parked and
 * become one follow-up each.
 *
 * Figures: completions ÷ changes over the load window and in the 10 s before and after each kill,
 * how long the killed runs took to run again, same-key overlaps (a killed run counts as running
 * until its process died), and lost changes: after the queue drains, every object's
 * `status.observedGeneration` must equal its `metadata.generation`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeObject } from '../../runtime/index.js';
import { WidgetKind } from '../../test/runtime/widget-function.js';
import { overlaps, perWindow, type Change, type Interval } from '../lib/capacity-records.js';
import { kube } from '../lib/kube.js';
import { now } from '../lib/queue-workers.js';
import { drained, offer, type Rig } from './capacity-steps.js';

export interface KillResult {
  readonly workers: number;
  readonly rate: number;
  readonly seconds: number;
  readonly kills: number;
  /** Completed jobs ÷ changes sent over the load window. */
  readonly held: number;
  /** Per kill: completions per second in the 10 s before and after it. */
  readonly around: readonly { readonly before: number; readonly after: number }[];
  /** The lowest after ÷ before of the kills. */
  readonly worstAfterOverBefore: number;
  /** Seconds from a kill to the next start of a run it interrupted (the longest). */
  readonly maxRetryS: number;
  /** Runs interrupted by the kills. */
  readonly interrupted: number;
  readonly overlaps: number;
  /** Objects whose latest generation was never reconciled. */
  readonly lost: number;
  /** Objects of the benchmark no longer on the API server (deleted from outside), not checked. */
  readonly missing: number;
  readonly objects: number;
  readonly drainedAfterS: number;
}

/** How long a killed run's key waits: kill → the next start of that key in another process. */
export function retryDelays(
  runs: readonly Interval[],
  kills: ReadonlyMap<string, number>,
): { delays: number[]; interrupted: number } {
  const delays: number[] = [];
  let interrupted = 0;
  for (const r of runs) {
    const killedAt = kills.get(r.source);
    if (r.end !== undefined || killedAt === undefined) continue;
    interrupted++;
    const next = runs
      .filter((o) => o.key === r.key && o.source !== r.source && o.start >= killedAt)
      .reduce((m, o) => Math.min(m, o.start), Number.POSITIVE_INFINITY);
    if (Number.isFinite(next)) delays.push(next - killedAt);
  }
  return { delays, interrupted };
}

export async function runKill(
  rig: Rig,
  workers: number,
  rate: number,
  seconds: number,
  everyS: number,
  say: (m: string) => void,
): Promise<KillResult> {
  await rig.pool.shrink(workers);
  await rig.pool.grow(workers);
  rig.pool.collect();
  const changes: Change[] = [];
  const t0 = now();
  const load = offer(rig, rate, seconds, (c) => changes.push(c));
  const kills: { at: number; pid: number }[] = [];
  for (let k = everyS; k < seconds; k += everyS) {
    await sleep(Math.max(0, t0 + k * 1000 - now()));
    const killed = await rig.pool.killOldest();
    kills.push(killed);
    say(`    SIGKILL worker ${killed.pid} at ${k} s; starting a replacement`);
    await rig.pool.grow(workers);
  }
  const { sent } = await load;
  const t1 = now();
  // The interrupted jobs come back after their lease expires and a stalled-job check runs.
  const empty = await drained(rig, t1 + 1000, 120_000);
  const drainedAfterS = (now() - t1) / 1000;
  await sleep(400);
  const { intervals, jobs } = rig.pool.collect();
  rig.runs.push(...intervals);
  const ends = jobs.flatMap((j) => (j.endedAt !== undefined && !j.failed ? [j.endedAt] : []));
  const completed = ends.filter((t) => t >= t0 && t <= t1).length;
  const around = kills.map(({ at }) => ({
    before: (perWindow(ends, at - 10_000, at, 10_000)[0] ?? 0) / 10,
    after: (perWindow(ends, at, at + 10_000, 10_000)[0] ?? 0) / 10,
  }));
  const killMap = new Map<string, number>();
  for (const r of intervals) {
    const at = rig.pool.killedAt(r);
    if (Number.isFinite(at)) killMap.set(r.source, at);
  }
  const retry = retryDelays(intervals, killMap);
  const objects = await kube().listAll<KubeObject>(WidgetKind, rig.namespace);
  const lost = objects.filter((o) => {
    const observed = (o.status as { observedGeneration?: number } | undefined)?.observedGeneration;
    return observed !== o.metadata.generation;
  }).length;
  // An object deleted from outside cannot be checked: it counts against the target, separately.
  const missing = rig.names.length - objects.length;
  if (missing > 0) say(`    ${missing} of the benchmark's objects are gone (deleted from outside the run)`);
  if (!empty) say('    the queue did not drain within 120 s of the load');
  return {
    workers,
    rate,
    seconds,
    kills: kills.length,
    held: completed / Math.max(1, sent),
    around,
    worstAfterOverBefore: Math.min(...around.map((a) => a.after / Math.max(1e-9, a.before))),
    maxRetryS: Math.max(0, ...retry.delays) / 1000,
    interrupted: retry.interrupted,
    overlaps: overlaps(intervals, (r) => rig.pool.killedAt(r)).length,
    lost,
    missing,
    objects: objects.length,
    drainedAfterS,
  };
}
