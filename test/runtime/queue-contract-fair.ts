/**
 * @module test/runtime/queue-contract-fair
 * The queue contract, continued (part of {@link queueContract}): fairness between namespaces
 * (property 8, `runtime/queue/fairness.ts`) and aging (property 9, `runtime/queue/aging.ts`).
 * Fairness must not lose a key, break per-key exclusion or starve anything; aging bounds the
 * wait of a low-priority job under a steady load of fresh events. The bounds asserted are
 * correctness bounds with wide slack, not performance figures.
 */
import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisTarget } from '../../runtime/redis/connection.js';
import {
  Enqueuer,
  FairShare,
  KindRegistry,
  readQueueState,
  runAging,
  type ObjectRef,
} from '../../runtime/index.js';
import { isolation } from '../helpers/env.js';
import { eventually, useNamespace } from '../helpers/kube.js';
import { RuntimeRig, createWidgets, keyOf } from './harness.js';
import { WidgetKind } from './widget-function.js';

function fairEnqueuer(rig: RuntimeRig, quantum: number): Enqueuer {
  return new Enqueuer(rig.queues, new KindRegistry([WidgetKind]), rig.metrics, {
    fairness: new FairShare({ quantum }),
  });
}

const requests = (refs: readonly ObjectRef[]) => refs.map((ref) => ({ ref, reason: 'test' as const }));

/** Registers the tests of properties 8 and 9 on the Redis `redis` resolves. */
export function fairnessProperties(redis: () => Promise<RedisTarget>): void {
  test('8. with fairness on, a quiet namespace goes ahead of another namespace flooding the queue', async (t) => {
    const iso = isolation('q-fair-order');
    await useNamespace(t, iso.namespace);
    const quietNs = await useNamespace(t, `${iso.namespace}-q`.slice(0, 63));
    const rig = RuntimeRig.create(t, iso.queuePrefix, await redis());
    const enqueuer = fairEnqueuer(rig, 5);
    const flood = await createWidgets(iso.namespace, 60);
    const [quiet] = await createWidgets(quietNs, 1, 'quiet');
    if (!quiet) throw new Error('no widget');
    await enqueuer.enqueue(requests(flood));
    await enqueuer.enqueue(requests([quiet]));
    const state = (r: ObjectRef) => readQueueState(rig.queues.connection, rig.prefix, WidgetKind, r);
    t.like(
      await state(flood[59]!),
      { state: 'waiting', level: 11 },
      'the flood’s last object waits at level 11',
    );
    t.is((await state(quiet)).level, undefined, 'the quiet object waits unprioritized');
    await rig.probe.setBehavior('*', { sleepMs: 10 });
    rig.worker({ concurrency: 1 });
    await rig.drained(60_000);
    const order = (
      await Promise.all(
        [...flood, quiet].map(async (r) => ({
          key: keyOf(r),
          at: (await rig.probe.starts(keyOf(r)))[0] ?? Infinity,
        })),
      )
    )
      .sort((a, b) => a.at - b.at)
      .map((x) => x.key);
    const position = order.indexOf(keyOf(quiet));
    t.log(`the quiet namespace's object ran ${position + 1}th of ${order.length}`);
    t.true(position <= 5, 'only the flood’s first quantum (5) went before it');
    t.is(await rig.probe.totalRuns(), 61, 'each object ran once');
  });

  test('8. with fairness on, no key is lost and per-key exclusion holds: every object ends at its last version', async (t) => {
    const iso = isolation('q-fair-lost');
    await useNamespace(t, iso.namespace);
    const otherNs = await useNamespace(t, `${iso.namespace}-o`.slice(0, 63));
    const rig = RuntimeRig.create(t, iso.queuePrefix, await redis());
    const enqueuer = fairEnqueuer(rig, 3);
    const refs = [...(await createWidgets(iso.namespace, 20)), ...(await createWidgets(otherNs, 5))];
    await rig.probe.setBehavior('*', { sleepMs: 15 });
    await Promise.all([rig.spawnWorker({ concurrency: 4 }), rig.spawnWorker({ concurrency: 4 })]);
    for (let round = 0; round < 30; round++) {
      // Most changes in the first namespace (its overflow waits at fairness levels), some in the other.
      const changed = refs.filter((_, i) => (i * 7 + round) % 3 === 0);
      for (const r of changed) await rig.probe.bump(keyOf(r));
      await enqueuer.enqueue(requests(changed));
      if (round % 5 === 0) await enqueuer.enqueue(requests(refs), 'low');
      await sleep(25);
    }
    await rig.drained(120_000);
    t.is(await rig.probe.overlaps(), 0, 'no two reconciles of one object overlapped');
    for (const r of refs) {
      t.is(
        await rig.probe.observed(keyOf(r)),
        await rig.probe.gen(keyOf(r)),
        `${keyOf(r)} ran at its last version`,
      );
    }
  });

  test('9. under a steady load of fresh events, a low-priority job that would starve runs once aged (bound 2 s), while the load goes on', async (t) => {
    const iso = isolation('q-aging');
    await useNamespace(t, iso.namespace);
    const rig = RuntimeRig.create(t, iso.queuePrefix, await redis());
    const busy = await createWidgets(iso.namespace, 30);
    const [starved, aged] = await createWidgets(iso.namespace, 2, 'low');
    if (!starved || !aged) throw new Error('no widget');
    await rig.probe.setBehavior('*', { sleepMs: 40 });
    rig.worker({ concurrency: 1 });
    const stop = new AbortController();
    t.teardown(() => stop.abort());
    // About 50 fresh events a second for a worker that does at most 25: the wait list never empties.
    const load = (async () => {
      for (let i = 0; !stop.signal.aborted; i++) {
        await rig.enqueue(busy.slice(i % 30, (i % 30) + 1));
        await sleep(20);
      }
    })();
    await rig.enqueue([starved], 'low');
    t.like(await readQueueState(rig.queues.connection, rig.prefix, WidgetKind, starved), {
      state: 'waiting',
      lowPriority: true,
    });
    await sleep(4000);
    t.is(
      (await rig.probe.starts(keyOf(starved))).length,
      0,
      'control: without aging, the low job has not run',
    );
    const aging = runAging([{ kind: WidgetKind.kind, queue: rig.queue }], { maxWaitMs: 2000 }, stop.signal);
    const queuedAt = Date.now();
    await rig.enqueue([aged], 'low');
    await eventually(
      'the aged low-priority job to run',
      async () => (await rig.probe.starts(keyOf(aged))).length > 0,
      30_000,
      50,
    );
    const waited = ((await rig.probe.starts(keyOf(aged)))[0] ?? Infinity) - queuedAt;
    t.log(`the low-priority job waited ${waited} ms under the load (bound 2000 ms)`);
    // The property is "not starved": without aging the job never runs under this load (the
    // control above). How soon after the bound it runs is the machine's speed: 2.4 s on one server,
    // 4.4 s on Sentinel and 7.6 s on the Cluster in one loaded CI run, which failed the former
    // "bound + 4 s" here; the benchmark measures that wait (`npm run bench -- freshness`).
    t.true(waited <= 20_000, 'it ran long before the load would have let it');
    t.true((await rig.probe.starts(keyOf(starved))).length > 0, 'the job starved before aging ran too');
    stop.abort();
    await Promise.all([load, aging]);
  });
}
