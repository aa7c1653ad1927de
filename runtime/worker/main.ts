/**
 * @module runtime/worker/main
 * Starting the worker host: builds the runtime's clients once (kube, events, metrics), loads the
 * handlers of the chosen kinds, resolves what each function declared it needs from the caller's
 * tsyringe container, and runs a {@link WorkerHost}. `sluice worker` and `sluice dev` call
 * {@link startWorkers}.
 *
 * The runtime's own parts are constructed plainly: they are fixed and few, and a reader sees
 * their wiring here. tsyringe holds what varies with the functions a process runs: their needs,
 * provided by the composition root under typed tokens (see `controller/tokens.ts`).
 */
import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { Queue } from 'bullmq';
import type { FunctionDeclaration } from '../controller/declaration.js';
import { provide, resolveNeeds } from '../controller/tokens.js';
import type { SluiceConfig } from '../config.js';
import { messageOf } from '../errors.js';
import { kubeClientFrom } from '../kube/connect.js';
import { KubeEventRecorder } from '../kube/events.js';
import { ensureOperatorNamespace } from '../kube/namespace.js';
import { createLogger, type Logger } from '../log.js';
import { SLUICE_METRICS, SluiceMetrics } from '../metrics.js';
import { checkRedis } from '../redis/check.js';
import { createRedis, pingRedis } from '../redis/connection.js';
import { applyQueueSettings } from '../queue/settings.js';
import { DEFAULT_CONCURRENCY } from './defaults.js';
import { startProbeServer } from './probe-server.js';
import { WorkerHost, chooseFunctions } from './worker-host.js';

export { DEFAULT_CONCURRENCY };

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
  /** Where the functions' needs are provided. @defaultValue the global tsyringe container */
  readonly container?: DependencyContainer;
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

/**
 * Starts workers for the chosen kinds of `functions`.
 * @throws ConfigError for an unknown kind, a need no provider meets, or a missing operator namespace.
 */
export async function startWorkers(
  config: SluiceConfig,
  functions: readonly FunctionDeclaration[],
  opts: WorkerProcessOptions,
): Promise<RunningWorkers> {
  const log = opts.log ?? createLogger({ level: config.logLevel, base: { component: 'worker' } });
  const metrics = opts.metrics ?? new SluiceMetrics().withProcessMetrics();
  // A wrong Redis topology stops here with a message, instead of a client that retries forever.
  for (const warning of (await checkRedis(config.redis)).warnings) log.warn(warning);
  const kube = kubeClientFrom(config);
  const events = new KubeEventRecorder(kube, {
    component: 'sluice-worker',
    background: true,
    onError: (err) => log.warn({ err: messageOf(err) }, 'could not record an Event'),
  });
  let host: WorkerHost;
  try {
    await ensureOperatorNamespace(kube, config.namespace, {
      create: opts.operatorNamespace === 'create',
      log,
    });
    const chosen = chooseFunctions(functions, opts.kinds);
    // The functions' needs come from the caller's container; the process metrics from here.
    const c = (opts.container ?? rootContainer).createChildContainer();
    provide(c, SLUICE_METRICS, metrics);
    const loaded = await Promise.all(
      chosen.map(async (decl) => ({
        fn: await decl.load(),
        needs: resolveNeeds(c, decl.needs, `the ${decl.kind.kind} function`),
      })),
    );
    host = new WorkerHost(
      loaded,
      { kube, metrics, log, events },
      {
        redis: config.redis,
        prefix: config.queuePrefix,
        concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY,
        lockDurationMs: config.lockMs,
        operatorNamespace: config.namespace,
        history: config.history,
        ...(config.watchNamespace ? { watchNamespace: config.watchNamespace } : {}),
        ...(config.identity ? { identity: config.identity } : {}),
      },
    );
  } catch (err) {
    kube.rest.close();
    throw err;
  }
  const settings = createRedis(config.redis, 'queue');
  settings.on('error', () => undefined);
  try {
    for (const kind of host.kinds) {
      const queue = new Queue(kind.queue, { connection: settings, prefix: config.queuePrefix });
      await applyQueueSettings(queue, config.rateLimitPerSecond);
      await queue.close();
    }
  } finally {
    settings.disconnect();
  }
  host.start();
  const probes =
    opts.httpPort === undefined
      ? undefined
      : await startProbeServer(
          {
            metrics,
            ready: async () => {
              const redis = await pingRedis(config.redis);
              return { ready: redis && host.running, redis, running: host.running };
            },
          },
          opts.httpPort,
        );
  log.info(
    {
      kinds: host.kinds.map((k) => k.kind),
      concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY,
      ...(probes ? { port: probes.port } : {}),
    },
    'workers started',
  );
  return {
    host,
    metrics,
    httpPort: probes?.port,
    async stop() {
      await probes?.close();
      await host.close();
      await events.flush();
      kube.rest.close();
    },
  };
}
