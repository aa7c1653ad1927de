/**
 * The dispatcher's HTTP API, in process (fastify inject) over the real Redis and API server:
 * enqueueing, every error code, authentication (static token and TokenReview), the probes and
 * metrics, and the dashboard's login and read-only mode. No failed request enqueues anything.
 */
import test, { type ExecutionContext } from 'ava';
import type { FastifyInstance } from 'fastify';
import { Authenticator } from '../../runtime/dispatcher/http/auth.js';
import { buildHttpApp } from '../../runtime/dispatcher/http/app.js';
import { Enqueuer, KindRegistry, createLogger, defineKind, type KubeObject } from '../../runtime/index.js';
import { TanzuStreamKind, TawonStreamKind } from '../../shared/index.js';
import { adminClient } from '../helpers/context.js';
import { isolation } from '../helpers/env.js';
import { kube, useNamespace } from '../helpers/kube.js';
import { GadgetKind, WidgetKind } from './widget-function.js';
import { RuntimeRig, createWidgets, installTestCrds } from './harness.js';

const TOKEN = 'test-token-0123456789abcdef';
const Gadget = defineKind(GadgetKind);

test.before(async () => {
  await installTestCrds();
});

interface Setup {
  readonly app: FastifyInstance;
  readonly rig: RuntimeRig;
  readonly namespace: string;
  readonly widget: string;
  /** Jobs of every state in the Widget queue. */
  jobs(): Promise<number>;
}

async function setup(
  t: ExecutionContext,
  opts: { tokenReview?: boolean; writable?: boolean; watchNamespace?: string } = {},
): Promise<Setup> {
  const iso = isolation('http');
  await useNamespace(t, iso.namespace);
  const rig = RuntimeRig.create(t, iso.queuePrefix);
  const [ref] = await createWidgets(iso.namespace, 1);
  const registry = new KindRegistry([WidgetKind, Gadget, TanzuStreamKind, TawonStreamKind]);
  const log = createLogger({ level: 'silent' });
  const app = await buildHttpApp({
    ...(opts.watchNamespace ? { watchNamespace: opts.watchNamespace } : {}),
    registry,
    enqueuer: new Enqueuer(rig.queues, registry, rig.metrics),
    kube: adminClient(),
    auth: new Authenticator({ token: TOKEN, tokenReview: opts.tokenReview ? adminClient() : undefined }, log),
    metrics: rig.metrics,
    queues: [rig.queue],
    redis: rig.queues.connection,
    prefix: iso.queuePrefix,
    log,
    dashboardWritable: opts.writable ?? false,
    readiness: () => Promise.resolve({ ready: true, leader: false }),
  });
  t.teardown(() => app.close());
  return {
    app,
    rig,
    namespace: iso.namespace,
    widget: ref?.name ?? '',
    jobs: async () =>
      Object.values(
        await rig.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'),
      ).reduce((a, b) => a + b, 0),
  };
}

const auth = { authorization: `Bearer ${TOKEN}` };

test('POST /api/v1/reconcile queues the object at high priority and answers 202 with the job id', async (t) => {
  const s = await setup(t);
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/v1/reconcile',
    headers: auth,
    payload: { apiVersion: 'test.sluice.io/v1', kind: 'Widget', namespace: s.namespace, name: s.widget },
  });
  t.is(res.statusCode, 202, res.body);
  const body = res.json<{ jobId: string; queue: string }>();
  t.is(body.queue, WidgetKind.queue);
  const job = await s.rig.queue.getJob(body.jobId);
  // A reference, why and who asked (issue 17), never the object.
  t.deepEqual(Object.keys((job?.data ?? {}) as object).sort(), ['by', 'enqueuedAt', 'reason', 'ref']);
  t.like(job?.data, {
    reason: 'http',
    by: 'sluice-api-token',
    ref: { kind: 'Widget', namespace: s.namespace, name: s.widget },
  });
  t.is(job?.opts.lifo, true, 'queued at the front');
});

test('the path forms queue namespaced and cluster-scoped objects', async (t) => {
  const s = await setup(t);
  const ns = await s.app.inject({
    method: 'POST',
    url: `/api/v1/namespaces/${s.namespace}/widgets/${s.widget}/reconcile`,
    headers: auth,
  });
  t.is(ns.statusCode, 202, ns.body);
  const gadget = `g-${s.rig.prefix}`;
  await adminClient().create<KubeObject>(GadgetKind, { metadata: { name: gadget }, spec: {} });
  t.teardown(() =>
    adminClient()
      .delete(GadgetKind, undefined, gadget)
      .then(() => undefined),
  );
  const cluster = await s.app.inject({
    method: 'POST',
    url: `/api/v1/gadgets.test.sluice.io/${gadget}/reconcile`,
    headers: auth,
  });
  t.is(cluster.statusCode, 202, cluster.body);
  t.is(cluster.json<{ queue: string }>().queue, Gadget.queue);
  await s.rig.queues.get(Gadget).obliterate({ force: true });
});

