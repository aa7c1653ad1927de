/**
 * @module runtime/dispatcher/http/app
 * The dispatcher's HTTP server (fastify): the enqueue API, the dashboard, and the probes and
 * metrics. `/healthz`, `/readyz` and `/metrics` are open (they reveal no secret and probes and
 * Prometheus must reach them); everything under `/api/` and `/dashboard` needs a valid token,
 * except the dashboard's static assets and its login page.
 */
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { Queue } from 'bullmq';
import type { RedisClient } from '../../redis/connection.js';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { KubeClient } from '../../kube/client.js';
import type { Logger } from '../../log.js';
import type { SluiceMetrics } from '../../metrics.js';
import type { Enqueuer } from '../../queue/enqueue.js';
import type { KindRegistry } from '../../registry.js';
import { bearer, type Authenticator, type Principal } from './auth.js';
import { DASHBOARD_PATH, TOKEN_COOKIE, registerDashboard } from './dashboard.js';
import { registerEnqueueRoutes } from './enqueue-routes.js';
import { registerHistoryRoutes } from './history-routes.js';
import { registerObjectPage } from './object-page.js';
import { HttpError, handleError } from './errors.js';
import { registerWorkRoutes } from './work-routes.js';

export interface Readiness {
  readonly ready: boolean;
  readonly [detail: string]: unknown;
}

export interface HttpAppDeps {
  /** The one namespace this Sluice serves, when it is limited to one. */
  readonly watchNamespace?: string;
  readonly registry: KindRegistry;
  readonly enqueuer: Enqueuer;
  readonly kube: KubeClient;
  readonly auth: Authenticator;
  readonly metrics: SluiceMetrics;
  /** Every kind's queue, for the dashboard and the queue-depth metric. */
  readonly queues: readonly Queue[];
  /** The queues' Redis connection, where the reconcile history is read. */
  readonly redis: RedisClient;
  /** The BullMQ key prefix. @defaultValue `sluice` */
  readonly prefix?: string;
  readonly readiness: () => Promise<Readiness>;
  readonly log: Logger;
  /** @defaultValue false */
  readonly dashboardWritable?: boolean;
  /** Largest accepted request body. @defaultValue 16 KiB */
  readonly bodyLimit?: number;
}

function isPublic(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  // A dot segment (plain or percent-encoded) could climb out of a public prefix.
  if (/(^|\/)(\.|%2e){1,2}(\/|$)/i.test(path)) return false;
  return (
    path === '/healthz' ||
    path === '/readyz' ||
    path === '/metrics' ||
    path === `${DASHBOARD_PATH}/login` ||
    path.startsWith(`${DASHBOARD_PATH}/static/`)
  );
}

async function queueDepths(deps: HttpAppDeps): Promise<void> {
  await Promise.all(
    deps.queues.map(async (q) => {
      const kind = deps.registry.byQueue(q.name)?.kind ?? q.name;
      const counts = await q.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
      for (const [state, n] of Object.entries(counts)) deps.metrics.queueDepth.set({ kind, state }, n);
    }),
  );
}

export async function buildHttpApp(deps: HttpAppDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: deps.bodyLimit ?? 16 * 1024 });
  const log = deps.log.child({ component: 'http' });
  app.setErrorHandler((err, req, reply) =>
    handleError(err instanceof Error ? err : new Error(String(err)), req, reply, log),
  );
  app.setNotFoundHandler((req, reply) =>
    reply
      .status(404)
      .send({ error: 'NotFound', message: `no route for ${req.method} ${req.url.split('?')[0] ?? ''}` }),
  );
  await app.register(cookie);
  await app.register(formbody);
  // JSON only (plain text gets 415), and an empty JSON body is allowed (the path forms need none).
  app.removeContentTypeParser(['text/plain', 'application/json']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text) as unknown);
    } catch {
      done(new HttpError(400, 'BadRequest', 'the body is not valid JSON'), undefined);
    }
  });

  // Who made each authenticated request: recorded as who asked for the reconciles it queues.
  const principals = new WeakMap<FastifyRequest, Principal>();
  const authorized = async (req: FastifyRequest): Promise<boolean> => {
    const token =
      bearer(req.headers.authorization) ??
      (req.url.startsWith(DASHBOARD_PATH) ? req.cookies[TOKEN_COOKIE] : undefined);
    const principal = await deps.auth.authenticate(token);
    if (principal) principals.set(req, principal);
    return principal !== undefined;
  };
  const principal = (req: FastifyRequest): string | undefined => principals.get(req)?.name;
  app.addHook('onRequest', async (req, reply) => {
    if (isPublic(req.url) || (await authorized(req))) return;
    const wantsPage =
      req.url.startsWith(DASHBOARD_PATH) &&
      req.method === 'GET' &&
      (req.headers.accept ?? '').includes('text/html');
    if (wantsPage) return reply.redirect(`${DASHBOARD_PATH}/login`, 303);
    return reply
      .status(401)
      .header('WWW-Authenticate', 'Bearer realm="sluice"')
      .send({
        error: 'Unauthorized',
        message: deps.auth.configured
          ? 'a valid bearer token is required'
          : 'no API token is configured: set SLUICE_API_TOKEN',
      });
  });

  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const r = await deps.readiness();
    return reply.status(r.ready ? 200 : 503).send(r);
  });
  app.get('/metrics', async (_req, reply) => {
    await queueDepths(deps).catch(() => undefined);
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  const routeDeps = { ...deps, prefix: deps.prefix ?? 'sluice', principal };
  registerEnqueueRoutes(app, routeDeps);
  registerHistoryRoutes(app, routeDeps);
  registerWorkRoutes(app, deps);
  registerObjectPage(app, { ...routeDeps, writable: deps.dashboardWritable ?? false });
  await registerDashboard(
    app,
    { queues: deps.queues, writable: deps.dashboardWritable ?? false },
    async (t) => (await deps.auth.authenticate(t)) !== undefined,
  );
  return app;
}
