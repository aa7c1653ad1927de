/**
 * The history routes of the HTTP API (issue 17), in process over the real Redis and API server:
 * the report of a namespaced and of a cluster-scoped object, who asked for an `http` reconcile,
 * the same auth and rights as enqueue (no token, out of scope, a Sluice that may not read the
 * kind), the dead letters, and the dashboard's "Reconcile now" refused when it is read-only.
 */
import test, { type ExecutionContext } from 'ava';
import { KubeConfig } from '@kubernetes/client-node';
import type { FastifyInstance } from 'fastify';
import { Authenticator } from '../../runtime/dispatcher/http/auth.js';
import { buildHttpApp } from '../../runtime/dispatcher/http/app.js';
import {
  Enqueuer,
  KindRegistry,
  KubeClient,
  KubeRest,
  createLogger,
  defineKind,
  type KubeObject,
  type ObjectReport,
} from '../../runtime/index.js';
import { adminClient } from '../helpers/context.js';
import { isolation, testEnv } from '../helpers/env.js';
import { eventually, kube, useNamespace } from '../helpers/kube.js';
import { GadgetKind, WidgetKind } from './widget-function.js';
import { RuntimeRig, createWidgets, installTestCrds, keyOf } from './harness.js';

const TOKEN = 'history-token-0123456789abcdef';
const Gadget = defineKind(GadgetKind);
const auth = { authorization: `Bearer ${TOKEN}` };

test.before(async () => {
  await installTestCrds();
});

interface Setup {
  readonly app: FastifyInstance;
  readonly rig: RuntimeRig;
  readonly namespace: string;
  readonly widget: string;
}

async function setup(
  t: ExecutionContext,
  opts: { watchNamespace?: string; kube?: KubeClient; writable?: boolean } = {},
): Promise<Setup> {
  const iso = isolation('history-http');
  await useNamespace(t, iso.namespace);
  const rig = RuntimeRig.create(t, iso.queuePrefix);
  const [ref] = await createWidgets(iso.namespace, 1);
  const registry = new KindRegistry([WidgetKind, Gadget]);
  const log = createLogger({ level: 'silent' });
  const app = await buildHttpApp({
    ...(opts.watchNamespace ? { watchNamespace: opts.watchNamespace } : {}),
    registry,
    enqueuer: new Enqueuer(rig.queues, registry, rig.metrics),
    kube: opts.kube ?? adminClient(),
    auth: new Authenticator({ token: TOKEN }, log),
    metrics: rig.metrics,
    queues: [rig.queue],
    redis: rig.queues.connection,
    prefix: iso.queuePrefix,
    log,
    dashboardWritable: opts.writable ?? false,
    readiness: () => Promise.resolve({ ready: true }),
  });
  t.teardown(() => app.close());
  return { app, rig, namespace: iso.namespace, widget: ref?.name ?? '' };
}

test('GET …/history answers the conditions, queue state and history of a namespaced object, and an http reconcile records who asked', async (t) => {
  const s = await setup(t);
  const ref = {
    group: WidgetKind.group,
    version: 'v1',
    kind: 'Widget',
    namespace: s.namespace,
    name: s.widget,
  };
  await s.rig.probe.setBehavior(keyOf(ref), { terminal: 1 });
  s.rig.worker();
  const queued = await s.app.inject({
    method: 'POST',
    url: `/api/v1/namespaces/${s.namespace}/widgets/${s.widget}/reconcile`,
    headers: auth,
  });
  t.is(queued.statusCode, 202);
  const url = `/api/v1/namespaces/${s.namespace}/widgets/${s.widget}/history`;
  let report: ObjectReport | undefined;
  await eventually('the http reconcile in the history', async () => {
    const res = await s.app.inject({ method: 'GET', url, headers: auth });
    if (res.statusCode !== 200) throw new Error(res.body);
    report = res.json<ObjectReport>();
    return report.history.length >= 1;
  });
  t.like(report, {
    kind: 'Widget',
    namespace: s.namespace,
    name: s.widget,
    exists: true,
    paused: false,
    queue: { state: 'none' },
  });
  t.like(report?.history[0], {
    reason: 'http',
    by: 'sluice-api-token',
    outcome: 'terminal',
    errorReason: 'WidgetRefused',
  });
  t.like(
    report?.conditions.find((c) => c.type === 'Ready'),
    { status: 'False', reason: 'WidgetRefused' },
  );

  const dead = await s.app.inject({ method: 'GET', url: '/api/v1/deadletters', headers: auth });
  t.is(dead.statusCode, 200);
  const kinds = dead.json<{ kinds: { kind: string; objects: { name: string }[] }[] }>().kinds;
  t.deepEqual(
    kinds.find((k) => k.kind === 'Widget')?.objects.map((o) => o.name),
    [s.widget],
  );
});

test('the cluster-scoped form answers for a cluster-scoped object, and the wrong form is a 400', async (t) => {
  const s = await setup(t);
  const name = `gadget-${s.namespace}`.slice(0, 60);
  await adminClient().create<KubeObject>(GadgetKind, { metadata: { name }, spec: {} });
  t.teardown(() =>
    adminClient()
      .delete(GadgetKind, undefined, name)
      .then(() => undefined),
  );
  const res = await s.app.inject({ method: 'GET', url: `/api/v1/gadgets/${name}/history`, headers: auth });
  t.is(res.statusCode, 200, res.body);
  t.like(res.json(), { kind: 'Gadget', name, exists: true, history: [], queue: { state: 'none' } });
  t.is(res.json<ObjectReport>().namespace, undefined);

  const wrong = await s.app.inject({
    method: 'GET',
    url: `/api/v1/namespaces/${s.namespace}/gadgets/${name}/history`,
    headers: auth,
  });
  t.is(wrong.statusCode, 400);
  const missingNs = await s.app.inject({
    method: 'GET',
    url: `/api/v1/widgets/${s.widget}/history`,
    headers: auth,
  });
  t.is(missingNs.statusCode, 400);
});

