/**
 * Redis restarted empty while reconciles are pending: every queued job is gone. The dispatcher
 * notices that Redis lost its data, queues every ClusterStream it knows again, and all of them
 * converge on their JetStream streams (on a private, password-protected nats-server). The full
 * run also restarts Redis a second time while the workers are busy and changes every object
 * after that.
 */
import test from 'ava';
import { connect } from 'nats';
import { ClusterStreamKind } from '../../shared/index.js';
import { natsStreamName } from '../../shared/tanzu/index.js';
import { adminClient } from '../helpers/context.js';
import { eventually } from '../helpers/kube.js';
import { FULL, finishChaosFile, recordRow } from './report.js';
import { ChaosRig, isReadyNow } from './support/rig.js';

test.after.always(() => finishChaosFile(import.meta.url));

test.serial(
  'Redis restarted empty with reconciles pending: the dispatcher re-lists and every ClusterStream converges',
  async (t) => {
    t.timeout(300_000);
    const started = Date.now();
    const rig = await ChaosRig.create(t, 'c-redis-empty', { privateRedis: true });
    const redis = rig.redis;
    if (!redis) throw new Error('no private Redis');
    const nats = await rig.privateNats(t);
    const count = FULL ? 40 : 10;
    const dispatcher = await rig.dispatcher();
    const names: string[] = [];
    for (let i = 0; i < count; i++) {
      names.push(
        await rig.clusterStream(`r${i}`, {
          name: rig.topic(`pending-${i}`),
          storage: { server: { url: nats.url, protocol: 'nats', binding: 'nats-creds' } },
        }),
      );
    }
    await eventually('every ClusterStream to be queued', async () => (await rig.pending()) === count, 30_000);
    await redis.restartEmpty();
    let restarts = 1;
    await eventually(
      'the dispatcher to notice the lost data',
      () => Promise.resolve(dispatcher.logged('Redis lost its data')),
      30_000,
    );
    await rig.worker();
    await rig.worker();
    if (FULL) {
      await eventually('some to converge', async () => (await rig.converged(names, 0)) > count / 4, 60_000);
      await redis.restartEmpty();
      restarts++;
      await eventually(
        'the dispatcher to notice the second loss',
        () => Promise.resolve(dispatcher.loggedTimes('Redis lost its data') >= 2),
        30_000,
      );
    }
    t.is(await rig.converged(names, 120_000), count, 'every ClusterStream converged after the restart');

    // Changes after the restart(s) are reconciled too.
    for (const name of names)
      await adminClient().patch(ClusterStreamKind, undefined, name, {
        spec: { config: { max_msgs: '1000' } },
      });
    const converged = await rig.converged(
      names,
      120_000,
      (o) => isReadyNow(o) && o.metadata.generation === 2,
    );
    t.is(converged, count);

    const nc = await connect({ servers: nats.url, user: nats.user.name, pass: nats.user.password });
    const jsm = await nc.jetstreamManager();
    for (const name of names) {
      const topic = rig.topics.get(name) ?? '';
      const info = await jsm.streams.info(natsStreamName(topic));
      t.is(info.config.max_msgs, 1000, `${topic} has the changed limit`);
    }
    await nc.close();

    const overlaps = rig.overlaps();
    const leaks = await rig.leaks();
    t.is(overlaps, 0);
    t.deepEqual(leaks, [], ChaosRig.describe(leaks));
    recordRow(import.meta.url, {
      fault: 'Redis restarted empty with jobs pending',
      injected: restarts,
      objects: count,
      converged,
      lost: count - converged,
      overlaps,
      leaks: leaks.length,
      seconds: (Date.now() - started) / 1000,
    });
  },
);
