/**
 * Writers racing on one object's status. The job lease is not a fence: a worker paused in the
 * middle of a reconcile (SIGSTOP, as a long GC pause or a frozen VM would) loses its lease, a
 * second worker reconciles the newer spec, and when the first one wakes up its stale status write
 * must be refused (409, the resourceVersion it read is old) rather than overwrite the newer one.
 * And writers that do race on purpose (conditions of different types) retry on conflict until
 * every one of their updates is in.
 */
import test from 'ava';
import { connect } from 'nats';
import { conditionsOf, retryOnConflict, setCondition, systemClock } from '../../runtime/index.js';
import { ClusterStreamKind } from '../../shared/index.js';
import { natsStreamName } from '../../shared/tanzu/index.js';
import { adminClient } from '../helpers/context.js';
import { eventually } from '../helpers/kube.js';
import { finishChaosFile, recordRow } from './report.js';
import { ChaosRig, isReadyNow } from './support/rig.js';

test.after.always(() => finishChaosFile(import.meta.url));

test.serial(
  'a worker paused mid-reconcile loses its lease; its stale status write is refused and the newer one stays',
  async (t) => {
    t.timeout(180_000);
    const started = Date.now();
    const rig = await ChaosRig.create(t, 'c-status-race');
    const nats = await rig.privateNats(t);
    await rig.dispatcher();
    const stale = await rig.worker({ stallStatusMs: 5000 });
    const name = await rig.clusterStream('race', {
      name: rig.topic('race'),
      storage: { server: { url: nats.url, protocol: 'nats', binding: 'nats-creds' } },
    });
    await stale.waitFor('statusWrite', 60_000);
    rig.pause(stale);
    await adminClient().patch(ClusterStreamKind, undefined, name, { spec: { config: { max_msgs: '700' } } });
    await rig.worker();
    const gen2 = (o: Parameters<typeof isReadyNow>[0]): boolean =>
      isReadyNow(o) && o.metadata.generation === 2;
    t.is(await rig.converged([name], 60_000, gen2), 1, 'the second worker reconciled the newer spec');
    rig.resume(stale);
    await stale.waitFor('statusConflict', 30_000);
    // Whatever the stale worker does after its refused write happens inside its reconcile: once
    // every reconcile it began has ended, it has nothing left that could write.
    await eventually('the stale reconcile to end', () =>
      Promise.resolve(stale.seen('end').length >= stale.seen('begin').length),
    );
    t.true(
      gen2((await rig.get(name)) ?? { metadata: {} }),
      'the stale write did not replace the newer status',
    );

    await adminClient().patch(ClusterStreamKind, undefined, name, { spec: { config: { max_msgs: '800' } } });
    const converged = await rig.converged(
      [name],
      60_000,
      (o) => isReadyNow(o) && o.metadata.generation === 3,
    );
    t.is(converged, 1, 'a later change is reconciled as usual');
    const nc = await connect({ servers: nats.url, user: nats.user.name, pass: nats.user.password });
    const info = await (await nc.jetstreamManager()).streams.info(natsStreamName(rig.topic('race')));
    await nc.close();
    t.is(info.config.max_msgs, 800);

    const overlaps = rig.overlaps();
    const leaks = await rig.leaks();
    t.is(overlaps, 0);
    t.deepEqual(leaks, [], ChaosRig.describe(leaks));
    recordRow(import.meta.url, {
      fault: 'worker paused past its lease, racing on status',
      injected: 1,
      objects: 1,
      converged,
      lost: 1 - converged,
      overlaps,
      leaks: leaks.length,
      seconds: (Date.now() - started) / 1000,
      note: `stale writes refused: ${rig.markers('statusConflict').length}`,
    });
  },
);

test.serial(
  'concurrent writers of different conditions retry on conflict and none of their updates is lost',
  async (t) => {
    const started = Date.now();
    const rig = await ChaosRig.create(t, 'c-conditions');
    const name = await rig.clusterStream('conds', { name: rig.topic('conds') });
    const kube = adminClient();
    const writers = 4;
    let attempts = 0;
    let conflicts = 0;
    let arrived = 0;
    let release: () => void = () => undefined;
    const allRead = new Promise<void>((r) => (release = r));
    await Promise.all(
      Array.from({ length: writers }, (_, i) =>
        retryOnConflict(async () => {
          attempts++;
          const first = attempts <= writers;
          const obj = await kube.get(ClusterStreamKind, undefined, name);
          if (!obj) throw new Error('gone');
          if (first && ++arrived === writers) release();
          if (first) await allRead;
          const conditions = setCondition(
            conditionsOf(obj.status),
            { type: `Writer${i}`, status: 'True', reason: 'Wrote', message: `writer ${i}` },
            systemClock.now(),
          );
          try {
            return await kube.writeStatus(ClusterStreamKind, obj, { conditions });
          } catch (err) {
            conflicts++;
            throw err;
          }
        }, writers + 1),
      ),
    );
    const types = conditionsOf((await rig.get(name))?.status).map((c) => c.type);
    t.log(`${attempts} attempts, ${conflicts} conflicts`);
    t.true(conflicts >= writers - 1, 'the writers did conflict');
    t.deepEqual(
      types.sort(),
      Array.from({ length: writers }, (_, i) => `Writer${i}`),
      'every writer’s condition is there',
    );
    recordRow(import.meta.url, {
      fault: `${writers} writers racing on one status`,
      injected: conflicts,
      objects: 1,
      converged: types.length === writers ? 1 : 0,
      lost: writers - types.length,
      overlaps: 0,
      leaks: 0,
      seconds: (Date.now() - started) / 1000,
      note: `${conflicts} conflicts retried`,
    });
  },
);
