/**
 * @module test/runtime/queue-contract-retry
 * The queue contract, continued (part of {@link queueContract}): rate-limited retries
 * (property 4), requeueAfter (5), priorities for resync (6) and a worker killed mid-reconcile (7).
 */
import test from 'ava';
import { QueueEvents } from 'bullmq';
import { createRedis, type RedisTarget } from '../../runtime/redis/connection.js';
import { isolation } from '../helpers/env.js';
import { eventually, useNamespace } from '../helpers/kube.js';
import { RuntimeRig, createWidgets, keyOf } from './harness.js';

const gaps = (starts: number[]): number[] => starts.slice(1).map((s, i) => s - (starts[i] ?? s));

/** Registers the tests of properties 4 to 7 on the Redis `redis` resolves. */
export function retryProperties(redis: () => Promise<RedisTarget>): void {
  test('4. a failing reconcile is retried with capped exponential backoff, reset by a success', async (t) => {
    const iso = isolation('q-backoff');
    await useNamespace(t, iso.namespace);
    const rig = RuntimeRig.create(t, iso.queuePrefix, await redis());
    const [ref] = await createWidgets(iso.namespace, 1);
    if (!ref) throw new Error('no widget');
    const key = keyOf(ref);
    await rig.probe.setBehavior(key, { fail: 6 });
    rig.worker({ backoff: { initialMs: 200, maxMs: 3200 } });
    await rig.enqueue([ref]);
    await eventually(
      'seven runs (six failures, one success)',
      async () => (await rig.probe.runs(key)) === 7,
      60_000,
    );
    const g = gaps(await rig.probe.starts(key));
    t.log('gaps between attempts (ms):', g.join(', '));
    // A delayed job never runs early, so each gap is at least its delay: 200, 400, 800, 1600, then
    // the cap of 3200. A loaded machine only adds to a gap, so upper bounds leave wide margins.
    const schedule = [200, 400, 800, 1600, 3200, 3200];
    schedule.forEach((delay, i) =>
      t.true((g[i] ?? 0) >= delay * 0.95, `attempt ${i + 2} waited ${delay} ms`),
    );
    t.true(g[5]! < 6400 - 1000, 'the delay stops growing at the cap (uncapped it would be 6400 ms)');
    // A success resets the count: the next failure waits the base delay again.
    await rig.probe.setBehavior(key, { fail: 1 });
    await rig.enqueue([ref]);
    await eventually('two more runs', async () => (await rig.probe.runs(key)) === 9, 30_000);
    const after = gaps(await rig.probe.starts(key)).slice(-1)[0] ?? 0;
    t.true(
      after >= 190 && after < 3200 - 1000,
      `the first failure after a success waits about the base delay (${after} ms)`,
    );
  });

  test('4. a new event for an object in backoff runs it at once instead of waiting out the backoff', async (t) => {
    const iso = isolation('q-backoff-preempt');
    await useNamespace(t, iso.namespace);
    const rig = RuntimeRig.create(t, iso.queuePrefix, await redis());
    const [ref] = await createWidgets(iso.namespace, 1);
    if (!ref) throw new Error('no widget');
    const key = keyOf(ref);
    await rig.probe.setBehavior(key, { fail: 1 });
    rig.worker({ backoff: { initialMs: 120_000, maxMs: 120_000 } });
    await rig.enqueue([ref]);
    await eventually('the failure', async () => (await rig.probe.runs(key)) === 1);
    await eventually(
      'the job waits out a two-minute backoff',
      async () => (await rig.queue.getJobCounts('delayed')).delayed === 1,
    );
    await rig.probe.bump(key);
    await rig.enqueue([ref]);
    // A run counts itself before it records what it observed, so both are waited for.
    await eventually(
      'the event to run the object and see the change',
      async () => (await rig.probe.runs(key)) >= 2 && (await rig.probe.observed(key)) === 1,
      20_000,
    );
    t.is(await rig.probe.runs(key), 2);
  });

  test('4. a queue-wide rate limit caps reconciles per second', async (t) => {
    const iso = isolation('q-ratelimit');
    await useNamespace(t, iso.namespace);
    const rig = RuntimeRig.create(t, iso.queuePrefix, await redis());
    const refs = await createWidgets(iso.namespace, 24);
    await rig.queue.setGlobalRateLimit(6, 1000);
    // The limit applies where a job is admitted (moved to active, in Redis); the time a reconcile
    // then starts adds the worker's own delay, which a loaded machine makes arbitrary. So admissions
    // are timed by Redis itself: the ids of the queue's `active` events are Redis's clock.
    const admitted: number[] = [];
    const eventsRedis = createRedis(rig.queueRedis);
    const events = new QueueEvents(rig.queue.name, {
      connection: eventsRedis,
      prefix: rig.prefix,
      lastEventId: '0',
    });
    t.teardown(async () => {
      await events.close();
      eventsRedis.disconnect();
    });
    events.on('active', (_args, id) => admitted.push(Number(id.split('-')[0])));
    await events.waitUntilReady();
    rig.worker({ concurrency: 20 });
    await rig.enqueue(refs);
    await rig.drained(60_000);
    await eventually('every admission to be seen', () => Promise.resolve(admitted.length >= 24));
    admitted.sort((a, b) => a - b);
    t.is(admitted.length, 24);
    // A fixed window admits at most 6 per window; any 1-second span overlaps two windows, so at most 12.
    const busiest = Math.max(...admitted.map((s) => admitted.filter((x) => x >= s && x < s + 1000).length));
    t.log(`busiest second: ${busiest} admissions; span ${(admitted.at(-1)! - admitted[0]!) / 1000}s`);
    t.true(busiest <= 12);
    t.true(admitted.at(-1)! - admitted[0]! >= 2000, 'the 24 reconciles were spread over several windows');
  });

  test('5. requeueAfter runs the object again later, and an event during the run is not postponed', async (t) => {
    const iso = isolation('q-requeue');
    await useNamespace(t, iso.namespace);
    const rig = RuntimeRig.create(t, iso.queuePrefix, await redis());
    const [ref] = await createWidgets(iso.namespace, 1);
    if (!ref) throw new Error('no widget');
    const key = keyOf(ref);
    await rig.probe.setBehavior(key, { requeueMs: 600 });
    rig.worker();
    await rig.enqueue([ref]);
    await eventually(
      'the requeue to run the object again',
      async () => (await rig.probe.runs(key)) >= 3,
      20_000,
    );
    t.true(
      gaps(await rig.probe.starts(key)).every((g) => g >= 550),
      'each run came after the requested delay',
    );

    // Now a long requeue, and an event that arrives while the reconcile runs.
    await rig.probe.setBehavior(key, { requeueMs: 120_000, sleepMs: 400 });
    const loops = await rig.probe.runs(key);
    await eventually(
      'a run that asks for a two-minute requeue',
      async () => (await rig.probe.runs(key)) > loops,
    );
    await eventually(
      'the job to wait two minutes',
      async () => (await rig.queue.getJobCounts('delayed')).delayed === 1,
    );
    const before = await rig.probe.runs(key);
    await rig.probe.bump(key);
    await rig.enqueue([ref]);
    await eventually('the run to start', async () => (await rig.probe.starts(key)).length > before);
    await rig.probe.bump(key);
    await rig.enqueue([ref]);
    // A run counts itself before it records what it observed, so both are waited for.
    await eventually(
      'the parked event to run without waiting two minutes, and to see the latest change',
      async () =>
        (await rig.probe.runs(key)) >= before + 2 &&
        (await rig.probe.observed(key)) === (await rig.probe.gen(key)),
      20_000,
    );
  });

  test('5. an event pulls a delayed requeue forward', async (t) => {
    const iso = isolation('q-requeue-event');
    await useNamespace(t, iso.namespace);
    const rig = RuntimeRig.create(t, iso.queuePrefix, await redis());
    const [ref] = await createWidgets(iso.namespace, 1);
    if (!ref) throw new Error('no widget');
    const key = keyOf(ref);
    await rig.probe.setBehavior(key, { requeueMs: 120_000 });
    rig.worker();
    await rig.enqueue([ref]);
    await eventually('the first run', async () => (await rig.probe.runs(key)) === 1);
    await eventually(
      'the job to wait two minutes',
      async () => (await rig.queue.getJobCounts('delayed')).delayed === 1,
    );
    await rig.probe.bump(key);
    await rig.enqueue([ref]);
    // A run counts itself before it records what it observed, so both are waited for.
    await eventually(
      'the event to run it now and see the change',
      async () => (await rig.probe.runs(key)) >= 2 && (await rig.probe.observed(key)) === 1,
      20_000,
    );
    t.is(await rig.probe.runs(key), 2);
  });

  test('6. fresh events go before a backlog of low-priority resyncs, even for an object already queued low', async (t) => {
    const iso = isolation('q-priority');
    await useNamespace(t, iso.namespace);
    const rig = RuntimeRig.create(t, iso.queuePrefix, await redis());
    const refs = await createWidgets(iso.namespace, 60);
    await rig.enqueue(refs, 'low');
    const fresh = [refs[55]!, refs[58]!];
    await rig.enqueue(fresh, 'normal');
    await rig.probe.setBehavior('*', { sleepMs: 20 });
    rig.worker({ concurrency: 1 });
    await rig.drained(60_000);
    const order = (
      await Promise.all(
        refs.map(async (r) => ({ key: keyOf(r), at: (await rig.probe.starts(keyOf(r)))[0] ?? Infinity })),
      )
    )
      .sort((a, b) => a.at - b.at)
      .map((x) => x.key);
    const positions = fresh.map((r) => order.indexOf(keyOf(r)));
    t.log('positions of the fresh events:', positions.join(', '));
    t.true(positions.every((p) => p < 2));
    t.is(await rig.probe.totalRuns(), 60, 'each object ran once');
  });

  test('7. a worker killed mid-reconcile loses nothing: another worker runs the object after the lock expires', async (t) => {
    const iso = isolation('q-sigkill');
    await useNamespace(t, iso.namespace);
    const rig = RuntimeRig.create(t, iso.queuePrefix, await redis());
    const [ref] = await createWidgets(iso.namespace, 1);
    if (!ref) throw new Error('no widget');
    const key = keyOf(ref);
    await rig.probe.setBehavior(key, { block: 1 });
    await rig.redis.set(rig.probe.key('block', key), '1');
    const doomed = await rig.spawnWorker({ lockDurationMs: 2000, stalledIntervalMs: 1000 });
    await rig.probe.bump(key);
    await rig.enqueue([ref]);
    await eventually(
      'the reconcile to start in the doomed worker',
      async () => (await rig.probe.starts(key)).length === 1,
    );
    await rig.probe.bump(key);
    await rig.enqueue([ref]);
    await rig.probe.killed(doomed.pid ?? 0);
    doomed.kill('SIGKILL');
    await rig.redis.del(rig.probe.key('block', key));
    await rig.probe.setBehavior(key, {});
    await rig.spawnWorker({ lockDurationMs: 2000, stalledIntervalMs: 1000 });
    await eventually(
      'the object to be reconciled to its latest state',
      async () => (await rig.probe.observed(key)) === 2,
      30_000,
    );
    // Nothing waiting, active or delayed: no reconcile of the key is left to overlap with.
    await rig.drained();
    t.is(await rig.probe.overlaps(), 0);
  });
}
