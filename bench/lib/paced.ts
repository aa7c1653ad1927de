/**
 * @module bench/lib/paced
 * The paced worker processes of the `freshness` and `fairness` scenarios
 * (`bench/proc/paced-worker.ts`: a reconcile that waits a fixed time, then writes status in
 * `kube` mode), what they report, and the latency of a change read from those reports: the
 * first reconcile that started after the change (and, with generations, read it).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisTarget } from '../../runtime/index.js';
import type { PacedSample } from '../proc/paced-worker.js';
import { NodeChild, cpuSeconds } from './procs.js';

export interface PacedSpec {
  readonly mode: 'kube' | 'memory';
  readonly redis: RedisTarget;
  readonly prefix: string;
  /** Reconciles at once per process. */
  readonly concurrency: number;
  /** How long each reconcile waits (ms). */
  readonly reconcileMs: number;
}

/** Reconciles seen so far, per object (`namespace/name`), in the order reported. */
export class Reconciles {
  readonly byObject = new Map<string, PacedSample[]>();
  count = 0;

  add(samples: readonly PacedSample[]): void {
    for (const s of samples) {
      let list = this.byObject.get(s[0]);
      if (!list) this.byObject.set(s[0], (list = []));
      list.push(s);
      this.count++;
    }
  }

  /**
   * The earliest-starting reconcile of `object` that started at or after `after` and read at least
   * `generation` (0: any), or undefined while none has ended.
   */
  first(object: string, after: number, generation = 0): PacedSample | undefined {
    let best: PacedSample | undefined;
    for (const s of this.byObject.get(object) ?? []) {
      if (s[2] < after || s[1] < generation) continue;
      if (!best || s[2] < best[2]) best = s;
    }
    return best;
  }
}

export interface PacedWorkers {
  readonly reconciles: Reconciles;
  /** CPU seconds the processes have used so far (from /proc). */
  cpuSeconds(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts `count` paced worker processes; resolves once each takes jobs. */
export async function startPaced(spec: PacedSpec, count: number): Promise<PacedWorkers> {
  const reconciles = new Reconciles();
  const children = Array.from({ length: count }, () => {
    const c = new NodeChild('paced-worker', spec);
    c.on((m) => {
      if (m.type === 'samples') reconciles.add(m.samples as PacedSample[]);
    });
    return c;
  });
  await Promise.all(children.map((c) => c.waitFor('ready')));
  await sleep(500); // let each worker reach its blocking wait
  return {
    reconciles,
    cpuSeconds: async () =>
      (await Promise.all(children.map((c) => cpuSeconds(c.pid)))).reduce((a, b) => a + b, 0),
    stop: async () => {
      await Promise.all(children.map((c) => c.stop()));
    },
  };
}

/** A change made by a scenario: the object, when (ms), and the generation it produced (0: none). */
export interface Change {
  readonly object: string;
  readonly at: number;
  readonly generation: number;
}

/** For each change, the seconds to the start and the end of the first reconcile that saw it. */
export function latencies(
  changes: readonly Change[],
  reconciles: Reconciles,
): { start: number[]; end: number[]; missing: number } {
  const start: number[] = [];
  const end: number[] = [];
  let missing = 0;
  for (const c of changes) {
    const r = reconciles.first(c.object, c.at, c.generation);
    if (!r) {
      missing++;
      continue;
    }
    start.push((r[2] - c.at) / 1000);
    end.push((r[3] - c.at) / 1000);
  }
  return { start, end, missing };
}

/** Resolves once `probe()` holds, polling every 50 ms; false after `timeoutMs`. */
export async function waitUntil(
  probe: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}
