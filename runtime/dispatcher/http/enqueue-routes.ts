/**
 * @module runtime/dispatcher/http/enqueue-routes
 * `POST /api/v1/reconcile` and `POST /api/v1/[namespaces/{ns}/]{plural}/{name}/reconcile`:
 * queue a reconcile of one object at high priority, answering 202 with the job id. The object must
 * exist; nothing is queued for a request that fails.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DNS_LABEL, DNS_SUBDOMAIN, stringProblem } from '../../checks.js';
import { KubeApiError } from '../../errors.js';
import { type KubeClient } from '../../kube/client.js';
import { type ObjectRef } from '../../kube/object-ref.js';
import { apiVersionOf } from '../../kube/resources.js';
import { type Enqueuer } from '../../queue/enqueue.js';
import { type KindInfo, type KindRegistry } from '../../registry.js';
import { isRecord } from '../../util.js';
import { HttpError } from './errors.js';

/** The body of `POST /api/v1/reconcile`. */
interface ReconcileBody {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/**
 * Validates the body, listing every problem. Written out rather than declared with class-validator,
 * so that the dispatcher does not load that library (≈ 13 MB of RSS) for four fields.
 * @throws HttpError 400 `BadRequest`.
 */
function parseBody(raw: unknown): ReconcileBody {
  if (!isRecord(raw)) throw new HttpError(400, 'BadRequest', 'body must be an object');
  const problems = [
    ['apiVersion', stringProblem(raw.apiVersion, 253)],
    ['kind', stringProblem(raw.kind, 63)],
    [
      'namespace',
      raw.namespace === undefined || raw.namespace === null
        ? undefined
        : stringProblem(raw.namespace, 63, { pattern: DNS_LABEL, what: 'DNS label' }),
    ],
    ['name', stringProblem(raw.name, 253, { pattern: DNS_SUBDOMAIN, what: 'DNS subdomain' })],
  ].filter((p): p is [string, string] => p[1] !== undefined);
  if (problems.length > 0)
    throw new HttpError(
      400,
      'BadRequest',
      `invalid body: ${problems.map(([f, m]) => `${f} ${m}`).join('; ')}`,
    );
  return {
    apiVersion: String(raw.apiVersion),
    kind: String(raw.kind),
    name: String(raw.name),
    ...(typeof raw.namespace === 'string' ? { namespace: raw.namespace } : {}),
  };
}

export interface EnqueueRouteDeps {
  readonly registry: KindRegistry;
  readonly enqueuer: Enqueuer;
  readonly kube: KubeClient;
  /** The one namespace this Sluice serves, when it is limited to one. */
  readonly watchNamespace?: string;
  /** Who made a request (its authenticated principal), recorded in the object's history. */
  readonly principal?: (req: FastifyRequest) => string | undefined;
}

function checkName(what: 'name' | 'namespace', value: string): void {
  const problem =
    what === 'name'
      ? stringProblem(value, 253, { pattern: DNS_SUBDOMAIN })
      : stringProblem(value, 63, { pattern: DNS_LABEL });
  if (problem !== undefined)
    throw new HttpError(
      400,
      'BadRequest',
      `${what} ${JSON.stringify(value.slice(0, 80))} is not a valid Kubernetes ${what}`,
    );
}

export function resolvePlural(registry: KindRegistry, resource: string): KindInfo {
  const dot = resource.indexOf('.');
  const plural = dot < 0 ? resource : resource.slice(0, dot);
  const group = dot < 0 ? undefined : resource.slice(dot + 1);
  const kind = registry.byPlural(plural, group);
  if (kind) return kind;
  const matches = registry.all().filter((k) => k.plural === plural);
  if (matches.length > 1) {
    throw new HttpError(
      400,
      'AmbiguousResource',
      `${plural} is served by several groups; use one of ${matches.map((k) => `${k.plural}.${k.group}`).join(', ')}`,
    );
  }
  throw new HttpError(
    404,
    'UnknownKind',
    `no kind served by Sluice has the resource ${JSON.stringify(resource.slice(0, 100))}`,
  );
}

/**
 * Checks a request's object reference: a valid name, a namespace exactly when the kind is
 * namespaced, inside the namespace this Sluice serves.
 * @throws HttpError 400 or 403 `OutOfScope`.
 */
export function checkTarget(
  deps: Pick<EnqueueRouteDeps, 'watchNamespace'>,
  kind: KindInfo,
  namespace: string | undefined,
  name: string,
): void {
  checkName('name', name);
  if (kind.namespaced && !namespace)
    throw new HttpError(400, 'BadRequest', `${kind.kind} is namespaced: a namespace is required`);
  if (!kind.namespaced && namespace)
    throw new HttpError(400, 'BadRequest', `${kind.kind} is cluster-scoped: leave the namespace out`);
  if (namespace) checkName('namespace', namespace);
  if (namespace && deps.watchNamespace && namespace !== deps.watchNamespace) {
    throw new HttpError(403, 'OutOfScope', `this Sluice serves namespace ${deps.watchNamespace} only`);
  }
}

/**
 * Runs a read of the object with Sluice's own rights: what Sluice may not read, it neither
 * queues nor reports on.
 * @param unreachable what the 503 names when the read fails otherwise.
 * @throws HttpError 403 `Forbidden` when the API server refuses, 503 when it cannot be reached.
 */
export async function readAs<T>(
  kind: KindInfo,
  namespace: string | undefined,
  read: () => Promise<T>,
  unreachable = 'the Kubernetes API',
): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 403) {
      throw new HttpError(
        403,
        'Forbidden',
        `Sluice may not read ${kind.plural}.${kind.group}${namespace ? ` in ${namespace}` : ''}`,
      );
    }
    throw new HttpError(503, 'Unavailable', `${unreachable} could not be reached; try again`);
  }
}

