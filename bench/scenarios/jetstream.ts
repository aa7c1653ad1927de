/**
 * @module bench/scenarios/jetstream
 * Scenario `jetstream-1000`: N Tawon Streams from apply to Ready with Sluice, against N of NACK's
 * own Streams (`jetstream.nats.io/v1beta2`) with NACK, on the same API server and the same
 * (private) nats-server, in the same run. Each side runs alone: its controllers start idle, then
 * the clock starts, the N objects are created (16 at a time, the same for both), and it stops when
 * the last one shows `Ready=True` on a watch. Both describe the same JetStream stream (one
 * subject, limits retention, file storage, 100,000 messages, 6 h, 10 MB: JetStream reserves each
 * stream's byte limit on disk, so 1,000 streams of the seed's 1 GB would need 1 TB).
 *
 * Sluice runs as deployed: `sluice dispatcher` (with `SLUICE_WATCH_NAMESPACE` set to the
 * scenario's namespace) and one `sluice worker` process for the Tawon Stream kind, both with
 * default settings (worker concurrency {@link DEFAULT_CONCURRENCY}, rate limit 500/s), the StreamStore's address sent to the
 * private nats-server by an endpoint override.
 * NACK runs with default settings (its informer controller), `--namespace` set to its namespace.
 *
 * The run also probes the API server's ceiling (status writes per second) so that the converge
 * rate is compared with a ceiling measured in the same run, and counts the API requests of each side.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'nats';
import { DEFAULT_CONCURRENCY } from '../../runtime/worker/defaults.js';
import { findCondition, type KubeObject, type ResourceType } from '../../runtime/index.js';
import { TawonStreamKind } from '../../shared/index.js';
import { startPrivateRedis, type PrivateRedis } from '../../test/env/private-redis.js';
import { installCrds } from '../../test/helpers/crds.js';
import { applyExample } from '../../test/fixtures/tawon/fixtures.js';
import {
  ReadyTracker,
  apiLatency,
  apiRequests,
  createMany,
  createNamespace,
  deleteNamespace,
  diffCounts,
  kube,
  meanLatencyMs,
  perObject,
  writesOf,
} from '../lib/kube.js';
import { ensureNack, installNackCrds, removeNackCrds, startNack, type Nack } from '../lib/nack.js';
import { cpuSeconds } from '../lib/procs.js';
import type { Figures, Target } from '../lib/results.js';
import { startPrivateNats, type PrivateServer } from '../lib/servers.js';
import { cpuProfileArgs, histogram, nodeOf, startCliDispatcher, startCliWorker } from '../lib/sluice.js';
import { freePort } from '../../test/env/proc.js';
import { dispatcherSettled } from './memory.js';
import { ceilingProbe, statusWriteRate } from './ceiling.js';
import type { Scenario } from './index.js';

export const NackStreamKind: ResourceType = {
  group: 'jetstream.nats.io',
  version: 'v1beta2',
  kind: 'Stream',
  plural: 'streams',
  namespaced: true,
};

const ready = (o: KubeObject): boolean => findCondition(o.status, 'Ready')?.status === 'True';
/** The requests a side makes for its objects: its kinds, Sluice's BrokerClaims, and Events. */
const relevant = (group: string, resource: string): boolean =>
  group === 'tawon.mantisnet.com' ||
  group === 'jetstream.nats.io' ||
  group === 'sluice.io' ||
  resource === 'events';

/** Every request of a phase (reads and writes), per object. */
const requestsOf = (counts: Readonly<Record<string, number>>): number =>
  Object.values(counts).reduce((n, v) => n + v, 0);

interface Phase {
  readonly seconds: number;
  /** When the last create returned (the floor both sides share). */
  readonly createSeconds: number;
  /** CPU seconds the controller's processes used during the phase. */
  readonly cpu: Record<string, number>;
  /** Mean server-side latency (ms) of each kind of request during the phase. */
  readonly latencyMs: Record<string, number>;
  /** Sluice only: mean queue wait and reconcile duration (ms) and reconciles per object, from the worker's metrics. */
  readonly worker?: Record<string, number>;
  readonly requests: Record<string, number>;
}

