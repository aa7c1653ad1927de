/**
 * @module dispatcher/main
 * The dispatcher's composition root: builds the clients once, wires them with tsyringe, starts
 * the dispatcher (leader election, shared watches, resync) and its HTTP server. `sluice dispatcher`
 * and `sluice dev` call {@link startDispatcher}.
 */
import 'reflect-metadata';
import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import { container } from 'tsyringe';
import { type SluiceConfig } from '../shared/config.js';
import { messageOf } from '../shared/errors.js';
import { type KubeClient } from '../shared/kube/client.js';
import { kubeClientFrom } from '../shared/kube/connect.js';
import { ensureOperatorNamespace } from '../shared/kube/namespace.js';
import { createLogger, type Logger } from '../shared/log.js';
import { SluiceMetrics } from '../shared/metrics.js';
import { Enqueuer } from '../shared/queue/enqueue.js';
import { QueueSet } from '../shared/queue/queues.js';
import { applyQueueSettings } from '../shared/queue/settings.js';
import { KindRegistry } from '../shared/registry.js';
import { type WatchRegistration } from '../shared/runtime/registration.js';
import { controllerFor, type ControllerSpec } from './controller.js';
import { Dispatcher } from './dispatcher.js';
import { Authenticator } from './http/auth.js';
import { buildHttpApp } from './http/app.js';

export interface DispatcherProcessOptions {
  /** @defaultValue 8080 */
  readonly httpPort?: number;
  /** @defaultValue `0.0.0.0` */
  readonly httpHost?: string;
  /** Campaign for a Lease before watching (several replicas). @defaultValue true */
  readonly leaderElection?: boolean;
  /** Extra controllers built with the builder, beside the registered functions'. */
  readonly controllers?: readonly ControllerSpec[];
  /**
   * What to do when the operator namespace (`SLUICE_NAMESPACE`) is missing: refuse to start with
   * a message naming the variable, or create it (`sluice dev`). @defaultValue `require`
   */
  readonly operatorNamespace?: 'require' | 'create';
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
  functions: readonly WatchRegistration[],
  opts: DispatcherProcessOptions = {},
): Promise<RunningDispatcher> {
  const c = container.createChildContainer();
  c.register('config', { useValue: config });
  c.register('log', {
    useValue: opts.log ?? createLogger({ level: config.logLevel, base: { component: 'dispatcher' } }),
  });
  c.register('metrics', { useValue: opts.metrics ?? new SluiceMetrics().withProcessMetrics() });
  c.register('registry', { useValue: new KindRegistry(functions.map((f) => f.kind)) });
  c.register('kube', { useFactory: (r) => kubeClientFrom(r.resolve<SluiceConfig>('config')) });
  c.register('queues', { useValue: new QueueSet({ redisUrl: config.redisUrl, prefix: config.queuePrefix }) });
  c.register('enqueuer', {
    useFactory: (r) =>
      new Enqueuer(
        r.resolve<QueueSet>('queues'),
        r.resolve<KindRegistry>('registry'),
        r.resolve<SluiceMetrics>('metrics'),
      ),
  });

  const log = c.resolve<Logger>('log');
  const kube = c.resolve<KubeClient>('kube');
  const queues = c.resolve<QueueSet>('queues');
  try {
    await ensureOperatorNamespace(kube, config.namespace, {
      create: opts.operatorNamespace === 'create',
      log,
    });
  } catch (err) {
    await queues.close();
    kube.rest.close();
    throw err;
  }
  const registry = c.resolve<KindRegistry>('registry');
  const metrics = c.resolve<SluiceMetrics>('metrics');
  const enqueuer = c.resolve<Enqueuer>('enqueuer');
  const specs = [...functions.map(controllerFor), ...(opts.controllers ?? [])];
  const identity = config.identity ?? `${os.hostname()}-${process.pid}`;

  const dispatcher = new Dispatcher({ kube, enqueuer, redis: queues.connection, metrics, log }, specs, {
    resyncSeconds: config.resyncSeconds,
    prefix: config.queuePrefix,
    ...(config.watchNamespace ? { namespace: config.watchNamespace } : {}),
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
  // The watches start before the HTTP app is built: a restarted leader sees changes sooner.
  dispatcher.start();
  let app: FastifyInstance;
  try {
    app = await buildHttpApp({
      ...(config.watchNamespace ? { watchNamespace: config.watchNamespace } : {}),
      registry,
      enqueuer,
      kube,
      auth,
      metrics,
      queues: registry.all().map((k) => queues.get(k)),
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
