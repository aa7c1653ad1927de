/**
 * @module bench/scenarios/restart
 * Scenario `restart`: with N existing objects (the `memory` population), the production
 * dispatcher (`sluice dispatcher`, leader election on) is stopped gracefully and started again,
 * and one Tawon Stream's spec is changed right after the new process is spawned. The figure is the
 * time from that change to the start of its reconcile, at p99 over the trials of a run.
 *
 * A worker in this process serves the Tawon Stream queue with a reconciler that only notes when it
 * started (it writes nothing), so the time measured is the dispatcher's: process start, leader
 * election, the resumed watch that replays the change (opened at once; the list that refills the
 * caches runs beside it), the enqueue, and the worker picking the job up.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { KindWorker } from '../../runtime/worker/kind-worker.js';
import { SluiceMetrics, awaitChange, createLogger, type SluiceFunction } from '../../runtime/index.js';
import { TawonStreamKind } from '../../shared/index.js';
import { startPrivateRedis, type PrivateRedis } from '../../test/env/private-redis.js';
import { freePort } from '../../test/env/proc.js';
import { adminClient } from '../../test/helpers/context.js';
import { installCrds } from '../../test/helpers/crds.js';
import { createNamespace, deleteNamespace, kube } from '../lib/kube.js';
import { populate } from '../lib/population.js';
import type { Figures, Target } from '../lib/results.js';
import { nodeOf, startCliDispatcher, type Running } from '../lib/sluice.js';
import { percentile } from '../lib/stats.js';
import { DISPATCHER_NODE_ARGS, dispatcherSettled } from './memory.js';
import type { Scenario } from './index.js';

/** A Tawon Stream reconciler that records its start and does nothing else. */
function recorder(onStart: (name: string, at: number) => void): SluiceFunction {
  // The loaded form the worker host runs: this benchmark drives one KindWorker itself.
  return {
    kind: TawonStreamKind,
    finalizer: undefined,
    keepsFinalizer: () => true,
    finalize: undefined,
    reconcile(obj) {
      onStart(obj.metadata.name ?? '', Date.now());
      return Promise.resolve(awaitChange());
    },
  };
}

const TARGETS: readonly Target[] = [
  {
    name: 'change after a restart → reconcile start ≤ 1 s (p99)',
    check: (m) => (m.p99_s ?? Infinity) <= 1,
    show: (m) => `${m.p99_s ?? '?'} s at p99 (p50 ${m.p50_s ?? '?'} s) with ${m.objects ?? '?'} objects`,
  },
];

export const restartScenario: Scenario = {
  order: ['p99_s', 'objects'],
  defaultRuns: 3,
  async prepare(opts, say) {
    const total = opts.size ?? (opts.small ? 200 : 10_000);
    const trials = opts.small ? 3 : 10;
    await installCrds();
    const namespace = await createNamespace('restart');
    let redis: PrivateRedis | undefined;
    let population: Record<string, number> = {};
    try {
      population = await populate(namespace, total, say);
      redis = await startPrivateRedis();
    } catch (err) {
      await deleteNamespace(namespace);
      throw err;
    }
    const redisUrl = redis.url;
    const starts = new Map<string, number[]>();
    const prefix = 'bench-restart';
    const worker = new KindWorker(
      recorder((name, at) => starts.set(name, [...(starts.get(name) ?? []), at])),
      {
        kube: adminClient(),
        metrics: new SluiceMetrics(),
        log: createLogger({ level: 'warn' }),
        events: { record: () => Promise.resolve(), flush: () => Promise.resolve() },
      },
      { redis: redisUrl, prefix },
    );
    worker.start();
    const port = await freePort();
    const env = { redisUrl, prefix, namespace, ...nodeOf(opts) };
    let dispatcher: Running = startCliDispatcher(env, { port, nodeArgs: DISPATCHER_NODE_ARGS });
    await dispatcherSettled(port);
    let generation = 0;

    async function trial(
      i: number,
      nodeArgs: readonly string[],
    ): Promise<{ latency: number; startup: number; objects: number }> {
      await sleep(3000); // past a checkpoint: the watches' progress is saved
      await dispatcher.stop();
      const spawned = Date.now();
      dispatcher = startCliDispatcher(env, { port, nodeArgs });
      const name = `p-${i % Math.max(1, population[`${TawonStreamKind.kind}.${TawonStreamKind.group}`] ?? 1)}`;
      generation++;
      await kube().patch(TawonStreamKind, namespace, name, { spec: { maxmsgs: 100000 + generation } });
      const changed = Date.now();
      const deadline = changed + 120_000;
      let started: number | undefined;
      while (started === undefined) {
        started = (starts.get(name) ?? []).find((t) => t >= changed);
        if (started !== undefined) break;
        if (Date.now() > deadline) throw new Error(`no reconcile of ${name} within 120 s of its change`);
        await sleep(5);
      }
      const ready = await dispatcherSettled(port);
      const objects = (ready.sources ?? []).reduce((n, s) => n + s.objects, 0);
      return { latency: (started - changed) / 1000, startup: (changed - spawned) / 1000, objects };
    }

    return {
      async run(): Promise<Figures> {
        const latencies: number[] = [];
        let objects = 0;
        for (let i = 0; i < trials; i++) {
          const r = await trial(i, DISPATCHER_NODE_ARGS);
          latencies.push(r.latency);
          objects = r.objects;
          say(`    trial ${i + 1}: ${r.latency.toFixed(3)} s`);
        }
        return {
          p99_s: percentile(latencies, 99),
          objects,
          p50_s: percentile(latencies, 50),
          max_s: Math.max(...latencies),
          trials,
          scenario_objects: total,
        };
      },
      async cleanup() {
        await dispatcher.stop();
        await worker.close(true);
        await redis?.stop();
        await deleteNamespace(namespace);
      },
      targets: TARGETS,
      notes: [
        `${total} objects across kinds (${Object.entries(population)
          .map(([k, v]) => `${v} ${k}`)
          .join(
            ', ',
          )}) plus every other object of the six kinds and their owned kinds on the shared API server ("objects" counts what the dispatcher watches).`,
        `Each trial: SIGTERM the production dispatcher (it saves its watch progress and releases its Lease), spawn a new one, change one Tawon Stream's spec at once; time from the change to the start of its reconcile. ${trials} trials per run; the run figure is their p99 (with 10 trials, the slowest).`,
        'The reconcile start is seen by a worker that serves the Tawon Stream queue and writes nothing.',
        `The dispatcher runs with the chart's Node flags (${DISPATCHER_NODE_ARGS.join(' ')}).`,
      ],
      details: () => ({ population, trials }),
    };
  },
};
