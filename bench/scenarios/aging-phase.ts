/**
 * @module bench/scenarios/aging-phase
 * The `freshness` scenario's aging phase, at the queue level: a steady load of fresh events above
 * the workers' capacity, so the wait list never empties, and a resync-like trickle of
 * low-priority requests. Without aging the low jobs never run while the load lasts (the control);
 * with aging (`runtime/queue/aging.ts`, the loop the leading dispatcher runs) each runs once it
 * has waited the bound. The figure is the longest wait of a low job against the bound.
 *
 * The queue level (the dispatcher's EnqueueBatcher and Enqueuer feeding worker processes that
 * read objects from memory) because the property is the queue's and the load must exceed the
 * workers, not the shared API server.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Enqueuer,
  KindRegistry,
  QueueSet,
  SluiceMetrics,
  createLogger,
  runAging,
  type ObjectRef,
} from '../../runtime/index.js';
import { EnqueueBatcher } from '../../runtime/queue/batcher.js';
import { NoopKind } from '../lib/noop-kind.js';
import { startPaced, type Change, latencies } from '../lib/paced.js';
import { now } from '../lib/queue-workers.js';
import type { Figures } from '../lib/results.js';
import { percentile } from '../lib/stats.js';

export interface AgingOptions {
  /** Reconciles at once in the one worker process. */
  readonly concurrency: number;
  readonly reconcileMs: number;
  /** Fresh events per second (distinct keys cycling over `busyKeys`). */
  readonly eventRate: number;
  readonly busyKeys: number;
  /** Low-priority requests per second (each a new key). */
  readonly lowRate: number;
  /** The aging bound (SLUICE_QUEUE_MAX_WAIT_SECONDS) of the phase. */
  readonly boundSeconds: number;
  /** How long the load lasts with aging on; low requests stop a bound and 5 s before its end. */
  readonly seconds: number;
  /** How long the load lasts in the control (aging off). */
  readonly controlSeconds: number;
}

export const AGING_FULL: AgingOptions = {
  concurrency: 4,
  reconcileMs: 50,
  eventRate: 120,
  busyKeys: 500,
  lowRate: 10,
  boundSeconds: 10,
  seconds: 45,
  controlSeconds: 15,
};
export const AGING_SMALL: AgingOptions = { ...AGING_FULL, seconds: 25, controlSeconds: 8, boundSeconds: 5 };

const ref = (name: string): ObjectRef => ({
  group: NoopKind.group,
  version: NoopKind.version,
  kind: NoopKind.kind,
  namespace: 'aging',
  name,
});

interface Load {
  readonly low: Change[];
  readonly events: Change[];
}

/** Runs the load for `seconds` on a fresh prefix, aging at `boundSeconds` unless it is 0. */
async function load(o: AgingOptions, redisUrl: string, prefix: string, seconds: number, bound: number) {
  const workers = await startPaced(
    { mode: 'memory', redis: redisUrl, prefix, concurrency: o.concurrency, reconcileMs: o.reconcileMs },
    1,
  );
  const queues = new QueueSet({ redis: redisUrl, prefix });
  const log = createLogger({ level: 'warn' });
  const enqueuer = new Enqueuer(queues, new KindRegistry([NoopKind]), new SluiceMetrics());
  const batcher = new EnqueueBatcher(enqueuer, log);
  const stop = new AbortController();
  const queue = queues.get(NoopKind);
  const aging =
    bound > 0
      ? runAging([{ kind: NoopKind.kind, queue }], { maxWaitMs: bound * 1000, log }, stop.signal)
      : Promise.resolve();
  const out: Load = { low: [], events: [] };
  try {
    const start = now();
    const lowUntil = start + (bound > 0 ? seconds - bound - 5 : seconds) * 1000;
    let sentEvents = 0;
    let sentLow = 0;
    while (now() - start < seconds * 1000) {
      const t = now();
      const elapsed = (t - start) / 1000;
      for (; sentEvents < elapsed * o.eventRate; sentEvents++) {
        const name = `busy-${sentEvents % o.busyKeys}`;
        batcher.add(ref(name), 'event', 'normal');
        out.events.push({ object: `aging/${name}`, at: t, generation: 0 });
      }
      for (; t < lowUntil && sentLow < elapsed * o.lowRate; sentLow++) {
        const name = `low-${sentLow}`;
        batcher.add(ref(name), 'resync', 'low');
        out.low.push({ object: `aging/${name}`, at: t, generation: 0 });
      }
      await sleep(10);
    }
    await batcher.flush();
    return {
      out,
      reconciles: workers.reconciles,
      backlog: await queue.getJobCounts('prioritized', 'waiting'),
    };
  } finally {
    stop.abort();
    await aging;
    await workers.stop();
    await batcher.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queues.close();
  }
}

/** The control (no aging), then the load with aging; returns the `aging_*` figures. */
export async function runAgingPhase(
  o: AgingOptions,
  redisUrl: string,
  index: number,
  say: (m: string) => void,
): Promise<Figures> {
  const id = `${index}-${Date.now().toString(36)}`;
  const control = await load(o, redisUrl, `bench-aging-off-${id}`, o.controlSeconds, 0);
  const controlLow = latencies(control.out.low, control.reconciles);
  say(
    `    aging off: ${controlLow.start.length} of ${control.out.low.length} low-priority jobs ran in ${o.controlSeconds} s of events above capacity`,
  );
  const aged = await load(o, redisUrl, `bench-aging-on-${id}`, o.seconds, o.boundSeconds);
  const low = latencies(aged.out.low, aged.reconciles);
  const events = latencies(aged.out.events, aged.reconciles);
  const maxWait = low.start.length ? Math.max(...low.start) : Number.NaN;
  say(
    `    aging at ${o.boundSeconds} s: ${low.start.length} of ${aged.out.low.length} low-priority jobs ran, longest wait ${maxWait.toFixed(2)} s; wait list at the end ${aged.backlog.waiting}`,
  );
  return {
    aging_low_max_wait_s: maxWait,
    aging_bound_s: o.boundSeconds,
    aging_low_p50_wait_s: percentile(low.start, 50),
    aging_low_enqueued: aged.out.low.length,
    aging_low_started: low.start.length,
    aging_event_p99_s: percentile(events.start, 99),
    aging_control_low_enqueued: control.out.low.length,
    aging_control_low_started: controlLow.start.length,
  };
}

export function agingNotes(o: AgingOptions): string[] {
  return [
    `Aging phase (queue level: the dispatcher's EnqueueBatcher and Enqueuer feed one worker process, concurrency ${o.concurrency}, whose reconcile waits ${o.reconcileMs} ms and reads the object from memory, so about ${Math.round((1000 / o.reconcileMs) * o.concurrency)} reconciles/s): ${o.eventRate} fresh events/s over ${o.busyKeys} keys (above capacity: the wait list never empties) and ${o.lowRate} new low-priority (resync) requests/s.`,
    `Control: ${o.controlSeconds} s of that load without aging (the low jobs should not run). Then ${o.seconds} s with aging at a bound of ${o.boundSeconds} s (runAging, the leader's loop; low requests stop ${o.boundSeconds + 5} s before the end so each can age); aging_low_max_wait_s is the longest wait from enqueue to reconcile start of a low job.`,
  ];
}
