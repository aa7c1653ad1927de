/**
 * The leading dispatcher SIGKILLed while events flow (ClusterStreams being created and changed,
 * on a private, password-protected nats-server): it cannot release its Lease, so a standby takes
 * over when the Lease expires, within 20 s, and every ClusterStream converges, those created and
 * changed during the gap included. The full run kills the new leader too.
 */
import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClusterStreamKind } from '../../shared/index.js';
import { adminClient } from '../helpers/context.js';
import { FULL, finishChaosFile, recordRow } from './report.js';
import type { SluiceChild } from './support/child.js';
import { ChaosRig, isReadyNow } from './support/rig.js';

test.after.always(() => finishChaosFile(import.meta.url));

test.serial(
  'the leading dispatcher killed while events flow: a standby leads within 20 s and every ClusterStream converges',
  async (t) => {
    t.timeout(300_000);
    const started = Date.now();
    const rig = await ChaosRig.create(t, 'c-leader-kill');
    const nats = await rig.privateNats(t);
    await rig.worker();
    await rig.worker();
    const lease = (identity: string): { name: string; identity: string } => ({ name: 'chaos-cs', identity });
    const standbys: SluiceChild[] = [await rig.dispatcher(lease('a')), await rig.dispatcher(lease('b'))];
    const leaderOf = async (): Promise<SluiceChild> => {
      for (;;) {
        const leading = standbys.filter((d) => d.alive && d.seen('leading').length > 0);
        if (leading.length === 1 && leading[0]) return leading[0];
        if (leading.length > 1) throw new Error('two dispatchers lead at once');
        await sleep(100);
      }
    };

    const names: string[] = [];
    let flowing = true;
    let n = 0;
    const flow = (async () => {
      while (flowing) {
        names.push(
          await rig.clusterStream(`l${n}`, {
            name: rig.topic(`flow-${n}`),
            storage: { server: { url: nats.url, protocol: 'nats', binding: 'nats-creds' } },
          }),
        );
        const older = names[Math.floor(Math.random() * names.length)];
        if (older !== undefined) {
          await adminClient()
            .patch(ClusterStreamKind, undefined, older, { spec: { config: { max_msgs: String(100 + n) } } })
            .catch(() => undefined);
        }
        n++;
        await sleep(300);
      }
    })();

    const kills = FULL ? 2 : 1;
    const takeovers: number[] = [];
    for (let k = 0; k < kills; k++) {
      const leader = await leaderOf();
      await sleep(2000);
      const killedAt = Date.now();
      await rig.kill(leader);
      standbys.splice(standbys.indexOf(leader), 1);
      const next = await leaderOf();
      const took = ((next.seen('leading')[0]?.at ?? Date.now()) - killedAt) / 1000;
      takeovers.push(took);
      t.log(`standby ${next.pid} led ${took.toFixed(1)} s after the leader was killed`);
      t.true(took < 20, `the standby led within 20 s (took ${took.toFixed(1)} s)`);
      if (k + 1 < kills) standbys.push(await rig.dispatcher(lease(`c${k}`)));
      await sleep(2000);
    }
    flowing = false;
    await flow;

    const converged = await rig.converged(names, 120_000, isReadyNow);
    t.is(converged, names.length, 'every ClusterStream converged at its latest generation');
    const overlaps = rig.overlaps();
    const leaks = await rig.leaks();
    t.is(overlaps, 0);
    t.deepEqual(leaks, [], ChaosRig.describe(leaks));
    recordRow(import.meta.url, {
      fault: 'leading dispatcher SIGKILLed while events flow',
      injected: kills,
      objects: names.length,
      converged,
      lost: names.length - converged,
      overlaps,
      leaks: leaks.length,
      seconds: (Date.now() - started) / 1000,
      note: `takeover ${takeovers.map((s) => `${s.toFixed(1)} s`).join(', ')}`,
    });
  },
);
