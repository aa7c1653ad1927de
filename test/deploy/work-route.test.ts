/**
 * `GET /api/v1/queues/{queue}/work`, the metric the KEDA ScaledObjects scale on, in process
 * (fastify inject) over the real Redis: it counts ready, prioritized, active and due delayed jobs,
 * leaves out delayed jobs that are not due, and needs a bearer token like the rest of `/api/`.
 */
import test, { type ExecutionContext } from 'ava';
import { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { Authenticator } from '../../runtime/dispatcher/http/auth.js';
import { buildHttpApp } from '../../runtime/dispatcher/http/app.js';
import { dueScore, type QueueWork } from '../../runtime/dispatcher/http/work-routes.js';
import {
  Enqueuer,
  KindRegistry,
  QueueSet,
  SluiceMetrics,
  createLogger,
  redisOptions,
} from '../../runtime/index.js';
import { StreamStoreKind, TawonStreamKind } from '../../shared/index.js';
import { adminClient } from '../helpers/context.js';
import { isolation, testEnv } from '../helpers/env.js';
import { eventually } from '../helpers/kube.js';

const TOKEN = 'work-route-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

interface Setup {
  readonly app: FastifyInstance;
  readonly queues: QueueSet;
  readonly prefix: string;
}

async function setup(t: ExecutionContext): Promise<Setup> {
  const { queuePrefix } = isolation('work');
  const queues = new QueueSet({ redis: testEnv().redisUrl, prefix: queuePrefix });
  const registry = new KindRegistry([TawonStreamKind, StreamStoreKind]);
  const metrics = new SluiceMetrics();
  const log = createLogger({ level: 'silent' });
  const app = await buildHttpApp({
    registry,
    enqueuer: new Enqueuer(queues, registry, metrics),
    kube: adminClient(),
    auth: new Authenticator({ token: TOKEN }, log),
    metrics,
    queues: registry.all().map((k) => queues.get(k)),
    redis: queues.connection,
    prefix: queuePrefix,
    log,
    readiness: () => Promise.resolve({ ready: true }),
  });
  t.teardown(async () => {
    await app.close();
    for (const q of queues.all()) await q.obliterate({ force: true }).catch(() => undefined);
    await queues.close();
  });
  return { app, queues, prefix: queuePrefix };
}

async function work(app: FastifyInstance, queue: string): Promise<QueueWork> {
  const res = await app.inject({ method: 'GET', url: `/api/v1/queues/${queue}/work`, headers: auth });
  if (res.statusCode !== 200) throw new Error(`${res.statusCode}: ${res.body}`);
  return res.json<QueueWork>();
}

test('work counts ready, prioritized, active and due delayed jobs, and not delayed jobs still to come', async (t) => {
  const s = await setup(t);
  const queue = s.queues.get(TawonStreamKind);
  await queue.add('reconcile', { n: 1 });
  await queue.add('reconcile', { n: 2 });
  await queue.add('reconcile', { n: 3 }, { priority: 5 });
  await queue.add('reconcile', { n: 4 }, { delay: 3_600_000 });

  // A worker without a processor takes one job into `active` and holds it.
  const worker = new Worker(queue.name, null, {
    connection: { url: testEnv().redisUrl, ...redisOptions() },
    prefix: s.prefix,
    autorun: false,
  });
  t.teardown(() => worker.close(true));
  const held = await worker.getNextJob('test-token');
  t.truthy(held, 'a job became active');
  // Added after the worker took its job: taking a job also promotes the delayed jobs that are due.
  await queue.add('reconcile', { n: 5 }, { delay: 200 });

  const name = encodeURIComponent(queue.name);
  const answer = await eventually('the short delay to fall due', async () => {
    const w = await work(s.app, name);
    return w.dueDelayed === 1 ? w : undefined;
  });
  t.deepEqual(answer, {
    queue: queue.name,
    kind: 'Stream',
    work: 2 + 1 + 1,
    waiting: 2,
    prioritized: 1,
    active: 1,
    delayed: 2,
    dueDelayed: 1,
  });
});

test('an idle queue has no work, and the queue may be named without its braces', async (t) => {
  const s = await setup(t);
  const w = await work(s.app, 'streamstore.tawon.mantisnet.com');
  t.like(w, { queue: StreamStoreKind.queue, kind: 'StreamStore', work: 0, dueDelayed: 0 });
});

test('a delayed job that is not due is not work, and becomes work once due without any worker', async (t) => {
  const s = await setup(t);
  const queue = s.queues.get(StreamStoreKind);
  await queue.add('reconcile', {}, { delay: 400 });
  const before = await work(s.app, 'streamstore.tawon.mantisnet.com');
  const after = await eventually('the delayed job to fall due', async () => {
    const w = await work(s.app, 'streamstore.tawon.mantisnet.com');
    return w.work === 1 ? w : undefined;
  });
  t.is(before.delayed, 1);
  t.like(after, { work: 1, waiting: 0, active: 0, delayed: 1, dueDelayed: 1 });
});

test('the work route refuses requests without a valid bearer token', async (t) => {
  const s = await setup(t);
  const url = '/api/v1/queues/stream.tawon.mantisnet.com/work';
  const none = await s.app.inject({ method: 'GET', url });
  const wrong = await s.app.inject({ method: 'GET', url, headers: { authorization: 'Bearer nope' } });
  t.is(none.statusCode, 401);
  t.is(wrong.statusCode, 401);
  t.is(none.headers['www-authenticate'], 'Bearer realm="sluice"');
});

test('an unknown queue is a 404 naming the known queues', async (t) => {
  const s = await setup(t);
  const res = await s.app.inject({ method: 'GET', url: '/api/v1/queues/nope/work', headers: auth });
  t.is(res.statusCode, 404);
  const body = res.json<{ error: string; message: string }>();
  t.is(body.error, 'UnknownQueue');
  t.true(body.message.includes(TawonStreamKind.queue));
});

test('the due score covers every job due in the current millisecond and none due later', (t) => {
  const now = 1_700_000_000_123;
  t.is(dueScore(now), now * 0x1000 + 0xfff);
  t.true(dueScore(now) < (now + 1) * 0x1000, 'a job due one millisecond later is not due');
});
