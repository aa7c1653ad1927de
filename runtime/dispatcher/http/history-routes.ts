/**
 * @module runtime/dispatcher/http/history-routes
 * `GET /api/v1/namespaces/{ns}/{plural}/{name}/history` and `GET /api/v1/{plural}/{name}/history`:
 * why an object is (not) ready — its conditions, where it stands in its queue, and its last
 * reconciles, newest first (see {@link ObjectReport}). `GET /api/v1/deadletters`: per kind, the
 * objects whose last reconcile failed.
 *
 * Same auth as the enqueue routes (a bearer token), and the same rights: Sluice reads the object
 * with its own client, so an object it may not read is answered 403, never reported on. An object
 * that no longer exists is still reported while its history is kept (`exists: false`); 404 when
 * there is neither.
 */
import type { FastifyInstance } from 'fastify';
import type { RedisClient } from '../../redis/connection.js';
import { objectReport, readDeadLetters, type DeadLetter, type ObjectReport } from '../../history/reader.js';
import type { KindInfo } from '../../registry.js';
import { checkTarget, readAs, resolvePlural, type EnqueueRouteDeps } from './enqueue-routes.js';
import { HttpError } from './errors.js';

export interface HistoryRouteDeps extends EnqueueRouteDeps {
  /** Where the queues and the history live. */
  readonly redis: RedisClient;
  readonly prefix: string;
}

/** The report on one object, checked as the enqueue routes check their object. */
export async function reportOn(
  deps: HistoryRouteDeps,
  kind: KindInfo,
  namespace: string | undefined,
  name: string,
): Promise<ObjectReport> {
  checkTarget(deps, kind, namespace, name);
  const report = await readAs(
    kind,
    namespace,
    () => objectReport(deps.kube, deps.redis, deps.prefix, kind, namespace, name),
    'the Kubernetes API or Redis',
  );
  if (!report.exists && report.history.length === 0 && report.queue.state === 'none')
    throw new HttpError(
      404,
      'NotFound',
      `${kind.kind} ${namespace ? `${namespace}/` : ''}${name} does not exist and has no history`,
    );
  return report;
}

/** Every kind's dead letters (those of the served namespace only, when Sluice serves one). */
export async function deadLetters(
  deps: HistoryRouteDeps,
): Promise<{ kind: string; apiVersion: string; objects: DeadLetter[] }[]> {
  return Promise.all(
    deps.registry.all().map(async (k) => {
      const all = await readDeadLetters(deps.redis, deps.prefix, k);
      const only = deps.watchNamespace;
      return {
        kind: k.kind,
        apiVersion: k.group ? `${k.group}/${k.version}` : k.version,
        objects: only ? all.filter((d) => !d.namespace || d.namespace === only) : all,
      };
    }),
  );
}

export function registerHistoryRoutes(app: FastifyInstance, deps: HistoryRouteDeps): void {
  app.get<{ Params: { namespace: string; resource: string; name: string } }>(
    '/api/v1/namespaces/:namespace/:resource/:name/history',
    async (req) => {
      const kind = resolvePlural(deps.registry, req.params.resource);
      return reportOn(deps, kind, req.params.namespace, req.params.name);
    },
  );

  app.get<{ Params: { resource: string; name: string } }>('/api/v1/:resource/:name/history', async (req) => {
    const kind = resolvePlural(deps.registry, req.params.resource);
    return reportOn(deps, kind, undefined, req.params.name);
  });

  app.get('/api/v1/deadletters', async () => {
    try {
      return { kinds: await deadLetters(deps) };
    } catch {
      throw new HttpError(503, 'Unavailable', 'Redis could not be reached; try again');
    }
  });
}