async function timedPhase(
  type: ResourceType,
  namespace: string,
  objects: readonly KubeObject[],
  pids: Readonly<Record<string, number>>,
  say: (m: string) => void,
): Promise<Phase> {
  const cpuBefore = await cpuOf(pids);
  const tracker = new ReadyTracker(type, { namespace }, ready);
  await sleep(500);
  const before = await apiRequests(relevant);
  const latencyBefore = await apiLatency(relevant);
  const t0 = Date.now();
  try {
    await createMany(type, objects, 16);
    const createSeconds = (Date.now() - t0) / 1000;
    const end = await tracker.until(objects.length, 30 * 60_000, (n) =>
      say(`    ${n} of ${objects.length} ready`),
    );
    const seconds = (end - t0) / 1000;
    const cpuAfter = await cpuOf(pids);
    const latencyMs = meanLatencyMs(latencyBefore, await apiLatency(relevant));
    const cpu = Object.fromEntries(Object.entries(cpuAfter).map(([k, v]) => [k, v - (cpuBefore[k] ?? 0)]));
    await sleep(2000); // requests that follow Ready (the requeue, events) belong to the phase too
    return {
      seconds,
      createSeconds,
      cpu,
      latencyMs,
      requests: diffCounts(before, await apiRequests(relevant)),
    };
  } finally {
    await tracker.close();
  }
}

async function cpuOf(pids: Readonly<Record<string, number>>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [k, pid] of Object.entries(pids)) out[k] = await cpuSeconds(pid).catch(() => Number.NaN);
  return out;
}

/** Deletes every object of `type` in `namespace` and waits until they are gone. */
async function deleteEvery(type: ResourceType, namespace: string, timeoutMs = 600_000): Promise<void> {
  const items = await kube().listAll(type, namespace, { metadataOnly: true });
  for (const o of items)
    await kube()
      .delete(type, namespace, o.metadata.name ?? '')
      .catch(() => undefined);
  const deadline = Date.now() + timeoutMs;
  while (((await kube().list(type, namespace, { limit: 1, metadataOnly: true })).items ?? []).length > 0) {
    if (Date.now() > deadline) {
      for (const o of await kube().listAll(type, namespace, { metadataOnly: true }))
        await kube()
          .patch(type, namespace, o.metadata.name ?? '', { metadata: { finalizers: null } })
          .catch(() => undefined);
      return;
    }
    await sleep(500);
  }
}

/** Removes every JetStream stream of the private server (between runs). */
async function purgeStreams(url: string): Promise<number> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await nc.jetstreamManager();
    let n = 0;
    for await (const s of jsm.streams.list()) {
      await jsm.streams.delete(s.config.name);
      n++;
    }
    return n;
  } finally {
    await nc.close();
  }
}

function tawonStreams(namespace: string, count: number): KubeObject[] {
  return Array.from({ length: count }, (_, i) => ({
    metadata: { name: `s-${i}`, namespace },
    spec: { store: { name: 'mystreamstore' }, maxmsgs: 100000, maxage: '6h', maxbytes: '10M' },
  }));
}

function nackStreams(namespace: string, count: number): KubeObject[] {
  return Array.from({ length: count }, (_, i) => ({
    metadata: { name: `s-${i}`, namespace },
    spec: {
      name: `${namespace}_s-${i}`,
      subjects: [`nack.${namespace}.s-${i}`],
      storage: 'file',
      retention: 'limits',
      discard: 'old',
      replicas: 1,
      maxMsgs: 100000,
      maxAge: '6h',
      maxBytes: 10000000,
    },
  }));
}

export const JETSTREAM_ORDER = [
  'sluice_s',
  'nack_s',
  'speedup',
  'cpu_ratio',
  'sluice_cpu_per_1000_s',
  'nack_cpu_per_1000_s',
  'converge_per_s',
] as const;

const TARGETS: readonly Target[] = [
  {
    name: 'Sluice ≥ 3× faster than NACK',
    check: (m) => (m.speedup ?? 0) >= 3,
    show: (m) => `${m.speedup ?? '?'}× (${m.sluice_s ?? '?'} s vs ${m.nack_s ?? '?'} s)`,
  },
  {
    name: 'operator CPU per converged object ≤ 1.0× NACK (worker + dispatcher)',
    check: (m) => (m.cpu_ratio ?? Infinity) <= 1,
    show: (m) =>
      `${m.cpu_ratio ?? '?'}× (${m.sluice_cpu_per_1000_s ?? '?'} s vs ${m.nack_cpu_per_1000_s ?? '?'} s per 1,000 objects)`,
  },
  {
    name: 'converge rate ≥ 0.7× (API server write ceiling ÷ 2), same run',
    check: (m) => (m.ceiling_half_fraction ?? 0) >= 0.7,
    show: (m) =>
      `${m.ceiling_half_fraction ?? '?'}× (${m.converge_per_s ?? '?'}/s of ${m.ceiling_writes_per_s ?? '?'} ÷ 2 writes/s)`,
  },
  {
    name: 'converge rate ≥ 0.7× the API server ceiling (same run)',
    check: (m) => (m.ceiling_fraction ?? 0) >= 0.7,
    show: (m) =>
      `${m.ceiling_fraction ?? '?'}× (${m.converge_per_s ?? '?'}/s of ${m.ceiling_writes_per_s ?? '?'} writes/s)`,
  },
];

