/**
 * @module bench/scenarios/memory
 * Scenario `memory`: the resident memory of the production dispatcher process (`sluice dispatcher`:
 * every registered kind, cluster-wide, owned kinds metadata-only, HTTP API and dashboard, leader
 * election) while it watches N objects across kinds that the scenario created, plus whatever else
 * the shared API server holds. Started on an empty private Redis, so it also queues the whole
 * initial list (at low priority); RSS is sampled once a second after every watch is up and the
 * enqueueing is done, and the median sample is the figure of the run.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startPrivateRedis, type PrivateRedis } from '../../test/env/private-redis.js';
import { freePort } from '../../test/env/proc.js';
import { installCrds } from '../../test/helpers/crds.js';
import { createNamespace, deleteNamespace } from '../lib/kube.js';
import { populate } from '../lib/population.js';
import { rssMb } from '../lib/procs.js';
import type { Figures, Target } from '../lib/results.js';
import { nodeOf, startCliDispatcher, type Running } from '../lib/sluice.js';
import { median, percentile } from '../lib/stats.js';
import type { Scenario } from './index.js';

/**
 * The Node flags the dispatcher runs with in the chart (`dispatcher.nodeOptions` in
 * deploy/helm/sluice/values.yaml, passed as NODE_OPTIONS): a 1 MB semi-space keeps V8's young
 * generation small, and a 256 MB old-space limit makes V8 grow the heap by its smallest step
 * (bench/results/dispatcher-memory.md).
 */
export const DISPATCHER_NODE_ARGS: readonly string[] = [
  '--max-semi-space-size=1',
  '--max-old-space-size=256',
];

/** Each run measures the dispatcher with the chart's flags, and with Node's defaults beside it. */
const VARIANTS: readonly { readonly name: string; readonly args: readonly string[] }[] = [
  { name: 'shipped', args: DISPATCHER_NODE_ARGS },
  { name: 'default_flags', args: [] },
];

interface Readiness {
  readonly ready?: boolean;
  readonly pending?: number;
  readonly sources?: readonly { kind: string; metadataOnly: boolean; state: string; objects: number }[];
}

/** Polls `/readyz` until every watch is up and nothing is left to enqueue. */
export async function dispatcherSettled(port: number, timeoutMs = 600_000): Promise<Readiness> {
  const deadline = Date.now() + timeoutMs;
  let last: Readiness = {};
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      last = (await res.json()) as Readiness;
      if (res.ok && last.ready && (last.pending ?? 0) === 0) return last;
    } catch {
      /* not listening yet */
    }
    await sleep(250);
  }
  throw new Error(`the dispatcher did not settle: ${JSON.stringify(last)}`);
}

/** A figure of the dispatcher's own Prometheus metrics (e.g. `sluice_process_nodejs_heap_size_used_bytes`). */
export async function metric(port: number, name: string): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : undefined;
}

const TARGETS: readonly Target[] = [
  {
    name: 'dispatcher RSS ≤ 100 MB while watching 10,000 objects',
    check: (m) => (m.dispatcher_rss_mb ?? Infinity) <= 100,
    show: (m) => `${m.dispatcher_rss_mb ?? '?'} MB for ${m.objects ?? '?'} objects`,
  },
];

export const memoryScenario: Scenario = {
  order: ['dispatcher_rss_mb', 'objects'],
  defaultRuns: 3,
  async prepare(opts, say) {
    const total = opts.size ?? (opts.small ? 200 : 10_000);
    await installCrds();
    const namespace = await createNamespace('memory');
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
    const sources: unknown[] = [];
    const privateRedis = redis;

    /** Starts a dispatcher, waits until it settles, samples its RSS for 20 s, stops it. */
    async function measure(prefix: string, nodeArgs: readonly string[]) {
      const port = await freePort();
      let d: Running | undefined;
      try {
        d = startCliDispatcher({ redisUrl, prefix, namespace, ...nodeOf(opts) }, { port, nodeArgs });
        const ready = await dispatcherSettled(port);
        await sleep(5000);
        const samples: number[] = [];
        for (let i = 0; i < 20; i++) {
          samples.push(await rssMb(d.pid));
          await sleep(1000);
        }
        const heap =
          ((await metric(port, 'sluice_process_nodejs_heap_size_used_bytes')) ?? Number.NaN) / 2 ** 20;
        const objects = (ready.sources ?? []).reduce((n, s) => n + s.objects, 0);
        return {
          rss: median(samples),
          max: Math.max(...samples),
          p90: percentile(samples, 90),
          heap,
          objects,
          sources: ready.sources,
        };
      } finally {
        await d?.stop();
        await privateRedis.restartEmpty();
      }
    }
    return {
      async run(index: number): Promise<Figures> {
        const measured = [];
        for (const v of VARIANTS) measured.push(await measure(`bench-mem-${v.name}-${index}`, v.args));
        const [shipped, ...others] = measured;
        if (!shipped) throw new Error('no measurement');
        sources.push(shipped.sources);
        say(
          `  RSS median ${shipped.rss.toFixed(1)} MB (max ${shipped.max.toFixed(1)}), heap used ${shipped.heap.toFixed(1)} MB, ${shipped.objects} objects watched; ${others
            .map((o, i) => `${VARIANTS[i + 1]?.name ?? '?'}: ${o.rss.toFixed(1)} MB`)
            .join(', ')}`,
        );
        const figures: Record<string, number> = {
          dispatcher_rss_mb: shipped.rss,
          objects: shipped.objects,
          rss_max_mb: shipped.max,
          rss_p90_mb: shipped.p90,
          heap_used_mb: shipped.heap,
          scenario_objects: total,
        };
        others.forEach((o, i) => {
          const name = VARIANTS[i + 1]?.name ?? `variant_${i}`;
          figures[`${name}_rss_mb`] = o.rss;
          figures[`${name}_heap_used_mb`] = o.heap;
        });
        return figures;
      },
      async cleanup() {
        await redis?.stop();
        await deleteNamespace(namespace);
      },
      targets: TARGETS,
      notes: [
        `The production \`sluice dispatcher\` process (six kinds, cluster-wide, owned kinds metadata-only, HTTP API and dashboard, leader election) watching ${total} objects the scenario created (${Object.entries(
          population,
        )
          .map(([k, v]) => `${v} ${k}`)
          .join(
            ', ',
          )}) plus every other object of those kinds on the shared API server ("objects" counts them all).`,
        'Started on an empty private Redis (so it queues the whole initial list at low priority); RSS from /proc, sampled once a second for 20 s after /readyz reports every watch up and nothing pending; the run figure is the median sample.',
        `dispatcher_rss_mb is the process started as the chart starts it (Node flags ${DISPATCHER_NODE_ARGS.join(' ')}); default_flags_* is the same process with Node's default flags, measured in the same run.`,
      ],
      details: () => ({ population, sources }),
    };
  },
};
