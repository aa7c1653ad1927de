/**
 * @module bench/scenarios/queue-kinds
 * The queue scenario's "kinds" series: the same total of no-op jobs split evenly over K = 1, 3, 6
 * kinds, served by one worker process (then two) running one KindWorker per kind, on the single
 * Redis and on the three-primary Cluster in the same run.
 *
 * The kind names are chosen so that their queues' hash tags land on different primaries (kind i on
 * primary i mod 3): three kinds cover the three primaries, six put two on each. The choice is made
 * from the slot arithmetic ({@link keySlot}, {@link evenShard}) and then checked against the running
 * Cluster's own slot map; the run stops if the Cluster disagrees.
 *
 * Per job it reports, on each topology: client requests (every command a Sluice client writes,
 * the dispatcher side's enqueue and the workers', one per EVALSHA), round trips (a pipeline or
 * MULTI counted once) and server commands (`INFO commandstats`, which also counts the commands
 * BullMQ's Lua scripts run inside Redis).
 */
import type { RedisTarget } from '../../runtime/index.js';
import { EnqueueBatcher } from '../../runtime/queue/batcher.js';
import {
  Enqueuer,
  KindRegistry,
  QueueSet,
  SluiceMetrics,
  createLogger,
  type KindInfo,
} from '../../runtime/index.js';
import { evenShard, keySlot } from '../../runtime/redis/slots.js';
import { clusterPrimaryOf, type RedisClusterTopology } from '../../test/env/redis-topologies.js';
import { noopKind } from '../lib/noop-kind.js';
import { now, startWorkers, until } from '../lib/queue-workers.js';
import { commandStats, countRedisRequests, redisRequestCounts } from '../lib/redis-requests.js';

/** The kind counts of the series. */
export const KIND_COUNTS = [1, 3, 6] as const;
const PRIMARIES = 3;

/** `count` no-op kinds whose queues land on primary 0, 1, 2, 0, 1, 2… of an evenly split Cluster. */
export function spreadKinds(count: number): KindInfo[] {
  const out: KindInfo[] = [];
  for (let n = 0; out.length < count; n++) {
    if (n > 10_000) throw new Error(`no kind name found for primary ${out.length % PRIMARIES}`);
    const kind = noopKind(`Noop${n}`);
    if (evenShard(keySlot(kind.queue), PRIMARIES) === out.length % PRIMARIES) out.push(kind);
  }
  return out;
}

/**
 * The Cluster primary (port) of each kind's queue, from the running Cluster; throws unless the
 * first three kinds sit on three different primaries and kind i shares a primary with kind i mod 3.
 */
export async function primariesOf(
  kinds: readonly KindInfo[],
  cluster: RedisClusterTopology,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const k of kinds) {
    const port = await clusterPrimaryOf(cluster.servers, keySlot(k.queue));
    if (port === undefined) throw new Error(`no Cluster primary serves the slot of ${k.queue}`);
    out.set(k.queue, port);
  }
  const ports = kinds.map((k) => out.get(k.queue));
  const firstThree = new Set(ports.slice(0, PRIMARIES));
  const cyclic = ports.every((p, i) => p === ports[i % PRIMARIES]);
  if (firstThree.size !== Math.min(PRIMARIES, kinds.length) || !cyclic)
    throw new Error(
      `the kinds' queues do not spread over the Cluster's primaries as expected: ${kinds
        .map((k) => `${k.queue}→${out.get(k.queue) ?? '?'}`)
        .join(', ')}`,
    );
  return out;
}

export interface KindsRun {
  readonly perS: number;
  /** Client → server commands per job, the enqueuing side and the workers together. */
  readonly requestsPerJob: number;
  /** {@link requestsPerJob} with a pipeline or MULTI counted once. */
  readonly roundTripsPerJob: number;
  /** Commands the servers ran per job (`INFO commandstats`, script-internal ones included). */
  readonly commandsPerJob: number;
}

