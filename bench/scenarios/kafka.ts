/**
 * @module bench/scenarios/kafka
 * Scenario `kafka-10k`: N ClusterStreams (protocol kafka, 1 partition, replication factor 1) from
 * apply to Ready, and their N topics created, on a private 3-broker KRaft Kafka started fresh for
 * each run (one broker cannot hold 10,000 topics under this machine's open-files limit of 20,000).
 *
 * Sluice runs as deployed: the ClusterStream controller (its primary watch limited by label to
 * the run's ClusterStreams, which are cluster-scoped, and its owned binding Secrets watched
 * metadata-only in the operator namespace) and one `sluice worker` process with default settings.
 * Timed from the first create (16 at a time) to the last Ready=True seen on a watch; then the
 * topics are counted on the brokers.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import { DEFAULT_CONCURRENCY } from '../../runtime/worker/defaults.js';
import { findCondition, type KubeObject } from '../../runtime/index.js';
import { BrokerClaimType, ClusterStreamKind, asBrokerClaim } from '../../shared/index.js';
import { startPrivateRedis, type PrivateRedis } from '../../test/env/private-redis.js';
import { installCrds } from '../../test/helpers/crds.js';
import { suffix } from '../../test/helpers/env.js';
import {
  BENCH_LABEL,
  ReadyTracker,
  apiLatency,
  apiRequests,
  createMany,
  createNamespace,
  deleteNamespace,
  diffCounts,
  forEachLimit,
  kube,
  meanLatencyMs,
  perObject,
  writesOf,
} from '../lib/kube.js';
import type { Figures, Target } from '../lib/results.js';
import { startKafkaCluster } from '../lib/servers.js';
import { histogram, nodeOf, startBenchDispatcher, startCliWorker } from '../lib/sluice.js';
import { cpuSeconds } from '../lib/procs.js';
import { ceilingProbe, statusWriteRate } from './ceiling.js';
import type { Scenario } from './index.js';

const ready = (o: KubeObject): boolean => findCondition(o.status, 'Ready')?.status === 'True';
const relevant = (group: string, resource: string): boolean =>
  group === 'streaming.tanzu.vmware.com' ||
  group === 'sluice.io' ||
  resource === 'secrets' ||
  resource === 'events';

function clusterStreams(run: string, brokers: string, count: number): KubeObject[] {
  return Array.from({ length: count }, (_, i) => ({
    metadata: { name: `bench-${run}-${i}`, labels: { [BENCH_LABEL]: run } },
    spec: {
      name: `bench.${run}.${i}`,
      storage: { server: { url: brokers, protocol: 'kafka' } },
      partitions: 1,
      replicationFactor: 1,
    },
  }));
}

async function countTopics(brokers: readonly string[], prefix: string): Promise<number> {
  const admin = new kafkajs.Kafka({ brokers: [...brokers], logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).filter((t) => t.startsWith(prefix)).length;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Removes the run's ClusterStreams without a controller: delete them all, then drop their
 * finalizers; the BrokerClaims they held go too (no finalizer ran to release them).
 */
async function removeClusterStreams(run: string): Promise<void> {
  const selector = `${BENCH_LABEL}=${run}`;
  const items = await kube().listAll(ClusterStreamKind, undefined, {
    labelSelector: selector,
    metadataOnly: true,
  });
  await forEachLimit(items, 16, async (o) => {
    const name = o.metadata.name ?? '';
    await kube()
      .patch(ClusterStreamKind, undefined, name, { metadata: { finalizers: null } })
      .catch(() => undefined);
    await kube()
      .delete(ClusterStreamKind, undefined, name)
      .catch(() => undefined);
  });
  for (let i = 0; i < 120; i++) {
    const left = await kube().list(ClusterStreamKind, undefined, {
      labelSelector: selector,
      limit: 1,
      metadataOnly: true,
    });
    if ((left.items ?? []).length === 0) break;
    await sleep(1000);
  }
  const claims = (await kube().listAll(BrokerClaimType)).flatMap((o) => asBrokerClaim(o) ?? []);
  await forEachLimit(
    claims.filter((c) => c.spec.holder.name.startsWith(`bench-${run}-`)),
    16,
    (c) =>
      kube()
        .delete(BrokerClaimType, undefined, c.metadata.name ?? '')
        .then(
          () => undefined,
          () => undefined,
        ),
  );
}

export const KAFKA_ORDER = ['sluice_s', 'converge_per_s'] as const;

const TARGETS: readonly Target[] = [
  {
    name: '10,000 ClusterStreams Ready and topics created in under 3 minutes',
    check: (m) => (m.sluice_s ?? Infinity) < 180 && (m.topics_missing ?? 1) === 0,
    show: (m) => `${m.sluice_s ?? '?'} s, ${m.topics_missing ?? '?'} topics missing`,
  },
  {
    name: 'converge rate ≥ 0.7× the API server ceiling (same run)',
    check: (m) => (m.ceiling_fraction ?? 0) >= 0.7,
    show: (m) =>
      `${m.ceiling_fraction ?? '?'}× (${m.converge_per_s ?? '?'}/s of ${m.ceiling_writes_per_s ?? '?'} writes/s)`,
  },
];