/** Queues one object at high priority (`http`, asked by `by`); it must exist. */
export async function enqueueOne(
  deps: EnqueueRouteDeps,
  kind: KindInfo,
  namespace: string | undefined,
  name: string,
  by: string | undefined,
): Promise<{ jobId: string; queue: string }> {
  checkTarget(deps, kind, namespace, name);
  const found = await readAs(kind, namespace, () =>
    deps.kube.get(kind, namespace, name, { metadataOnly: true }),
  );
  if (!found)
    throw new HttpError(
      404,
      'NotFound',
      `${kind.kind} ${namespace ? `${namespace}/` : ''}${name} does not exist`,
    );
  const ref: ObjectRef = {
    group: kind.group,
    version: kind.version,
    kind: kind.kind,
    name,
    ...(namespace ? { namespace } : {}),
    ...(found.metadata.uid ? { uid: found.metadata.uid } : {}),
  };
  const [result] = await deps.enqueuer.enqueue([{ ref, reason: 'http', ...(by ? { by } : {}) }], 'high');
  if (!result) throw new HttpError(500, 'InternalError', 'nothing was queued');
  return result;
}

export function registerEnqueueRoutes(app: FastifyInstance, deps: EnqueueRouteDeps): void {
  app.post('/api/v1/reconcile', async (req, reply) => {
    const body = parseBody(req.body);
    const kind = deps.registry.byApiVersion(body.apiVersion, body.kind);
    if (!kind) {
      const other = deps.registry
        .all()
        .find((k) => k.kind === body.kind && body.apiVersion.startsWith(`${k.group}/`));
      const hint = other ? ` (Sluice serves ${apiVersionOf(other)})` : '';
      throw new HttpError(
        404,
        'UnknownKind',
        `Sluice does not serve ${body.kind} in ${body.apiVersion}${hint}`,
      );
    }
    return reply
      .status(202)
      .send(await enqueueOne(deps, kind, body.namespace, body.name, deps.principal?.(req)));
  });

  app.post<{ Params: { namespace: string; resource: string; name: string } }>(
    '/api/v1/namespaces/:namespace/:resource/:name/reconcile',
    async (req, reply) => {
      const kind = resolvePlural(deps.registry, req.params.resource);
      return reply
        .status(202)
        .send(await enqueueOne(deps, kind, req.params.namespace, req.params.name, deps.principal?.(req)));
    },
  );

  app.post<{ Params: { resource: string; name: string } }>(
    '/api/v1/:resource/:name/reconcile',
    async (req, reply) => {
      const kind = resolvePlural(deps.registry, req.params.resource);
      return reply
        .status(202)
        .send(await enqueueOne(deps, kind, undefined, req.params.name, deps.principal?.(req)));
    },
  );
}
