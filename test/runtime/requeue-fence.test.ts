/**
 * @module test/runtime/requeue-fence
 * A requeue (`requeueAfter`) is fenced by the job's lock (issue 16): the worker moves the job to
 * delayed and replaces its data in one script that first checks the lock, so a worker whose lease
 * is gone (Redis lost its data, or the lock expired) writes nothing to a job that may now be
 * another worker's. Against a real Redis and API server.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { declareFunction, requeueAfter, type KubeObject } from '../../runtime/index.js';
import { isolation } from '../helpers/env.js';
import { eventually, useNamespace } from '../helpers/kube.js';
import { RuntimeRig, createWidgets, installTestCrds } from './harness.js';
import { WidgetKind } from './widget-function.js';

test.before(async () => {
  await installTestCrds();
});

/** A Widget function whose reconcile runs `before` and then asks for a requeue in a minute. */
function requeueing(before: () => Promise<void> = () => Promise.resolve()) {
  return declareFunction(WidgetKind, {
    handlers: () =>
      Promise.resolve({
        parse: (o: KubeObject) => o,
        reconcile: async () => {
          await before();
          return requeueAfter(60_000);
        },
      }),
  });
}

test('a requeue by a worker whose lock is gone leaves the job as it was', async (t) => {
  const iso = isolation('requeue-fence');
  await useNamespace(t, iso.namespace);
  const rig = RuntimeRig.create(t, iso.queuePrefix);
  let runs = 0;
  const fn = requeueing(async () => {
    // The lease is lost while the reconcile runs: its lock disappears.
    // (The queues are on the environment's Redis, as the rig's own client.)
    for (const key of await rig.redis.keys(`${rig.queue.toKey('*')}:lock`)) await rig.redis.del(key);
    runs++;
  });
  rig.worker({}, fn);
  const [widget] = await createWidgets(iso.namespace, 1, 'fenced');
  if (!widget) throw new Error('no widget');
  await rig.enqueuer.enqueue([{ ref: widget, reason: 'event' }]);
  await eventually('the reconcile to run', () => Promise.resolve(runs > 0));
  await sleep(1000);
  t.is(await rig.queue.getJobCountByTypes('delayed'), 0, 'not moved to delayed');
  const [job] = await rig.queue.getJobs(['active', 'wait', 'failed', 'delayed']);
  t.is((job?.data as { reason?: string } | undefined)?.reason, 'event', 'its data not replaced');
});

test('a requeue by the worker holding the lock delays the job and records it as a requeue', async (t) => {
  const iso = isolation('requeue-kept');
  await useNamespace(t, iso.namespace);
  const rig = RuntimeRig.create(t, iso.queuePrefix);
  let runs = 0;
  const fn = requeueing(() => {
    runs++;
    return Promise.resolve();
  });
  rig.worker({}, fn);
  const [widget] = await createWidgets(iso.namespace, 1, 'kept');
  if (!widget) throw new Error('no widget');
  await rig.enqueuer.enqueue([{ ref: widget, reason: 'event' }]);
  await eventually(
    'the job to be delayed',
    async () => (await rig.queue.getJobCountByTypes('delayed')) === 1,
  );
  const [job] = await rig.queue.getJobs(['delayed']);
  t.is(runs, 1);
  t.like(job?.data as object, { reason: 'requeue', failBase: 0 });
});