const bad: [
  string,
  { method?: 'POST' | 'GET'; url?: string; payload?: string; headers?: Record<string, string> },
  number,
  RegExp,
][] = [
  [
    'malformed JSON',
    { payload: '{"apiVersion": ', headers: { 'content-type': 'application/json' } },
    400,
    /not valid JSON/,
  ],
  [
    'a JSON array',
    { payload: '[1,2]', headers: { 'content-type': 'application/json' } },
    400,
    /must be an object/,
  ],
  [
    'a missing name',
    { payload: JSON.stringify({ apiVersion: 'test.sluice.io/v1', kind: 'Widget', namespace: 'x' }) },
    400,
    /name/,
  ],
  [
    'a number for a name',
    { payload: JSON.stringify({ apiVersion: 'test.sluice.io/v1', kind: 'Widget', namespace: 'x', name: 7 }) },
    400,
    /name/,
  ],
  [
    'a path-traversal name',
    {
      payload: JSON.stringify({
        apiVersion: 'test.sluice.io/v1',
        kind: 'Widget',
        namespace: 'x',
        name: '../../etc',
      }),
    },
    400,
    /name/,
  ],
  [
    'an unknown kind',
    {
      payload: JSON.stringify({
        apiVersion: 'test.sluice.io/v1',
        kind: 'Sprocket',
        namespace: 'x',
        name: 'a',
      }),
    },
    404,
    /does not serve Sprocket/,
  ],
  [
    'a served kind at another version',
    {
      payload: JSON.stringify({ apiVersion: 'test.sluice.io/v9', kind: 'Widget', namespace: 'x', name: 'a' }),
    },
    404,
    /serves Widget.test.sluice.io\/v1|serves test.sluice.io\/v1/,
  ],
  [
    'a namespaced kind without a namespace',
    { payload: JSON.stringify({ apiVersion: 'test.sluice.io/v1', kind: 'Widget', name: 'a' }) },
    400,
    /namespace is required/,
  ],
  [
    'a cluster-scoped kind with a namespace',
    {
      payload: JSON.stringify({ apiVersion: 'test.sluice.io/v1', kind: 'Gadget', namespace: 'x', name: 'a' }),
    },
    400,
    /cluster-scoped/,
  ],
  [
    'an object that does not exist',
    {
      payload: JSON.stringify({
        apiVersion: 'test.sluice.io/v1',
        kind: 'Widget',
        namespace: 'default',
        name: 'nope',
      }),
    },
    404,
    /does not exist/,
  ],
  [
    'an oversized body',
    { payload: JSON.stringify({ apiVersion: 'x', kind: 'y', name: 'z', pad: 'x'.repeat(64 * 1024) }) },
    413,
    /larger/,
  ],
  [
    'a wrong content type',
    { payload: 'apiVersion=v1', headers: { 'content-type': 'text/plain' } },
    415,
    /application\/json/,
  ],
  [
    'an unknown resource in the path',
    { url: '/api/v1/namespaces/default/sprockets/a/reconcile' },
    404,
    /sprockets/,
  ],
  [
    'an ambiguous resource in the path',
    { url: '/api/v1/namespaces/default/streams/a/reconcile' },
    400,
    /streams.tawon.mantisnet.com/,
  ],
  [
    'an invalid namespace in the path',
    { url: '/api/v1/namespaces/Bad_NS/widgets/a/reconcile' },
    400,
    /namespace/,
  ],
  ['no token', { payload: '{}', headers: { authorization: '' } }, 401, /token/],
  ['a wrong token', { payload: '{}', headers: { authorization: 'Bearer nope' } }, 401, /token/],
  ['an unknown route', { method: 'GET', url: '/api/v1/nothing' }, 404, /no route/],
];

for (const [what, req, status, message] of bad) {
  test(`${what} gets ${status} with a clear JSON message and enqueues nothing`, async (t) => {
    const s = await setup(t);
    const headers = { 'content-type': 'application/json', ...auth, ...req.headers };
    if (headers.authorization === '') delete (headers as Record<string, string>).authorization;
    const res = await s.app.inject({
      method: req.method ?? 'POST',
      url: req.url ?? '/api/v1/reconcile',
      payload: req.payload ?? '',
      headers,
    });
    t.is(res.statusCode, status, res.body);
    const body = res.json<{ error: string; message: string }>();
    t.is(typeof body.error, 'string');
    t.regex(body.message, message);
    t.is(await s.jobs(), 0);
  });
}