/** `jobs` distinct keys split round-robin over `kinds`, through `workers` processes serving all of them. */
export async function kindsThroughput(
  kinds: readonly KindInfo[],
  workers: number,
  redis: RedisTarget,
  jobs: number,
  concurrency: number,
  prefix: string,
): Promise<KindsRun> {
  countRedisRequests();
  const w = await startWorkers(
    {
      mode: 'sluice',
      history: true,
      redis,
      prefix,
      concurrency,
      recordStarts: false,
      kinds: kinds.map((k) => k.kind),
    },
    workers,
  );
  const queues = new QueueSet({ redis, prefix });
  try {
    const enqueuer = new Enqueuer(queues, new KindRegistry([...kinds]), new SluiceMetrics());
    const batcher = new EnqueueBatcher(enqueuer, createLogger({ level: 'warn' }));
    const before = await commandStats(queues.connection);
    const driver0 = redisRequestCounts();
    const workers0 = w.requests();
    const t0 = now();
    for (let i = 0; i < jobs; i++) {
      const kind = kinds[i % kinds.length] ?? kinds[0];
      if (!kind) throw new Error('no kinds');
      batcher.add(
        { group: kind.group, version: kind.version, kind: kind.kind, namespace: 'bench', name: `k-${i}` },
        'event',
        'normal',
      );
    }
    await batcher.close();
    await until(`${jobs} jobs over ${kinds.length} kinds`, () => w.done() >= jobs, 10 * 60_000);
    const perS = jobs / ((w.lastDoneAt() - t0) / 1000);
    await new Promise((r) => setTimeout(r, 100)); // the workers' last progress report
    const driver1 = redisRequestCounts();
    const workers1 = w.requests();
    const after = await commandStats(queues.connection);
    let commands = 0;
    for (const [k, v] of after) if (k !== 'info' && k !== 'ping') commands += v - (before.get(k) ?? 0);
    const delta = (f: 'requests' | 'roundTrips'): number =>
      (driver1[f] - driver0[f] + workers1[f] - workers0[f]) / jobs;
    return {
      perS,
      requestsPerJob: delta('requests'),
      roundTripsPerJob: delta('roundTrips'),
      commandsPerJob: commands / jobs,
    };
  } finally {
    await w.stop();
    for (const k of kinds)
      await queues
        .get(k)
        .obliterate({ force: true })
        .catch(() => undefined);
    await queues.close();
  }
}

/** The queue of each kind of the series and the Cluster primary (port) it lives on. */
export const kindPrimaries: Record<string, number> = {};

/** The whole series: figures `k<K>[_2w]_<single|cluster>_*` and `k<K>[_2w]_cluster_ratio`. */
export async function runKinds(
  single: RedisTarget,
  cluster: RedisClusterTopology,
  opts: { readonly jobs: number; readonly concurrency: number },
  tag: string,
  say: (m: string) => void,
): Promise<Record<string, number>> {
  const all = spreadKinds(Math.max(...KIND_COUNTS));
  const primaries = await primariesOf(all, cluster);
  for (const [queue, port] of primaries) kindPrimaries[queue] = port;
  say(`  kinds on the Cluster: ${[...primaries].map(([q, p]) => `${q} on :${p}`).join(', ')}`);
  const f: Record<string, number> = {};
  for (const workers of [1, 2]) {
    for (const k of KIND_COUNTS) {
      const kinds = all.slice(0, k);
      const base = `k${k}${workers === 2 ? '_2w' : ''}`;
      for (const [name, redis] of [
        ['single', single],
        ['cluster', cluster.endpoint],
      ] as const) {
        const r = await kindsThroughput(
          kinds,
          workers,
          redis,
          opts.jobs,
          opts.concurrency,
          `bench-qk-${tag}-${name}-${base}`,
        );
        f[`${base}_${name}_per_s`] = r.perS;
        f[`${base}_${name}_requests_per_job`] = r.requestsPerJob;
        f[`${base}_${name}_round_trips_per_job`] = r.roundTripsPerJob;
        f[`${base}_${name}_commands_per_job`] = r.commandsPerJob;
        say(
          `  ${k} kind(s), ${workers} worker(s), ${name}: ${Math.round(r.perS)} jobs/s; per job ${r.requestsPerJob.toFixed(2)} requests, ${r.roundTripsPerJob.toFixed(2)} round trips, ${r.commandsPerJob.toFixed(1)} server commands`,
        );
      }
      f[`${base}_cluster_ratio`] = (f[`${base}_cluster_per_s`] ?? 0) / (f[`${base}_single_per_s`] ?? 1);
    }
  }
  return f;
}

/** How the kinds series was measured, for the results file. */
export function kindsNotes(jobs: number, concurrency: number): string[] {
  return [
    `Kinds: ${jobs} distinct keys split evenly over K = ${KIND_COUNTS.join(', ')} no-op kinds, enqueued at once through the batcher; each worker process runs one KindWorker per kind (concurrency ${concurrency} each, so K × ${concurrency} jobs at once per process), with history; 1 then 2 processes; on the single Redis and on the Cluster in the same run (k<K>_cluster_ratio = Cluster ÷ single).`,
    'Kinds are named so that kind i’s queue lands on Cluster primary i mod 3 (checked against the running Cluster’s slot map; details.kind_primaries lists each queue’s primary port).',
    'Kinds, reading: on 2 shared cores one Node worker process is CPU-bound before one Redis is, so spreading queues over primaries cannot raise throughput here; k<K>_cluster_ratio shows what the Cluster costs (client routing, replicas on the same cores), and 2 processes compete with the driver and the servers for the same cores.',
    'Per job: requests = commands written by the Sluice clients (enqueue side and workers; one EVALSHA counts once), round trips = the same with a pipeline or MULTI counted once (counted at the ioredis client), commands = what the servers ran (INFO commandstats, including the commands inside BullMQ’s Lua scripts).',
  ];
}
