/**
 * @module runtime/dispatcher/main
 * Starting the dispatcher process: builds the clients once, starts the dispatcher (leader election, shared watches, resync) and its HTTP server. `sluice dispatcher`
 * and `sluice dev` call {@link startDispatcher}.
 */
import 'reflect-metadata';
import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import { type SluiceConfig } from '../config.js';
import { messageOf } from '../errors.js';
import { delay } from '../util.js';
import { kubeClientFrom } from '../kube/connect.js';
import { ensureOperatorNamespace } from '../kube/namespace.js';
import { createLogger, type Logger } from '../log.js';
import { SluiceMetrics } from '../metrics.js';
import { Enqueuer } from '../queue/enqueue.js';
import { FairShare } from '../queue/fairness.js';
import { QueueSet } from '../queue/queues.js';
import { checkRedis } from '../redis/check.js';
import { applyQueueSettings } from '../queue/settings.js';
import { KindRegistry } from '../registry.js';
import type { FunctionDeclaration } from '../controller/declaration.js';
import { Dispatcher, type DispatchScope } from './dispatcher.js';
import { Authenticator } from './http/auth.js';

/**
 * The longest the HTTP server waits for the dispatcher's start (election, watches open, first
 * enqueue) before loading: a watch that cannot open must not keep the probes down.
 */
export const START_WAIT_MS = 1_000;

export interface DispatcherProcessOptions {
  /** @defaultValue 8080 */
  readonly httpPort?: number;
  /** @defaultValue `0.0.0.0` */
  readonly httpHost?: string;
  /** Campaign for a Lease before watching (several replicas). @defaultValue true */
  readonly leaderElection?: boolean;
  /**
   * What to do when the operator namespace (`SLUICE_NAMESPACE`) is missing: refuse to start with
   * a message naming the variable, or create it (`sluice dev`). @defaultValue `require`
   */
  readonly operatorNamespace?: 'require' | 'create';
  /** Limits the dispatcher to some objects (see {@link DispatchScope}). @defaultValue everything */
  readonly scope?: DispatchScope;
  readonly metrics?: SluiceMetrics;
  readonly log?: Logger;
}

export interface RunningDispatcher {
  readonly dispatcher: Dispatcher;
  readonly app: FastifyInstance;
  /** The port the HTTP server listens on. */
  readonly port: number;
  stop(): Promise<void>;
}

export async function startDispatcher(
  config: SluiceConfig,
  functions: readonly FunctionDeclaration[],
  opts: DispatcherProcessOptions = {},
): Promise<RunningDispatcher> {
  // Plain construction: the dispatcher's parts are fixed, and their wiring reads best here. (It
  // needs nothing the functions declare: it reads only their controllers.)
  const log = opts.log ?? createLogger({ level: config.logLevel, base: { component: 'dispatcher' } });
  const metrics = opts.metrics ?? new SluiceMetrics().withProcessMetrics();
  const registry = new KindRegistry(functions.map((f) => f.kind));
  const kube = kubeClientFrom(config);
  try {
    // Both checks at once (one waits on Redis, the other on the API server). A wrong Redis
    // topology stops here with a message, instead of a client that retries forever.
    const [redisCheck] = await Promise.all([
      checkRedis(config.redis),
      ensureOperatorNamespace(kube, config.namespace, { create: opts.operatorNamespace === 'create', log }),
    ]);
    for (const warning of redisCheck.warnings) log.warn(warning);
  } catch (err) {
    kube.rest.close();
    throw err;
  }
  const queues = new QueueSet({ redis: config.redis, prefix: config.queuePrefix });
  const fairness =
    config.fairness === 'namespace' ? new FairShare({ quantum: config.fairnessQuantum }) : undefined;
  const enqueuer = new Enqueuer(queues, registry, metrics, fairness ? { fairness } : {});
  const specs = functions.map((f) => f.controller(kube));
  const identity = config.identity ?? `${os.hostname()}-${process.pid}`;

  const dispatcher = new Dispatcher({ kube, enqueuer, redis: queues.connection, metrics, log }, specs, {
    resyncSeconds: config.resyncSeconds,
    maxWaitSeconds: config.queueMaxWaitSeconds,
    prefix: config.queuePrefix,
    redisMode: config.redis.mode,
    ...(config.watchNamespace ? { namespace: config.watchNamespace } : {}),
    ...(opts.scope ? { scope: opts.scope } : {}),
    onRedisDataLoss: async () => {
      for (const kind of registry.all())
        await applyQueueSettings(queues.get(kind), config.rateLimitPerSecond);
    },
    ...(opts.leaderElection === false
      ? {}
      : { leaderElection: { namespace: config.namespace, name: config.leaseName, identity } }),
  });
  const auth = new Authenticator(
    {
      token: config.apiToken,
      tokenFile: config.apiTokenFile,
      tokenReview: config.tokenReview ? kube : undefined,
    },
    log,
  );
  if (!auth.configured)
    log.warn(
      'no API token is configured (SLUICE_API_TOKEN): the HTTP API and the dashboard refuse every request',
    );
  // The HTTP app is loaded only once the start is over (a standby knows it is one; a leader's
  // watches are open and what they replayed is queued), at most START_WAIT_MS after it began:
  // importing fastify, its plugins and Bull Board takes 0.2–0.6 s of CPU on a loaded machine, and
  // done earlier it holds up the Lease's answer and the resumed watches by as much.
  dispatcher.start();
  await Promise.race([dispatcher.whenStarted(), delay(START_WAIT_MS)]);
  let app: FastifyInstance;
  try {
    const { buildHttpApp } = await import('./http/app.js');
    app = await buildHttpApp({
      ...(config.watchNamespace ? { watchNamespace: config.watchNamespace } : {}),
      registry,
      enqueuer,
      kube,
      auth,
      metrics,
      queues: registry.all().map((k) => queues.get(k)),
      redis: queues.connection,
      prefix: config.queuePrefix,
      log,
      dashboardWritable: config.dashboardWritable,
      readiness: async () => {
        const h = dispatcher.health();
        let redis = true;
        try {
          await queues.connection.ping();
        } catch {
          redis = false;
        }
        const watching = h.sources.every((s) => s.state === 'watching');
        return { ready: redis && (!h.leader || watching), redis, ...h };
      },
    });
    await app.listen({ port: opts.httpPort ?? 8080, host: opts.httpHost ?? '0.0.0.0' });
  } catch (err) {
    await dispatcher.stop();
    await queues.close();
    kube.rest.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.httpPort ?? 8080);
  log.info({ port, identity, kinds: registry.all().map((k) => k.kind) }, 'dispatcher started');
  return {
    dispatcher,
    app,
    port,
    async stop() {
      await app.close().catch((err: unknown) => log.warn({ err: messageOf(err) }, 'http close failed'));
      await dispatcher.stop();
      await queues.close();
      kube.rest.close();
    },
  };
}
