/**
 * The batcher's fair mode (issue 19): a namespace's burst is written one batch at a time, round-robin
 * between namespaces, so another namespace's request is not held back until the burst is in Redis.
 * Against the test environment's Redis; the order of writes is read from BullMQ's job ids, which
 * grow with each add.
 */
import test from 'ava';
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