export const jetstreamScenario: Scenario = {
  order: JETSTREAM_ORDER,
  defaultRuns: 3,
  async prepare(opts, say) {
    const count = opts.size ?? (opts.small ? 50 : 1000);
    await installCrds();
    const nack: Nack = await ensureNack(opts.nackSrc);
    say(`  NACK: ${nack.binary}`);
    const addedCrds = await installNackCrds(nack);
    let nats: PrivateServer | undefined;
    let redis: PrivateRedis | undefined;
    let probe: Awaited<ReturnType<typeof ceilingProbe>> | undefined;
    const profiles: Record<string, unknown>[] = [];
    const concurrencyArgs = opts.workerConcurrency ? ['--concurrency', String(opts.workerConcurrency)] : [];
    try {
      nats = await startPrivateNats();
      redis = await startPrivateRedis();
      probe = await ceilingProbe();
    } catch (err) {
      await nats?.stop();
      await redis?.stop();
      throw err;
    }
    const natsUrl = nats.url;
    const redisUrl = redis.url;
    const probeNs = probe.namespace;

    async function sluicePhase(index: number): Promise<Phase> {
      const namespace = await createNamespace('js-sluice');
      try {
        await applyExample('streamstore', namespace);
        const prefix = `bench-js-${index}`;
        const env = {
          redisUrl,
          prefix,
          namespace,
          ...nodeOf(opts),
          extra: {
            SLUICE_WATCH_NAMESPACE: namespace,
            SLUICE_ENDPOINT_OVERRIDES: `mystreamstore.${namespace}.svc:4222=${natsUrl.replace('nats://', '')}`,
          },
        };
        const port = await freePort();
        const dispatcher = startCliDispatcher(env, {
          port,
          nodeArgs: cpuProfileArgs(opts.cpuProfDir, 'dispatcher'),
        });
        await dispatcherSettled(port);
        const worker = await startCliWorker(
          env,
          TawonStreamKind,
          concurrencyArgs,
          cpuProfileArgs(opts.cpuProfDir, 'worker'),
        );
        try {
          const wait0 = await histogram(worker.port, 'sluice_queue_wait_seconds');
          const run0 = await histogram(worker.port, 'sluice_reconcile_duration_seconds');
          const phase = await timedPhase(
            TawonStreamKind,
            namespace,
            tawonStreams(namespace, count),
            { dispatcher: dispatcher.pid, worker: worker.pid },
            say,
          );
          const wait1 = await histogram(worker.port, 'sluice_queue_wait_seconds');
          const run1 = await histogram(worker.port, 'sluice_reconcile_duration_seconds');
          return {
            ...phase,
            worker: {
              queue_wait_ms: (1000 * (wait1.sum - wait0.sum)) / Math.max(1, wait1.count - wait0.count),
              reconcile_ms: (1000 * (run1.sum - run0.sum)) / Math.max(1, run1.count - run0.count),
              reconciles_per_object: (run1.count - run0.count) / count,
            },
          };
        } finally {
          await deleteEvery(TawonStreamKind, namespace);
          await dispatcher.stop();
          await worker.stop();
        }
      } finally {
        await deleteNamespace(namespace);
      }
    }

    async function nackPhase(): Promise<Phase> {
      const namespace = await createNamespace('js-nack');
      const controller = startNack(nack, natsUrl, namespace);
      try {
        await sleep(3000); // connected and caches synced (it lists an empty namespace)
        return await timedPhase(
          NackStreamKind,
          namespace,
          nackStreams(namespace, count),
          { nack: controller.pid },
          say,
        );
      } finally {
        await deleteEvery(NackStreamKind, namespace);
        await controller.stop();
        await deleteNamespace(namespace);
      }
    }

    return {
      async run(index: number): Promise<Figures> {
        const first = index % 2 === 0 ? 'sluice' : 'nack';
        let sluice: Phase | undefined;
        let nackPhaseResult: Phase | undefined;
        for (const side of first === 'sluice' ? ['sluice', 'nack'] : ['nack', 'sluice']) {
          if (side === 'sluice') sluice = await sluicePhase(index);
          else nackPhaseResult = await nackPhase();
          const left = await purgeStreams(natsUrl);
          say(
            `  ${side}: ${side === 'sluice' ? sluice?.seconds : nackPhaseResult?.seconds} s (${left} JetStream streams left and purged)`,
          );
        }
        const ceiling = await statusWriteRate(probeNs, 32, 5);
        if (!sluice || !nackPhaseResult) throw new Error('a phase did not run');
        profiles.push({
          sluice_worker: sluice.worker,
          sluice_api_latency_ms: sluice.latencyMs,
          nack_api_latency_ms: nackPhaseResult.latencyMs,
          sluice_requests_per_object: perObject(sluice.requests, count),
          nack_requests_per_object: perObject(nackPhaseResult.requests, count),
        });
        const converge = count / sluice.seconds;
        const sluiceCpu = (sluice.cpu.worker ?? Number.NaN) + (sluice.cpu.dispatcher ?? Number.NaN);
        const nackCpu = nackPhaseResult.cpu.nack ?? Number.NaN;
        return {
          sluice_s: sluice.seconds,
          nack_s: nackPhaseResult.seconds,
          speedup: nackPhaseResult.seconds / sluice.seconds,
          converge_per_s: converge,
          nack_converge_per_s: count / nackPhaseResult.seconds,
          ceiling_writes_per_s: ceiling,
          cpu_ratio: sluiceCpu / nackCpu,
          sluice_cpu_per_1000_s: (1000 * sluiceCpu) / count,
          nack_cpu_per_1000_s: (1000 * nackCpu) / count,
          ceiling_fraction: converge / ceiling,
          ceiling_half_fraction: converge / (ceiling / 2),
          sluice_create_s: sluice.createSeconds,
          sluice_queue_wait_ms: sluice.worker?.queue_wait_ms ?? Number.NaN,
          sluice_reconcile_ms: sluice.worker?.reconcile_ms ?? Number.NaN,
          sluice_worker_cpu_s: sluice.cpu.worker ?? Number.NaN,
          sluice_dispatcher_cpu_s: sluice.cpu.dispatcher ?? Number.NaN,
          nack_cpu_s: nackPhaseResult.cpu.nack ?? Number.NaN,
          nack_create_s: nackPhaseResult.createSeconds,
          sluice_writes_per_object: writesOf(sluice.requests) / count,
          nack_writes_per_object: writesOf(nackPhaseResult.requests) / count,
          sluice_requests_per_object: requestsOf(sluice.requests) / count,
          nack_requests_per_object: requestsOf(nackPhaseResult.requests) / count,
          sluice_reconciles_per_object: sluice.worker?.reconciles_per_object ?? Number.NaN,
        };
      },
      async cleanup() {
        await probe?.cleanup();
        await nats?.stop();
        await redis?.stop();
        if (addedCrds) await removeNackCrds(nack);
      },
      targets: TARGETS,
      notes: [
        `${count} objects per side, created 16 at a time; timed from the first create to the last Ready=True seen on a watch.`,
        `Sluice: \`sluice dispatcher\` with SLUICE_WATCH_NAMESPACE set to the scenario namespace + one \`sluice worker\` process for Tawon Streams, concurrency ${opts.workerConcurrency ?? DEFAULT_CONCURRENCY} (the default is ${DEFAULT_CONCURRENCY}), 500 reconciles/s.`,
        `NACK ${'v0.22.4'} (cmd/jetstream-controller) with default settings and --namespace; its own Stream CRD from deploy/crds.yml.`,
        `Both on a private Debian nats-server (2.9.10) and the shared API server; the sides run one after the other, alternating which goes first.`,
        'Each stream: one subject, limits retention, file storage, 100,000 messages, 6 h, 10 MB (JetStream reserves every stream\'s byte limit on disk: 1,000 streams of the seed\'s 1 GB would need 1 TB and are refused with "insufficient storage resources").',
        'ceiling_writes_per_s is probed in the same run (32 lanes, 5 s); requests per object are deltas of apiserver_request_total for the kinds involved, BrokerClaims and Events (other tests on the shared server may add a little); details.profiles has them per verb and resource.',
        'cpu_ratio is (worker + dispatcher CPU seconds) ÷ NACK CPU seconds of the same run, from /proc between the first create and the last Ready; *_cpu_per_1000_s is the same per 1,000 converged objects. ceiling_half_fraction is the converge rate ÷ (ceiling ÷ 2): every object costs at least its create and one status write.',
      ],
      details: () => ({
        objects: count,
        worker_concurrency: opts.workerConcurrency ?? DEFAULT_CONCURRENCY,
        profiles,
      }),
    };
  },
};
