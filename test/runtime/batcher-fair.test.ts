/**
 * The batcher writes more than a batch one batch at a time (issue 19): highest priority first, so a
 * fresh event does not wait for a whole re-list, and in fair mode round-robin between namespaces,
 * so one namespace's burst does not hold another's request back. Against the test environment's
 * Redis; the order of writes is read from BullMQ's job ids, which grow with each add.
 */
import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { Enqueuer, KindRegistry, QueueSet, createLogger, type ObjectRef } from '../../runtime/index.js';
import { EnqueueBatcher } from '../../runtime/queue/batcher.js';
import { isolation, testEnv } from '../helpers/env.js';
import { WidgetKind } from './widget-function.js';

const ref = (namespace: string, name: string): ObjectRef => ({
  group: WidgetKind.group,
  version: WidgetKind.version,
  kind: WidgetKind.kind,
  namespace,
  name,
});

/** Adds 100 requests of namespace `burst`, then one of `quiet`; returns the quiet job's place in the write order. */
async function placeOfQuiet(fair: boolean): Promise<{ place: number; jobs: number }> {
  const { queuePrefix } = isolation(fair ? 'batcher-fair' : 'batcher-fifo');
  const queues = new QueueSet({ redis: testEnv().redisUrl, prefix: queuePrefix });
  try {
    const batcher = new EnqueueBatcher(
      new Enqueuer(queues, new KindRegistry([WidgetKind]), undefined),
      createLogger({ level: 'silent' }),
      {
        maxBatch: 10,
        fair,
      },
    );
    for (let i = 0; i < 100; i++) batcher.add(ref('burst', `b-${i}`), 'event', 'normal');
    batcher.add(ref('quiet', 'q-0'), 'event', 'normal');
    await batcher.close();
    const jobs = await queues.get(WidgetKind).getJobs(['waiting']);
    const ids = jobs
      .map((j) => ({ id: Number(j.id), ns: (j.data as { ref: ObjectRef }).ref.namespace }))
      .sort((a, b) => a.id - b.id);
    return { place: ids.findIndex((j) => j.ns === 'quiet'), jobs: ids.length };
  } finally {
    await queues.get(WidgetKind).obliterate({ force: true });
    await queues.close();
  }
}

test('in fair mode a burst of one namespace is written round-robin with another namespace, one batch at a time', async (t) => {
  const fair = await placeOfQuiet(true);
  t.is(fair.jobs, 101, 'every request was written');
  t.true(fair.place < 10, `the quiet namespace's request was in the first batch (place ${fair.place})`);
});

test('control: without fair mode the quiet request is written after the whole burst', async (t) => {
  const fifo = await placeOfQuiet(false);
  t.is(fifo.jobs, 101);
  t.is(fifo.place, 100);
});

test('a fresh request added while a re-list of 1,000 is written goes out with the next batch, not after the re-list', async (t) => {
  const { queuePrefix } = isolation('batcher-relist');
  const queues = new QueueSet({ redis: testEnv().redisUrl, prefix: queuePrefix });
  const queue = queues.get(WidgetKind);
  t.teardown(async () => {
    await queue.obliterate({ force: true });
    await queues.close();
  });
  const batcher = new EnqueueBatcher(
    new Enqueuer(queues, new KindRegistry([WidgetKind]), undefined),
    createLogger({ level: 'silent' }),
    { maxBatch: 10 },
  );
  for (let i = 0; i < 1000; i++) batcher.add(ref('ns', `r-${i}`), 'relist', 'low');
  const writing = batcher.flush();
  while ((await queue.getJobCounts('prioritized')).prioritized === 0) await sleep(1);
  batcher.add(ref('ns', 'fresh'), 'event', 'normal');
  await writing;
  await batcher.close();
  const jobs = (await queue.getJobs(['waiting', 'prioritized'])).map((j) => ({
    id: Number(j.id),
    name: (j.data as { ref: ObjectRef }).ref.name,
  }));
  t.is(jobs.length, 1001);
  const place = jobs.sort((a, b) => a.id - b.id).findIndex((j) => j.name === 'fresh');
  t.log(`the fresh request was written ${place + 1}th`);
  t.true(place < 500, 'it did not wait for the rest of the re-list');
});