test('the history routes need the same token as enqueue, and answer 404 for an object that neither exists nor has history', async (t) => {
  const s = await setup(t);
  const url = `/api/v1/namespaces/${s.namespace}/widgets/${s.widget}/history`;
  t.is((await s.app.inject({ method: 'GET', url })).statusCode, 401);
  t.is(
    (await s.app.inject({ method: 'GET', url, headers: { authorization: 'Bearer nope' } })).statusCode,
    401,
  );
  t.is((await s.app.inject({ method: 'GET', url: '/api/v1/deadletters' })).statusCode, 401);
  const missing = await s.app.inject({
    method: 'GET',
    url: `/api/v1/namespaces/${s.namespace}/widgets/no-such-widget/history`,
    headers: auth,
  });
  t.is(missing.statusCode, 404);
  t.like(missing.json(), { error: 'NotFound' });
  const unknown = await s.app.inject({
    method: 'GET',
    url: `/api/v1/namespaces/${s.namespace}/doodads/x/history`,
    headers: auth,
  });
  t.is(unknown.statusCode, 404);
  t.like(unknown.json(), { error: 'UnknownKind' });
});

test('a Sluice limited to one namespace refuses to report on objects elsewhere with 403', async (t) => {
  const s = await setup(t, { watchNamespace: 'only-this-one' });
  const res = await s.app.inject({
    method: 'GET',
    url: `/api/v1/namespaces/${s.namespace}/widgets/${s.widget}/history`,
    headers: auth,
  });
  t.is(res.statusCode, 403);
  t.like(res.json(), { error: 'OutOfScope' });
});

/** A client authenticated as a new ServiceAccount that has no rights at all. */
async function clientWithoutRights(namespace: string): Promise<KubeClient> {
  await kube().core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'nobody' } } });
  const tr = await kube().core.createNamespacedServiceAccountToken({
    namespace,
    name: 'nobody',
    body: { spec: { audiences: [] } },
  });
  const env = new KubeConfig();
  env.loadFromFile(testEnv().kubeconfig);
  const cluster = env.getCurrentCluster();
  if (!cluster) throw new Error('no cluster in the kubeconfig');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 'nobody', token: tr.status?.token ?? '' }],
    contexts: [{ name: 'nobody', cluster: cluster.name, user: 'nobody' }],
    currentContext: 'nobody',
  });
  return new KubeClient(new KubeRest(kc));
}

test('an object Sluice may not read is answered 403 Forbidden, never reported on', async (t) => {
  const iso = isolation('history-forbidden');
  await useNamespace(t, iso.namespace);
  const restricted = await clientWithoutRights(iso.namespace);
  t.teardown(() => restricted.rest.close());
  const s = await setup(t, { kube: restricted });
  const res = await s.app.inject({
    method: 'GET',
    url: `/api/v1/namespaces/${s.namespace}/widgets/${s.widget}/history`,
    headers: auth,
  });
  t.is(res.statusCode, 403, res.body);
  t.like(res.json(), { error: 'Forbidden' });
  t.false(res.body.includes('"history"'));
});

test('the dashboard’s Reconcile now is refused when the dashboard is read-only, and queues at high priority when it is writable', async (t) => {
  const ro = await setup(t);
  const form = (s: Setup): string =>
    new URLSearchParams({
      kind: 'widgets.test.sluice.io',
      namespace: s.namespace,
      name: s.widget,
    }).toString();
  const refused = await ro.app.inject({
    method: 'POST',
    url: '/dashboard/sluice/reconcile',
    headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
    payload: form(ro),
  });
  t.is(refused.statusCode, 403);
  t.like(refused.json(), { error: 'ReadOnly' });
  t.is((await ro.rig.queue.getJobCounts('waiting', 'prioritized')).waiting, 0);
  const page = await ro.app.inject({
    method: 'GET',
    url: `/dashboard/sluice?${form(ro)}`,
    headers: auth,
  });
  t.is(page.statusCode, 200);
  t.false(page.body.includes('Reconcile now'), 'a read-only page offers no button');

  const rw = await setup(t, { writable: true });
  const queued = await rw.app.inject({
    method: 'POST',
    url: '/dashboard/sluice/reconcile',
    headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
    payload: form(rw),
  });
  t.is(queued.statusCode, 303);
  const [job] = await rw.rig.queue.getJobs(['waiting']);
  t.like(job?.data, { reason: 'http', by: 'sluice-api-token' });
});

test('the dashboard page escapes what it shows: an error message with markup appears as text', async (t) => {
  const s = await setup(t);
  const ref = {
    group: WidgetKind.group,
    version: 'v1',
    kind: 'Widget',
    namespace: s.namespace,
    name: s.widget,
  };
  await s.rig.probe.setBehavior(keyOf(ref), { failWith: '<script>alert("x")</script> & <b>bold</b>' });
  s.rig.worker();
  await s.rig.enqueue([ref]);
  const query = new URLSearchParams({
    kind: 'widgets.test.sluice.io',
    namespace: s.namespace,
    name: s.widget,
  });
  let body = '';
  await eventually('the failure on the page', async () => {
    body = (
      await s.app.inject({ method: 'GET', url: `/dashboard/sluice?${query.toString()}`, headers: auth })
    ).body;
    return body.includes('ReconcileError');
  });
  t.false(body.includes('<script>alert'), 'no markup from the error reaches the page');
  t.true(body.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;'));
});