test('a ServiceAccount token is accepted through TokenReview when that is enabled, and refused otherwise', async (t) => {
  const s = await setup(t, { tokenReview: true });
  await kube().core.createNamespacedServiceAccount({
    namespace: s.namespace,
    body: { metadata: { name: 'caller' } },
  });
  const tr = await kube().core.createNamespacedServiceAccountToken({
    namespace: s.namespace,
    name: 'caller',
    body: { spec: { audiences: [] } },
  });
  const token = tr.status?.token ?? '';
  const url = `/api/v1/namespaces/${s.namespace}/widgets/${s.widget}/reconcile`;
  t.is(
    (await s.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` } })).statusCode,
    202,
  );
  const strict = await setup(t);
  const refused = await strict.app.inject({
    method: 'POST',
    url: `/api/v1/namespaces/${strict.namespace}/widgets/${strict.widget}/reconcile`,
    headers: { authorization: `Bearer ${token}` },
  });
  t.is(refused.statusCode, 401);
});

test('the probes and metrics need no token; metrics use the sluice vocabulary', async (t) => {
  const s = await setup(t);
  t.is((await s.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  t.is((await s.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  const metrics = await s.app.inject({ method: 'GET', url: '/metrics' });
  t.is(metrics.statusCode, 200);
  for (const name of [
    'sluice_reconcile_total',
    'sluice_queue_depth',
    'sluice_watch_events_total',
    'sluice_leader',
  ])
    t.true(metrics.body.includes(name), name);
});

test('the dashboard refuses a request without a token, and lets a browser sign in with one', async (t) => {
  const s = await setup(t);
  const api = await s.app.inject({ method: 'GET', url: '/dashboard/api/queues' });
  t.is(api.statusCode, 401);
  const page = await s.app.inject({ method: 'GET', url: '/dashboard/', headers: { accept: 'text/html' } });
  t.is(page.statusCode, 303);
  t.is(page.headers.location, '/dashboard/login');
  const wrong = await s.app.inject({
    method: 'POST',
    url: '/dashboard/login',
    payload: 'token=nope',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  t.is(wrong.statusCode, 401);
  const right = await s.app.inject({
    method: 'POST',
    url: '/dashboard/login',
    payload: `token=${TOKEN}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  t.is(right.statusCode, 303);
  const cookie = right.cookies.find((c) => c.name === 'sluice_token');
  t.truthy(cookie);
  t.true(cookie?.httpOnly);
  const withCookie = await s.app.inject({
    method: 'GET',
    url: '/dashboard/api/queues',
    cookies: { sluice_token: cookie?.value ?? '' },
  });
  t.is(withCookie.statusCode, 200);
  const queues = withCookie.json<{ queues: { name: string; readOnlyMode: boolean }[] }>().queues;
  t.deepEqual(
    queues.map((q) => q.name),
    [WidgetKind.queue],
  );
  t.true(queues.every((q) => q.readOnlyMode));
  const board = await s.app.inject({ method: 'GET', url: '/dashboard/', headers: auth });
  t.is(board.statusCode, 200);
  const asset = /href="(static\/css\/[^"]+\.css)"/.exec(board.body);
  t.truthy(asset, 'the board page links its stylesheet');
  t.is(
    (await s.app.inject({ method: 'GET', url: `/dashboard/${asset?.[1] ?? ''}` })).statusCode,
    200,
    'static assets need no token',
  );
});

test('the dashboard refuses write actions in read-only mode and allows them when configured', async (t) => {
  const s = await setup(t);
  const queue = encodeURIComponent(WidgetKind.queue);
  const paused = await s.app.inject({
    method: 'PUT',
    url: `/dashboard/api/queues/${queue}/pause`,
    headers: auth,
  });
  t.is(paused.statusCode, 405);
  t.false(await s.rig.queue.isPaused());
  const w = await setup(t, { writable: true });
  const ok = await w.app.inject({
    method: 'PUT',
    url: `/dashboard/api/queues/${queue}/pause`,
    headers: auth,
  });
  t.is(ok.statusCode, 200);
  t.true(await w.rig.queue.isPaused());
});

test('a Sluice limited to one namespace refuses to enqueue objects elsewhere with 403', async (t) => {
  const s = await setup(t, { watchNamespace: 'only-this-one' });
  const res = await s.app.inject({
    method: 'POST',
    url: `/api/v1/namespaces/${s.namespace}/widgets/${s.widget}/reconcile`,
    headers: auth,
  });
  t.is(res.statusCode, 403);
  t.like(res.json(), { error: 'OutOfScope' });
  t.is(await s.jobs(), 0);
});
