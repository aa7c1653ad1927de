/**
 * @module bench/proc/paced-worker
 * A worker process of the `freshness` and `fairness` scenarios: the worker host's KindWorker with
 * a reconcile that waits a fixed time (standing for a broker round trip), in one of two modes:
 * - `kube`: Widgets on the real API server; after the wait it writes the Widget's status
 *   (`observedGeneration`), so a reconcile ends when the object is Ready;
 * - `memory`: the no-op kind read from memory (`bench/lib/noop-kind.ts`), nothing written, so
 *   only the queue is measured.
 * Every 50 ms it reports to its parent the reconciles that ended since the last report, each as
 * `[namespace/name, generation read, start, end]` (wall-clock ms).
 * Usage: forked with `{mode, redis, prefix, concurrency, reconcileMs}`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { KindWorker } from '../../runtime/worker/kind-worker.js';
import {
  DEFAULT_HISTORY,
  awaitChange,
  type KubeClient,
  type RedisTarget,
  type SluiceFunction,
} from '../../runtime/index.js';
import { adminClient } from '../../test/helpers/context.js';
import { WidgetKind } from '../../test/runtime/widget-function.js';
import { MemoryKube, NoopKind, benchHostDeps } from '../lib/noop-kind.js';

interface Options {
  readonly mode: 'kube' | 'memory';
  readonly redis: RedisTarget;
  readonly prefix: string;
  readonly concurrency: number;
  readonly reconcileMs: number;
}

/** One reconcile: object, generation read, start and end (ms since the epoch). */
export type PacedSample = [string, number, number, number];

const opts = JSON.parse(process.argv[2] ?? '{}') as Options;
const now = (): number => performance.timeOrigin + performance.now();
let samples: PacedSample[] = [];

const kind = opts.mode === 'kube' ? WidgetKind : NoopKind;
const fn: SluiceFunction = {
  // The loaded form the worker host runs: the scenario's dispatcher or driver enqueues.
  kind,
  finalizer: undefined,
  keepsFinalizer: () => true,
  finalize: undefined,
  async reconcile(obj, ctx) {
    const start = now();
    const generation = obj.metadata.generation ?? 0;
    await sleep(opts.reconcileMs, undefined, { signal: ctx.signal });
    if (opts.mode === 'kube') await ctx.kube.writeStatus(kind, obj, { observedGeneration: generation });
    samples.push([`${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`, generation, start, now()]);
    return awaitChange();
  },
};

const kube: KubeClient = opts.mode === 'kube' ? adminClient() : new MemoryKube();
const worker = new KindWorker(fn, benchHostDeps(kube), {
  redis: opts.redis,
  prefix: opts.prefix,
  concurrency: opts.concurrency,
  history: { ...DEFAULT_HISTORY, records: 0 },
});
worker.start();

const timer = setInterval(() => {
  if (samples.length === 0) return;
  process.send?.({ type: 'samples', samples });
  samples = [];
}, 50);

process.send?.({ type: 'ready' });
process.on('SIGTERM', () => {
  clearInterval(timer);
  void worker.close().then(() => {
    if (samples.length > 0) process.send?.({ type: 'samples', samples });
    process.exit(0);
  });
});
