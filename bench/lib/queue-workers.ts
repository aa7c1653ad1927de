/**
 * @module bench/lib/queue-workers
 * The queue benchmark's worker processes (`bench/proc/queue-worker.ts`), started and watched
 * from the scenario: jobs done, when the last finished, reconcile starts, and what each process's
 * Redis clients sent (requests and round trips, as of its latest report).
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisTarget } from '../../runtime/index.js';
import { NodeChild } from './procs.js';
import type { RedisRequestCounts } from './redis-requests.js';

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
export const now = (): number => performance.timeOrigin + performance.now();

/** What a set of worker processes serves. */
export interface WorkerSpec {
  /** `sluice`: the worker host's KindWorker; `raw`: a plain BullMQ Worker. */
  readonly mode: 'sluice' | 'raw';
  /** Sluice mode: write reconcile history. */
  readonly history: boolean;
  readonly redis: RedisTarget;
  readonly prefix: string;
  /** Jobs at once per kind, per process. */
  readonly concurrency: number;
  readonly recordStarts: boolean;
  /** Sluice mode: kind names served by every process (default: the single `Noop` kind). */
  readonly kinds?: readonly string[];
  /** Write a V8 CPU profile of every process into this folder. */
  readonly cpuProfDir?: string;
}

export interface Workers {
  readonly children: NodeChild[];
  done(): number;
  lastDoneAt(): number;
  /** Requests and round trips of every process, summed, as of their latest reports. */
  requests(): RedisRequestCounts;
  readonly starts: Map<string, number>;
  /** Event-loop delay and GC pauses of each process since {@link reset}, as of its latest report. */
  pauses(): Record<string, number>[];
  /** Starts the pause figures afresh in every process. */
  reset(): void;
  stop(): Promise<void>;
}

/** Starts `count` worker processes and resolves once each waits for jobs. */
export async function startWorkers(spec: WorkerSpec, count: number): Promise<Workers> {
  const children: NodeChild[] = [];
  const done = new Map<number, number>();
  const last = new Map<number, number>();
  const sent = new Map<number, RedisRequestCounts>();
  const starts = new Map<string, number>();
  const pauses = new Map<number, Record<string, number>>();
  const { cpuProfDir, ...rest } = spec;
  for (let i = 0; i < count; i++) {
    const c = new NodeChild('queue-worker', {
      ...rest,
      ...(cpuProfDir ? { cpuProfile: join(cpuProfDir, `${spec.prefix}-${i}.cpuprofile`) } : {}),
    });
    c.on((m) => {
      if (m.type !== 'progress') return;
      done.set(c.pid, m.done as number);
      last.set(c.pid, m.lastDoneAt as number);
      sent.set(c.pid, { requests: m.requests as number, roundTrips: m.roundTrips as number });
      pauses.set(c.pid, m.pauses as Record<string, number>);
      for (const [k, t] of m.starts as [string, number][]) if (!starts.has(k)) starts.set(k, t);
    });
    children.push(c);
  }
  await Promise.all(children.map((c) => c.waitFor('ready')));
  await sleep(500); // let each worker reach its blocking wait
  return {
    children,
    starts,
    done: () => [...done.values()].reduce((a, b) => a + b, 0),
    lastDoneAt: () => Math.max(0, ...last.values()),
    requests: () => {
      let requests = 0;
      let roundTrips = 0;
      for (const s of sent.values()) {
        requests += s.requests;
        roundTrips += s.roundTrips;
      }
      return { requests, roundTrips };
    },
    pauses: () => [...pauses.values()],
    reset: () => {
      for (const c of children) c.send({ type: 'reset' });
    },
    stop: async () => {
      await Promise.all(children.map((c) => c.stop()));
    },
  };
}

/** Resolves once `probe()` holds, polling every 20 ms; rejects after `timeoutMs`. */
export async function until(what: string, probe: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
