/**
 * The dispatcher's HTTP server refuses every request without a valid token, except the probes,
 * the metrics, the dashboard's login page and its static assets. The routes are not listed by
 * hand: they are read from fastify's route tree, so a route added later is covered too. Paths
 * that try to reach a protected route through the public ones (dot segments, encodings) are sent
 * over a real socket, where nothing normalises them before the auth hook sees them.
 */
import test from 'ava';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger } from '../../runtime/index.js';
import { concrete, routesOf, testApp, type Route } from './http-app.js';
import { describeLeaks, findLeaks } from './leaks.js';

const PUBLIC = new Set(['/healthz', '/readyz', '/metrics', '/dashboard/login']);

function isPublic(r: Route): boolean {
  return PUBLIC.has(r.path) || r.path.startsWith('/dashboard/static/');
}

test('the route tree is read completely: the API, the probes and the dashboard', async (t) => {
  const { app } = await testApp(t);
  const paths = new Set(routesOf(app).map((r) => r.path));
  for (const p of [
    '/healthz',
    '/metrics',
    '/api/v1/reconcile',
    '/api/v1/namespaces/:namespace/:resource/:name/reconcile',
    '/dashboard/login',
    '/dashboard/api/queues',
    '/dashboard/api/queues/:queueName/:jobId',
  ])
    t.true(paths.has(p), `${p} is among the routes`);
  t.true(routesOf(app).length > 30);
});

test('every route refuses a request without a token, or with a wrong one, except the public ones', async (t) => {
  const s = await testApp(t);
  const routes = routesOf(s.app).filter((r) => !isPublic(r));
  t.log(`${routes.length} protected route/method pairs`);
  const wrong = [
    {},
    { authorization: 'Bearer not-the-token' },
    { authorization: `Bearer ${s.token}x` },
    { authorization: `Basic ${Buffer.from(`admin:${s.token}`).toString('base64')}` },
    { authorization: s.token },
    { cookie: 'sluice_token=not-the-token' },
  ];
  for (const r of routes) {
    for (const headers of wrong) {
      const res = await s.app.inject({
        method: r.method as 'GET',
        url: concrete(r.path),
        headers: { ...headers, 'content-type': 'application/json' },
        ...(['GET', 'HEAD'].includes(r.method) ? {} : { payload: '{}' }),
      });
      t.is(res.statusCode, 401, `${r.method} ${r.path} with ${Object.keys(headers).join(',') || 'no token'}`);
      if (r.method !== 'HEAD') t.regex(res.body, /Unauthorized/);
    }
  }
  t.is(await s.jobs(), 0, 'nothing was queued');
});

test('the API ignores the dashboard cookie: only the dashboard accepts it', async (t) => {
  const s = await testApp(t);
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/v1/reconcile',
    cookies: { sluice_token: s.token },
    payload: { apiVersion: 'tawon.mantisnet.com/v1alpha1', kind: 'Stream', namespace: 'x', name: 'y' },
  });
  t.is(res.statusCode, 401);
  const board = await s.app.inject({
    method: 'GET',
    url: '/dashboard/api/queues',
    cookies: { sluice_token: s.token },
  });
  t.is(board.statusCode, 200);
});

test('the public routes answer without a token and reveal no queue contents or secrets', async (t) => {
  const s = await testApp(t);
  for (const url of ['/healthz', '/readyz', '/metrics', '/dashboard/login']) {
    const res = await s.app.inject({ method: 'GET', url });
    t.is(res.statusCode, 200, url);
    t.false(res.body.includes(s.token), `${url} does not echo the token`);
  }
});

function raw(port: number, method: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('paths through the public prefixes do not reach protected routes (real socket, no normalisation)', async (t) => {
  const s = await testApp(t);
  await s.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = s.app.server.address() as AddressInfo;
  const tricks = [
    ['GET', '/dashboard/static/../api/queues'],
    ['GET', '/dashboard/static/%2e%2e/api/queues'],
    ['GET', '/dashboard/static/..%2fapi%2fqueues'],
    ['GET', '/dashboard/static/x/../../api/queues'],
    ['GET', '/dashboard/static/../api/redis/stats'],
    ['GET', '/dashboard/static/../../api/v1/queues/x/work'],
    ['POST', '/dashboard/static/../../api/v1/reconcile'],
    ['PUT', '/dashboard/static/../api/queues/pause'],
    ['GET', '/dashboard/login/../api/queues'],
    ['GET', '/healthz/../dashboard/api/queues'],
    ['GET', '/metrics/..%2fdashboard%2fapi%2fqueues'],
    ['GET', '//dashboard/api/queues'],
    ['GET', '/dashboard//api/queues'],
    ['GET', '/%64ashboard/api/queues'],
    ['GET', '/DASHBOARD/api/queues'],
    ['GET', '/dashboard/api/queues?/dashboard/static/'],
  ] as const;
  for (const [method, path] of tricks) {
    const res = await raw(port, method, path);
    t.true(res.status >= 400 && res.status < 500, `${method} ${path} is refused (${res.status})`);
    t.false(res.body.includes('"queues"'), `${method} ${path} reveals no queue`);
  }
  t.is(await s.jobs(), 0);
});

test('the API token never reaches the logs, whatever is sent', async (t) => {
  const lines: string[] = [];
  const log = createLogger({
    level: 'trace',
    destination: new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  });
  const s = await testApp(t, log);
  const requests = [
    {
      method: 'POST',
      url: '/api/v1/reconcile',
      headers: { authorization: `Bearer ${s.token}` },
      payload: '{"x":',
    },
    {
      method: 'POST',
      url: '/api/v1/reconcile',
      headers: { authorization: `Bearer ${s.token}x` },
      payload: '{}',
    },
    { method: 'GET', url: `/api/v1/queues/${s.token}/work`, headers: { authorization: `Bearer ${s.token}` } },
    {
      method: 'POST',
      url: '/dashboard/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `token=${s.token}x`,
    },
    { method: 'GET', url: '/dashboard/api/queues', headers: { cookie: `sluice_token=${s.token}x` } },
  ] as const;
  for (const r of requests) await s.app.inject({ ...r, headers: { ...r.headers } });
  const leaks = findLeaks(
    [{ label: 'API token', value: s.token }],
    [{ where: 'http logs', text: lines.join('') }],
  );
  t.deepEqual(leaks, [], describeLeaks(leaks));
});
