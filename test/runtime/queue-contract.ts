/**
 * @module test/runtime/queue-contract
 * The queue contract (DESIGN.md §2, the properties of docs/architecture.md), property by
 * property, against a real Redis of the given topology (one server, Sentinel, Cluster) and the
 * real API server. Each test drives the real worker host over Widget objects; where it is cheap,
 * a control run shows that the property fails without the mechanism that provides it.
 *
 * One suite, run by `queue-contract-{single,sentinel,cluster}.test.ts`: the topology is its only
 * parameter.
 */
import test from 'ava';
import { Queue, Worker } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRedis, type RedisTarget } from '../../runtime/redis/connection.js';
import { isolation } from '../helpers/env.js';
import { eventually, useNamespace } from '../helpers/kube.js';
import { RuntimeRig, createWidgets, installTestCrds, keyOf } from './harness.js';
import { retryProperties } from './queue-contract-retry.js';
import { fairnessProperties } from './queue-contract-fair.js';

/** Where the queues live: resolves the topology's endpoint (starting it on first use). */
export type QueueTopology = () => Promise<RedisTarget>;

/** Registers the seven properties' tests (and their controls) on `topology`. */
export function queueContract(topology: QueueTopology): void {
  let target: Promise<RedisTarget> | undefined;
  const redis = (): Promise<RedisTarget> => (target ??= topology());

  test.before(async () => {
    await Promise.all([installTestCrds(), redis()]);
  });

  test('1. two reconciles of one object never overlap, across several worker processes', async (t) => {
    const iso = isolation('q-exclusion');
    await useNamespace(t, iso.namespace);
    const rig = RuntimeRig.create(t, iso.queuePrefix, await redis());
    const [ref] = await createWidgets(iso.namespace, 1);
    if (!ref) throw new Error('no widget');
    await rig.probe.setBehavior('*', { sleepMs: 150 });
    await Promise.all([
      rig.spawnWorker({ concurrency: 5 }),
      rig.spawnWorker({ concurrency: 5 }),
      rig.spawnWorker({ concurrency: 5 }),
    ]);
    for (let i = 0; i < 40; i++) {
      await rig.probe.bump(keyOf(ref));
      await rig.enqueue([ref]);
      await sleep(20);
    }
    await rig.drained();
    t.is(await rig.probe.overlaps(), 0);
    t.true((await rig.probe.runs(keyOf(ref))) >= 2, 'several reconciles ran');
    t.is(
      await rig.probe.observed(keyOf(ref)),
      await rig.probe.gen(keyOf(ref)),
      'the last state was reconciled',
    );
  });

  test('1. control: without deduplication, jobs for one object do overlap', async (t) => {
    const { queuePrefix } = isolation('q-exclusion-control');
    const connection = createRedis(await redis());
    const queue = new Queue('{plain}', { connection, prefix: queuePrefix });
    let inflight = 0;
    let overlaps = 0;
    const worker = new Worker(
      '{plain}',
      async () => {
        if (++inflight > 1) overlaps++;
        await sleep(100);
        inflight--;
      },
      { connection, prefix: queuePrefix, concurrency: 5 },
    );
    t.teardown(async () => {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
      connection.disconnect();
    });
    await queue.addBulk(Array.from({ length: 10 }, () => ({ name: 'same-object', data: {} })));
    await eventually(
      'the plain jobs to finish',
      async () => (await queue.getJobCounts('waiting', 'active')).active === 0 && (await queue.count()) === 0,
    );
    t.true(overlaps > 0);
  });

  test('2. any number of events for a waiting object give one reconcile', async (t) => {
    const iso = isolation('q-coalesce');
    await useNamespace(t, iso.namespace);
    const rig = RuntimeRig.create(t, iso.queuePrefix, await redis());
    const [ref] = await createWidgets(iso.namespace, 1);
    if (!ref) throw new Error('no widget');
    for (let i = 0; i < 100; i++) {
      await rig.probe.bump(keyOf(ref));
      await rig.enqueue([ref]);
    }
    const counts = await rig.queue.getJobCounts('waiting', 'prioritized', 'delayed');
    t.is(counts.waiting, 1, 'one job waits for the object');
    rig.worker();
    await rig.drained();
    t.is(await rig.probe.runs(keyOf(ref)), 1);
    t.is(await rig.probe.observed(keyOf(ref)), 100);
  });

  test('3. an event during a reconcile causes exactly one more reconcile, which sees it', async (t) => {
    const iso = isolation('q-no-lost-update');
    await useNamespace(t, iso.namespace);
    const rig = RuntimeRig.create(t, iso.queuePrefix, await redis());
    const [ref] = await createWidgets(iso.namespace, 1);
    if (!ref) throw new Error('no widget');
    const key = keyOf(ref);
    await rig.probe.setBehavior(key, { block: 1 });
    await rig.redis.set(rig.probe.key('block', key), '1');
    rig.worker({ concurrency: 4 });
    await rig.probe.bump(key);
    await rig.enqueue([ref]);
    await eventually('the first reconcile to start', async () => (await rig.probe.starts(key)).length === 1);
    for (let i = 0; i < 5; i++) {
      await rig.probe.bump(key);
      await rig.enqueue([ref]);
    }
    await rig.probe.setBehavior(key, {});
    await rig.redis.del(rig.probe.key('block', key));
    await rig.drained();
    t.is(await rig.probe.runs(key), 2, 'one reconcile, then exactly one more');
    t.is(await rig.probe.observed(key), 6, 'the follow-up saw the latest state');
    t.is(await rig.probe.overlaps(), 0);
  });

  test('3. control: with jobId set to the key, an event during a reconcile is lost', async (t) => {
    const { queuePrefix } = isolation('q-jobid-control');
    const connection = createRedis(await redis());
    const queue = new Queue('{jobid}', { connection, prefix: queuePrefix });
    let runs = 0;
    let release: () => void = () => undefined;
    const blocked = new Promise<void>((r) => (release = r));
    const worker = new Worker(
      '{jobid}',
      async () => {
        runs++;
        if (runs === 1) await blocked;
      },
      { connection, prefix: queuePrefix },
    );
    t.teardown(async () => {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
      connection.disconnect();
    });
    await queue.add('obj', {}, { jobId: 'ns-obj', removeOnComplete: true });
    await eventually('the first run to start', () => Promise.resolve(runs === 1));
    await queue.add('obj', {}, { jobId: 'ns-obj', removeOnComplete: true });
    release();
    // No job waits, is delayed or runs: had the second add made a job, it would have run by now.
    await eventually(
      'the queue to empty',
      async () => (await queue.count()) === 0 && (await queue.getActiveCount()) === 0,
    );
    t.is(runs, 1, 'the second event was dropped');
  });

  retryProperties(redis);
  fairnessProperties(redis);
}