export const kafkaScenario: Scenario = {
  order: KAFKA_ORDER,
  defaultRuns: 3,
  async prepare(opts, say) {
    const count = opts.size ?? (opts.small ? 100 : 10_000);
    await installCrds();
    const redis: PrivateRedis = await startPrivateRedis();
    const probe = await ceilingProbe().catch(async (err: unknown) => {
      await redis.stop();
      throw err;
    });
    const profiles: Record<string, unknown>[] = [];
    const concurrencyArgs = opts.workerConcurrency ? ['--concurrency', String(opts.workerConcurrency)] : [];
    return {
      async run(index: number): Promise<Figures> {
        const run = suffix(3);
        say(`  starting a 3-broker Kafka`);
        const kafka = await startKafkaCluster(3);
        const namespace = await createNamespace('kafka');
        const prefix = `bench-kafka-${run}`;
        try {
          const dispatcher = await startBenchDispatcher({
            redisUrl: redis.url,
            prefix,
            namespace,
            labelSelector: `${BENCH_LABEL}=${run}`,
          });
          const worker = await startCliWorker(
            { redisUrl: redis.url, prefix, namespace, ...nodeOf(opts) },
            ClusterStreamKind,
            concurrencyArgs,
          );
          const tracker = new ReadyTracker(
            ClusterStreamKind,
            { labelSelector: `${BENCH_LABEL}=${run}` },
            ready,
          );
          try {
            await sleep(1000);
            const before = await apiRequests(relevant);
            const latencyBefore = await apiLatency(relevant);
            const wait0 = await histogram(worker.port, 'sluice_queue_wait_seconds');
            const run0 = await histogram(worker.port, 'sluice_reconcile_duration_seconds');
            const cpu0 = {
              worker: await cpuSeconds(worker.pid),
              dispatcher: await cpuSeconds(dispatcher.pid),
            };
            const t0 = Date.now();
            await createMany(ClusterStreamKind, clusterStreams(run, kafka.url, count), 16);
            const created = (Date.now() - t0) / 1000;
            const end = await tracker.until(count, 30 * 60_000, (n) => say(`    ${n} of ${count} ready`));
            const seconds = (end - t0) / 1000;
            const wait1 = await histogram(worker.port, 'sluice_queue_wait_seconds');
            const run1 = await histogram(worker.port, 'sluice_reconcile_duration_seconds');
            const cpu1 = {
              worker: await cpuSeconds(worker.pid),
              dispatcher: await cpuSeconds(dispatcher.pid),
            };
            const latencyMs = meanLatencyMs(latencyBefore, await apiLatency(relevant));
            await sleep(2000);
            const requests = diffCounts(before, await apiRequests(relevant));
            const reconciles = run1.count - run0.count;
            const topics = await countTopics(kafka.brokers, `bench.${run}.`);
            const ceiling = await statusWriteRate(probe.namespace, 32, 5);
            profiles.push({
              run: index,
              requests_per_object: perObject(requests, count),
              api_latency_ms: latencyMs,
              reconciles_per_object: reconciles / count,
            });
            const converge = count / seconds;
            say(
              `  ${count} Ready in ${seconds.toFixed(1)} s (created in ${created.toFixed(1)} s), ${topics} topics`,
            );
            return {
              sluice_s: seconds,
              converge_per_s: converge,
              create_s: created,
              topics_missing: count - topics,
              ceiling_writes_per_s: ceiling,
              ceiling_fraction: converge / ceiling,
              writes_per_object: writesOf(requests) / count,
              queue_wait_ms: (1000 * (wait1.sum - wait0.sum)) / Math.max(1, wait1.count - wait0.count),
              reconcile_ms: (1000 * (run1.sum - run0.sum)) / Math.max(1, reconciles),
              reconciles_per_object: reconciles / count,
              worker_cpu_s: cpu1.worker - cpu0.worker,
              dispatcher_cpu_s: cpu1.dispatcher - cpu0.dispatcher,
            };
          } finally {
            await tracker.close();
            await dispatcher.stop();
            await worker.stop();
          }
        } finally {
          await removeClusterStreams(run);
          await deleteNamespace(namespace);
          await kafka.stop();
        }
      },
      async cleanup() {
        await probe.cleanup();
        await redis.stop();
      },
      targets: TARGETS,
      notes: [
        `${count} ClusterStreams (kafka, 1 partition, replication factor 1), created 16 at a time; timed from the first create to the last Ready=True seen on a watch; topics counted on the brokers afterwards.`,
        "Kafka: a private 3-broker KRaft cluster (each node broker + controller, 768 MB heap), started fresh for each run, because a single broker cannot hold 10,000 topics under the machine's hard open-files limit of 20,000.",
        `Sluice: the ClusterStream controller (primary watch limited to the run's label, binding Secrets metadata-only, the registration's predicates) + one \`sluice worker\` process, concurrency ${opts.workerConcurrency ?? DEFAULT_CONCURRENCY} (the default is ${DEFAULT_CONCURRENCY}), 500 reconciles/s.`,
        'ceiling_writes_per_s is probed in the same run (32 lanes, 5 s) after the convergence.',
      ],
      details: () => ({
        objects: count,
        worker_concurrency: opts.workerConcurrency ?? DEFAULT_CONCURRENCY,
        profiles,
      }),
    };
  },
};
