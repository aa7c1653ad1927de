/**
 * @module test/chaos/support/cs-worker
 * A worker process for ClusterStreams, as `sluice worker` runs one (real Kafka and NATS clients,
 * Events on the API server, JSON logs at debug level on stdout), instrumented for chaos tests:
 * - every reconcile and finalize logs `begin` and `end` markers (the overlap check);
 * - every topic creation logs a `createTopic` marker with Kafka's answer (the side-effect count);
 * - `hangAfterCreate`: after a topic is created, the reconcile never returns (it is killed there);
 * - `stallStatusMs`: the first status write waits this long after a `statusWrite` marker (the test
 *   pauses the process there), then logs `statusConflict` if the API server refused it as stale;
 * - `barrier`: the first reconcile of each object waits until `count` first reconciles, in every
 *   process sharing the Redis key, have begun (at most 30 s), so that they all run at once.
 * Usage: `node cs-worker.js '<json options>'`; logs a `ready` marker, drains on SIGTERM.
 */
import { LightKubeConfig } from '../../../runtime/kube/kubeconfig.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { clusterStreamFunction, clusterStreamFunctionWith } from '../../../functions/cluster-stream/index.js';
import { KindWorker } from '../../../runtime/worker/kind-worker.js';
import {
  KubeApiError,
  KubeClient,
  KubeEventRecorder,
  KubeRest,
  SluiceMetrics,
  createLogger,
  jobKey,
  refOf,
  type BackoffPolicy,
  type KubeObject,
  type Logger,
  type ResourceType,
  type SluiceFunction,
} from '../../../runtime/index.js';
import { createBrokerClients, loadOperatorSettings, type BrokerClients } from '../../../shared/index.js';

/** What the test passes on the command line. */
export interface CsWorkerOptions {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly kubeconfig: string;
  /** The operator's namespace: where binding Secrets are read and written. */
  readonly operatorNamespace: string;
  readonly kafkaBrokers: readonly string[];
  readonly natsUrl: string;
  readonly concurrency?: number;
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly brokerGoneAfterMs?: number;
  readonly hangAfterCreate?: boolean;
  readonly stallStatusMs?: number;
  readonly barrier?: { readonly key: string; readonly count: number };
}

const opts = JSON.parse(process.argv[2] ?? '{}') as CsWorkerOptions;
const log = createLogger({ level: 'debug', base: { component: 'worker' } });

/** A client whose first status write can be held up, to open a window for a racing writer. */
class StallingKube extends KubeClient {
  private stalled = false;

  override async writeStatus<K extends KubeObject>(type: ResourceType, obj: K, status: unknown): Promise<K> {
    const stall = opts.stallStatusMs !== undefined && !this.stalled;
    if (stall) {
      this.stalled = true;
      log.info({ chaos: 'statusWrite', name: obj.metadata.name, generation: obj.metadata.generation });
      await sleep(opts.stallStatusMs);
    }
    try {
      return await super.writeStatus(type, obj, status);
    } catch (err) {
      if (stall && err instanceof KubeApiError && err.isConflict)
        log.info({ chaos: 'statusConflict', name: obj.metadata.name });
      throw err;
    }
  }
}

function instrumentedBrokers(real: BrokerClients, logger: Logger): BrokerClients {
  return {
    ...real,
    kafka(brokers, credentials) {
      const admin = real.kafka(brokers, credentials);
      return {
        ...admin,
        async createTopic(spec) {
          const answer = await admin.createTopic(spec);
          logger.info({ chaos: 'createTopic', topic: spec.name, answer });
          if (answer === 'created' && opts.hangAfterCreate) {
            logger.info({ chaos: 'hanging', topic: spec.name });
            await new Promise<never>(() => undefined);
          }
          return answer;
        },
      };
    },
  };
}

const barrierRedis = opts.barrier ? new Redis(opts.redisUrl) : undefined;
const firstSeen = new Set<string>();

/** Waits at the barrier on an object's first reconcile in this process (see the module documentation). */
async function barrier(key: string, logger: Logger): Promise<void> {
  if (!opts.barrier || !barrierRedis || firstSeen.has(key)) return;
  firstSeen.add(key);
  await barrierRedis.incr(opts.barrier.key);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && Number(await barrierRedis.get(opts.barrier.key)) < opts.barrier.count)
    await sleep(20);
  logger.info({ chaos: 'released', key });
}

function instrumented(fn: SluiceFunction, logger: Logger): SluiceFunction {
  const around =
    (step: 'reconcile' | 'finalize', run: NonNullable<SluiceFunction['finalize']>) =>
    async (obj: KubeObject, ctx: Parameters<SluiceFunction['reconcile']>[1]) => {
      const key = jobKey(refOf(fn.kind, obj));
      logger.info({ chaos: 'begin', key, step, generation: obj.metadata.generation });
      if (step === 'reconcile') await barrier(key, logger);
      try {
        return await run(obj, ctx);
      } finally {
        logger.info({ chaos: 'end', key, step });
      }
    };
  const finalize = fn.finalize;
  return {
    ...fn,
    reconcile: around('reconcile', (o, c) => fn.reconcile(o, c)),
    finalize: finalize ? around('finalize', finalize) : undefined,
  };
}

// The operator's own light loader: a child process starts without loading @kubernetes/client-node.
const kc = LightKubeConfig.fromFile(opts.kubeconfig);
const kube = new StallingKube(new KubeRest(kc));
const variables = {
  SLUICE_REDIS_URL: opts.redisUrl,
  SLUICE_QUEUE_PREFIX: opts.prefix,
  SLUICE_NAMESPACE: opts.operatorNamespace,
  SLUICE_KAFKA_BROKERS: opts.kafkaBrokers.join(','),
  SLUICE_NATS_URL: opts.natsUrl,
  SLUICE_LOG_LEVEL: 'debug',
};
const pool = createBrokerClients({ logger: log, idleMs: 30_000 });
const fn =
  opts.brokerGoneAfterMs === undefined
    ? clusterStreamFunction
    : clusterStreamFunctionWith({ brokerGoneAfterMs: opts.brokerGoneAfterMs });
const metrics = new SluiceMetrics();
const worker = new KindWorker(
  instrumented(await fn.load(), log),
  {
    kube,
    needs: { brokers: instrumentedBrokers(pool, log), config: loadOperatorSettings(variables), metrics },
    metrics,
    log,
    events: new KubeEventRecorder(kube, { component: 'sluice-worker' }),
  },
  {
    redis: opts.redisUrl,
    prefix: opts.prefix,
    concurrency: opts.concurrency ?? 10,
    ...(opts.lockDurationMs ? { lockDurationMs: opts.lockDurationMs } : {}),
    ...(opts.stalledIntervalMs ? { stalledIntervalMs: opts.stalledIntervalMs } : {}),
    ...(opts.backoff ? { backoff: opts.backoff } : {}),
  },
);
worker.start();
log.info({ chaos: 'ready' });
// Orphaned (the test process died without stopping it): exit rather than linger.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(1);
}, 1000).unref();
process.on('SIGTERM', () => {
  void worker.close().then(async () => {
    await pool.close();
    barrierRedis?.disconnect();
    kube.rest.close();
    process.exit(0);
  });
});
