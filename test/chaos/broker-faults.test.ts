/**
 * Broker faults, on a private, password-protected nats-server the test stops and starts:
 * - down during reconciles: the ClusterStreams say so (Ready=False, BrokerUnavailable, with a
 *   message naming the broker), their jobs are retried with backoff rather than in a storm, and
 *   they converge once the broker is back;
 * - gone for good while a ClusterStream with `reclaimPolicy: Delete` (and so a finalizer) is being
 *   deleted: the deletion still completes once the broker-gone limit has passed (5 minutes in
 *   production, 10 s here), with a Warning Event `BrokerGone`.
 */
import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { Builtin, findCondition, type KubeObject } from '../../runtime/index.js';
import { ClusterStreamKind } from '../../shared/index.js';
import { adminClient } from '../helpers/context.js';
import { eventually } from '../helpers/kube.js';
import { FULL, finishChaosFile, recordRow } from './report.js';
import { ChaosRig, isReadyNow, untilReason } from './support/rig.js';

test.after.always(() => finishChaosFile(import.meta.url));

test.serial(
  'NATS down during reconciles: a BrokerUnavailable condition, retries with backoff, and recovery when it is back',
  async (t) => {
    t.timeout(240_000);
    const started = Date.now();
    const rig = await ChaosRig.create(t, 'c-broker-down');
    const nats = await rig.privateNats(t);
    await rig.dispatcher();
    await rig.worker();
    const spec = (i: number): Record<string, unknown> => ({
      name: rig.topic(`down-${i}`),
      storage: { server: { url: nats.url, protocol: 'nats', binding: 'nats-creds' } },
    });
    const before = await rig.clusterStream('before', spec(0));
    t.is(await rig.converged([before], 60_000), 1);

    const outageMs = FULL ? 20_000 : 8_000;
    await nats.server.down();
    const downAt = Date.now();
    await adminClient().patch(ClusterStreamKind, undefined, before, {
      spec: { config: { max_msgs: '500' } },
    });
    const during = await rig.clusterStream('during', spec(1));
    for (const name of [before, during]) {
      const obj = await untilReason(rig, name, 'BrokerUnavailable', 60_000);
      const ready = findCondition(obj.status, 'Ready');
      t.is(ready?.status, 'False');
      t.regex(ready?.message ?? '', /NATS/i, 'the message names the broker');
      t.regex(
        ready?.message ?? '',
        /unavailable|no answer|refused|timeout/i,
        'and says it cannot be reached',
      );
    }
    await eventually(
      'the failed reconcile to be retried',
      async () => ((await rig.job(during))?.attemptsMade ?? 0) >= 2,
      60_000,
    );
    await sleep(Math.max(0, outageMs - (Date.now() - downAt)));
    const attempts = (await rig.job(during))?.attemptsMade ?? 0;
    const seconds = (Date.now() - downAt) / 1000;
    t.log(`${attempts} attempts in a ${seconds.toFixed(0)} s outage`);
    t.true(attempts <= 20, `retries back off instead of storming (${attempts} attempts)`);
    await nats.server.up();

    const names = [before, during];
    const converged = await rig.converged(names, 90_000, isReadyNow);
    t.is(converged, names.length, 'both converged once the broker was back');
    const overlaps = rig.overlaps();
    const leaks = await rig.leaks();
    t.is(overlaps, 0);
    t.deepEqual(leaks, [], ChaosRig.describe(leaks));
    recordRow(import.meta.url, {
      fault: 'NATS down during reconciles',
      injected: 1,
      objects: names.length,
      converged,
      lost: names.length - converged,
      overlaps,
      leaks: leaks.length,
      seconds: (Date.now() - started) / 1000,
      note: `${attempts} attempts in ${seconds.toFixed(0)} s down`,
    });
  },
);

