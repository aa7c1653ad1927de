/**
 * @module test/security/http-app
 * The dispatcher's HTTP app as `sluice dispatcher` builds it (every kind Sluice serves, their
 * queues under a test prefix, a static API token), for the security and fuzz tests, and the list
 * of its routes read from fastify's own route tree.
 */
import type { ExecutionContext } from 'ava';
import type { FastifyInstance } from 'fastify';
import { buildHttpApp } from '../../runtime/dispatcher/http/app.js';
import { Authenticator } from '../../runtime/dispatcher/http/auth.js';
import { SLUICE_FUNCTIONS } from '../../functions/index.js';
import {
  Enqueuer,
  KindRegistry,
  QueueSet,
  SluiceMetrics,
  createLogger,
  type Logger,
} from '../../runtime/index.js';
import { adminClient } from '../helpers/context.js';
import { testEnv, suffix } from '../helpers/env.js';

export interface TestApp {
  readonly app: FastifyInstance;
  readonly token: string;
  readonly registry: KindRegistry;
  readonly queues: QueueSet;
  /** Jobs in every state of every queue. */
  jobs(): Promise<number>;
}

/** The app with a fresh queue prefix and token, closed (and its keys removed) after the test. */
export async function testApp(t: ExecutionContext, log?: Logger): Promise<TestApp> {
  const token = `api-token-${suffix(16)}`;
  const registry = new KindRegistry(SLUICE_FUNCTIONS.map((f) => f.kind));
  const queues = new QueueSet({ redis: testEnv().redisUrl, prefix: `test-http-${suffix()}` });
  const metrics = new SluiceMetrics();
  const logger = log ?? createLogger({ level: 'silent' });
  const app = await buildHttpApp({
    registry,
    enqueuer: new Enqueuer(queues, registry, metrics),
    kube: adminClient(),
    auth: new Authenticator({ token }, logger),
    metrics,
    queues: registry.all().map((k) => queues.get(k)),
    redis: queues.connection,
    prefix: queues.prefix,
    log: logger,
    readiness: () => Promise.resolve({ ready: true }),
  });
  t.teardown(async () => {
    await app.close();
    for (const q of queues.all()) await q.obliterate({ force: true }).catch(() => undefined);
    await queues.close();
  });
  return {
    app,
    token,
    registry,
    queues,
    async jobs() {
      let n = 0;
      for (const q of queues.all()) {
        const c = await q.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed');
        n += Object.values(c).reduce((a, b) => a + b, 0);
      }
      return n;
    },
  };
}

/** A route: a path (parameters as `:name`, a wildcard as `*`) and one method. */
export interface Route {
  readonly path: string;
  readonly method: string;
}

/**
 * Every route of `app`, from `printRoutes({ commonPrefix: false })`: a tree whose lines are
 * `<indent>├── <segment> (<METHODS>)`, where a route's path is its ancestors' segments joined.
 */
export function routesOf(app: FastifyInstance): Route[] {
  const routes: Route[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:│ {3}| {4})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/u.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? '').length / 4;
    stack.length = depth;
    stack.push(m[2] ?? '');
    const methods = (m[3] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const method of methods) routes.push({ path: stack.join(''), method });
  }
  return routes;
}

/** A concrete URL for a route: each parameter and the wildcard become `x`. */
export function concrete(path: string): string {
  return path.replace(/:[A-Za-z]+/g, 'x').replace(/\*/g, 'x');
}
