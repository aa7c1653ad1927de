/**
 * Redis fails over under load: with two worker processes and events flowing, the primary is
 * SIGKILLed, once under Sentinel and once in a Redis Cluster (the primary of the Widget queue's
 * slot). The dispatcher notices the change of primary and queues again what may have been lost;
 * every object converges to its final state, with no overlapping reconciles of one object. The
 * test prints the time to a new primary, to the dispatcher noticing, and to full recovery.
 */
import test, { type ExecutionContext } from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { keySlot } from '../../runtime/redis/slots.js';
import type { RedisEndpoint } from '../../runtime/redis/endpoint.js';
import {
  clusterPrimaryOf,
  killServer,
  redisCluster,
  restartServers,
  sentinelGroup,
  sentinelPrimary,
} from '../env/redis-topologies.js';
import { isolation } from '../helpers/env.js';
import { eventually, useNamespace } from '../helpers/kube.js';
import {
  RuntimeRig,
  createWidgets,
  installTestCrds,
  keyOf,
  startWidgetDispatcher,
} from '../runtime/harness.js';
import { WidgetKind } from '../runtime/widget-function.js';
import { FULL, finishChaosFile, recordRow } from './report.js';

test.before(async () => {
  await installTestCrds();
});
test.after.always(() => finishChaosFile(import.meta.url));

interface Fault {
  /** The port of the primary to kill. */
  primary(): Promise<number | undefined>;
  kill(port: number): Promise<void>;
  restore(): Promise<void>;
}

async function failover(
  t: ExecutionContext,
  label: string,
  endpoint: RedisEndpoint,
  fault: Fault,
): Promise<void> {
  t.timeout(240_000);
  const iso = isolation(label);
  await useNamespace(t, iso.namespace);
  const rig = RuntimeRig.create(t, iso.queuePrefix, endpoint);
  t.teardown(() => fault.restore());
  const count = FULL ? 60 : 20;
  const refs = await createWidgets(iso.namespace, count);
  await rig.probe.setBehavior('*', { sleepMs: 30 });
  await Promise.all([
    rig.spawnWorker({ concurrency: 5, lockDurationMs: 3000, stalledIntervalMs: 1000 }),
    rig.spawnWorker({ concurrency: 5, lockDurationMs: 3000, stalledIntervalMs: 1000 }),
  ]);
  startWidgetDispatcher(t, rig, iso.namespace, { redisMode: endpoint.mode, checkpointMs: 500 });
  await eventually(
    'every widget to be reconciled once',
    async () => (await rig.probe.totalRuns()) >= count,
    60_000,
  );

  // Events flow: each one bumps an object's generation and asks for a reconcile.
  let flowing = true;
  let events = 0;
  const flow = (async () => {
    while (flowing) {
      const ref = refs[events % refs.length];
      if (ref) {
        await rig.probe.bump(keyOf(ref));
        await rig.enqueue([ref]).catch(() => undefined);
        events++;
      }
      await sleep(10);
    }
  })();
  await sleep(2000);
  const old = await fault.primary();
  if (old === undefined) throw new Error('no primary found');
  const killedAt = Date.now();
  await fault.kill(old);
  // No event after the kill: an object whose last job the old primary had not replicated
  // converges only if the dispatcher's recovery queues it again.
  flowing = false;
  await flow;
  let newPrimaryMs = 0;
  await eventually(
    'a new primary',
    async () => {
      const now = await fault.primary();
      if (now === undefined || now === old) return false;
      newPrimaryMs = Date.now() - killedAt;
      return true;
    },
    60_000,
    100,
  );
  let noticedMs = 0;
  await eventually(
    'the dispatcher to notice the change of primary',
    async () => {
      const m = await rig.metrics.redisRecoveries.get();
      if (!m.values.some((v) => v.value > 0)) return false;
      noticedMs = Date.now() - killedAt;
      return true;
    },
    60_000,
    100,
  );
  const converged = async (): Promise<number> => {
    let n = 0;
    for (const r of refs) if ((await rig.probe.observed(keyOf(r))) === (await rig.probe.gen(keyOf(r)))) n++;
    return n;
  };
  await eventually(
    'every widget to reach its final state',
    async () => (await converged()) === count,
    90_000,
    200,
  );
  const recoveredMs = Date.now() - killedAt;
  const overlaps = await rig.probe.overlaps();
  t.log(
    `${endpoint.mode}: ${events} events; new primary after ${(newPrimaryMs / 1000).toFixed(1)} s, noticed after ${(noticedMs / 1000).toFixed(1)} s, every object at its final state after ${(recoveredMs / 1000).toFixed(1)} s; overlaps ${overlaps}`,
  );
  t.is(await converged(), count);
  t.is(overlaps, 0);
  recordRow(import.meta.url, {
    fault: `Redis primary SIGKILLed (${endpoint.mode})`,
    injected: 1,
    objects: count,
    converged: count,
    lost: 0,
    overlaps,
    leaks: 0,
    seconds: recoveredMs / 1000,
  });
}

test.serial(
  'Sentinel: the primary SIGKILLed under load loses nothing, and every object converges',
  async (t) => {
    const group = await sentinelGroup();
    await failover(t, 'c-failover-sentinel', group.endpoint, {
      primary: () => sentinelPrimary(group),
      kill: (port) => killServer('sentinel', port),
      restore: async () => {
        await restartServers('sentinel');
      },
    });
  },
);

test.serial(
  'Cluster: the primary of the queue’s slot SIGKILLed under load loses nothing, and every object converges',
  async (t) => {
    const cluster = await redisCluster();
    // The queue's name carries its hash tag, so its slot does not depend on the test's prefix.
    const slot = keySlot(WidgetKind.queue);
    await failover(t, 'c-failover-cluster', cluster.endpoint, {
      primary: () => clusterPrimaryOf(cluster.servers, slot),
      kill: (port) => killServer('cluster', port),
      restore: async () => {
        await restartServers('cluster');
      },
    });
  },
);
