/**
 * @module functions/main
 * The worker host's composition root: builds the shared clients once, wires them with tsyringe,
 * and runs a {@link WorkerHost} for the chosen kinds. `sluice worker` and `sluice dev` call
 * {@link startWorkers}.
 */
import 'reflect-metadata';
import { container } from 'tsyringe';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import {
  KubeEventRecorder,
  SluiceMetrics,
  applyQueueSettings,
  createBrokerClients,
  createLogger,
  ensureOperatorNamespace,
  kubeClientFrom,
  messageOf,
  redisOptions,
  type BrokerClients,
  type EventRecorder,
  type KubeClient,
  type Logger,
  type SluiceConfig,
  type SluiceFunction,
} from '../shared/index.js';
import { DEFAULT_CONCURRENCY } from './host/defaults.js';
import type { KindWorkerDeps } from './host/kind-worker.js';
import { startProbeServer } from './host/probe-server.js';
import { WorkerHost } from './host/worker-host.js';

export { DEFAULT_CONCURRENCY };

/** Whether Redis answers a PING within two seconds. */
async function pingRedis(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export interface WorkerProcessOptions {
  /** Kinds to serve (kind, plural, or plural.group); empty for all. */
  readonly kinds: readonly string[];
  /** Reconciles at once per kind in this process. @defaultValue {@link DEFAULT_CONCURRENCY} */
  readonly concurrency?: number;
  /** Serve /healthz, /readyz and /metrics on this port (0: a free port); none when left out. */
  readonly httpPort?: number;
  /**
   * What to do when the operator namespace (`SLUICE_NAMESPACE`) is missing: refuse to start with
   * a message naming the variable, or create it (`sluice dev`). @defaultValue `require`
   */
  readonly operatorNamespace?: 'require' | 'create';
  /** Shared with other components of the same process (`sluice dev`). */
  readonly metrics?: SluiceMetrics;
  readonly log?: Logger;
}

export interface RunningWorkers {
  readonly host: WorkerHost;
  readonly metrics: SluiceMetrics;
  /** The port of the probe server, when one was asked for. */
  readonly httpPort: number | undefined;
  /** Drains in-flight reconciles, then closes every connection. */
  stop(): Promise<void>;
}

export async function startWorkers(
  config: SluiceConfig,
  functions: readonly SluiceFunction[],
  opts: WorkerProcessOptions,
): Promise<RunningWorkers> {
  const c = container.createChildContainer();
  c.register('config', { useValue: config });
  c.register('log', {
    useValue: opts.log ?? createLogger({ level: config.logLevel, base: { component: 'worker' } }),
  });
  c.register('metrics', { useValue: opts.metrics ?? new SluiceMetrics().withProcessMetrics() });
  c.register('kube', { useFactory: (r) => kubeClientFrom(r.resolve<SluiceConfig>('config')) });
  c.register('brokers', {
    useFactory: (r) =>
      createBrokerClients({ endpointOverrides: config.endpointOverrides, logger: r.resolve<Logger>('log') }),
  });
  c.register('events', {
    useFactory: (r) =>
      new KubeEventRecorder(r.resolve<KubeClient>('kube'), {
        component: 'sluice-worker',
        background: true,
        onError: (err) => r.resolve<Logger>('log').warn({ err: messageOf(err) }, 'could not record an Event'),
      }),
  });

  const deps: KindWorkerDeps = {
    kube: c.resolve<KubeClient>('kube'),
    brokers: c.resolve<BrokerClients>('brokers'),
    config,
    metrics: c.resolve<SluiceMetrics>('metrics'),
    log: c.resolve<Logger>('log'),
    events: c.resolve<EventRecorder>('events'),
  };
  try {
    await ensureOperatorNamespace(deps.kube, config.namespace, {
      create: opts.operatorNamespace === 'create',
      log: deps.log,
    });
  } catch (err) {
    await deps.brokers.close();
    deps.kube.rest.close();
    throw err;
  }
  const host = new WorkerHost(functions, opts.kinds, deps, {
    redisUrl: config.redisUrl,
    prefix: config.queuePrefix,
    concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY,
    lockDurationMs: config.lockMs,
  });
  for (const kind of host.kinds) {
    const queue = new Queue(kind.queue, {
      connection: { url: config.redisUrl, ...redisOptions() },
      prefix: config.queuePrefix,
    });
    await applyQueueSettings(queue, config.rateLimitPerSecond);
    await queue.close();
  }
  host.start();
  const probes =
    opts.httpPort === undefined
      ? undefined
      : await startProbeServer(
          {
            metrics: deps.metrics,
            ready: async () => {
              const redis = await pingRedis(config.redisUrl);
              return { ready: redis && host.running, redis, running: host.running };
            },
          },
          opts.httpPort,
        );
  deps.log.info(
    { kinds: host.kinds.map((k) => k.kind), concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY },
    'workers started',
  );
  return {
    host,
    metrics: deps.metrics,
    httpPort: probes?.port,
    async stop() {
      await probes?.close();
      await host.close();
      await deps.events.flush();
      await deps.brokers.close();
      deps.kube.rest.close();
    },
  };
}