test.serial(
  'NATS gone for good while a ClusterStream with a finalizer is deleted: the deletion completes after the broker-gone limit, with a BrokerGone Warning',
  async (t) => {
    t.timeout(240_000);
    const started = Date.now();
    const goneAfterMs = 10_000;
    const rig = await ChaosRig.create(t, 'c-broker-gone');
    const nats = await rig.privateNats(t);
    await rig.dispatcher();
    await rig.worker({ brokerGoneAfterMs: goneAfterMs });
    const name = await rig.clusterStream('gone', {
      name: rig.topic('gone'),
      storage: {
        server: { url: nats.url, protocol: 'nats', binding: 'nats-creds' },
        reclaimPolicy: 'Delete',
      },
    });
    t.is(await rig.converged([name], 60_000), 1);
    t.true(((await rig.get(name))?.metadata.finalizers ?? []).length > 0, 'it carries the finalizer');

    await nats.server.stop();
    const deletedAt = Date.now();
    await adminClient().delete(ClusterStreamKind, undefined, name);
    // The limit, one retry period (at most 15 s) and the time a job takes to run again.
    const bound = goneAfterMs + 15_000 + 15_000;
    const gone = await rig.gone([name], bound);
    const took = (Date.now() - deletedAt) / 1000;
    t.is(gone, 1, `the deletion completed within ${bound / 1000} s`);
    t.log(`deleted ${took.toFixed(1)} s after the delete request`);
    const events = await eventsAbout(name);
    // Every failed attempt is reported. Each attempt ends in exactly one Warning: TopicDeleteFailed
    // ("will retry") while the limit has not passed, BrokerGone (with the attempt's error) once it
    // has. How many attempts end before the limit depends on when the first one starts and how long
    // the unreachable broker takes to time out (5 s): under load, the first attempt may itself end
    // past the 10 s limit, and then BrokerGone is its report. (Identical Warnings within five
    // minutes are recorded once.) So: one BrokerGone, and a TopicDeleteFailed when any attempt
    // came before the last.
    const attempts = rig.markers('begin').filter((m) => m.fields.step === 'finalize').length;
    t.log(`${attempts} finalize attempt(s)`);
    t.true(attempts >= 1);
    t.is(
      events.some((e) => e.reason === 'TopicDeleteFailed' && e.type === 'Warning'),
      attempts > 1,
      'every attempt before the last was reported as TopicDeleteFailed',
    );
    const brokerGone = events.filter((e) => e.reason === 'BrokerGone');
    t.is(brokerGone.length, 1, 'the last attempt was reported as BrokerGone');
    t.is(brokerGone[0]?.type, 'Warning');
    t.regex(brokerGone[0]?.message ?? '', /may remain/);
    t.regex(brokerGone[0]?.message ?? '', /NATS/i, "and carries the attempt's error");

    const leaks = await rig.leaks();
    t.deepEqual(leaks, [], ChaosRig.describe(leaks));
    recordRow(import.meta.url, {
      fault: 'NATS gone for good during a deletion',
      injected: 1,
      objects: 1,
      converged: gone,
      lost: 1 - gone,
      overlaps: rig.overlaps(),
      leaks: leaks.length,
      seconds: (Date.now() - started) / 1000,
      note: `deleted after ${took.toFixed(0)} s, limit ${goneAfterMs / 1000} s`,
    });
  },
);

interface EventLike {
  readonly type?: string;
  readonly reason?: string;
  readonly message?: string;
}

/** Events about a cluster-scoped object (recorded in `default`). */
async function eventsAbout(name: string): Promise<EventLike[]> {
  return eventually(
    `Events about ${name}`,
    async () => {
      const all = await adminClient().listAll(Builtin.Event, 'default');
      const mine = all.filter(
        (e: KubeObject) => (e as { involvedObject?: { name?: string } }).involvedObject?.name === name,
      ) as EventLike[];
      return mine.some((e) => e.reason === 'BrokerGone') ? mine : undefined;
    },
    20_000,
  );
}
