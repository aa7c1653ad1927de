/**
 * The API server restarted after etcd was compacted, with a real kind: the dispatcher's
 * ClusterStream watch reconnects (from a compacted resourceVersion: 410 Gone, then a re-list), and the changes made around the
 * restart reach the workers; the same dispatcher and worker processes carry on (none is
 * restarted), and every topic on Kafka gets the partitions of its changed spec. (The Widget
 * version of both faults, with the watch's own counters, is in watch-faults.test.ts.)
 * This restarts a shared server, so it runs alone, after the rest of the suite.
 */
import test from 'ava';
import { ClusterStreamKind } from '../../shared/index.js';
import { restartApiServerCompacted } from '../env/manager.js';
import { kafkaAdmin, partitionsOf } from '../fixtures/tanzu/fixtures.js';
import { adminClient } from '../helpers/context.js';
import { testEnv } from '../helpers/env.js';
import { eventually } from '../helpers/kube.js';
import { FULL, finishChaosFile, recordRow } from './report.js';
import { ChaosRig, isReadyNow } from './support/rig.js';

test.after.always(() => finishChaosFile(import.meta.url));

test.serial(
  'etcd compacted and the API server restarted: the running dispatcher and worker recover and every ClusterStream change is reconciled',
  async (t) => {
    t.timeout(240_000);
    const started = Date.now();
    const rig = await ChaosRig.create(t, 'c-apiserver');
    const admin = await kafkaAdmin(t, rig.iso.topicPrefix);
    const dispatcher = await rig.dispatcher();
    const worker = await rig.worker();
    const count = FULL ? 15 : 5;
    const names: string[] = [];
    for (let i = 0; i < count; i++) {
      names.push(
        await rig.clusterStream(`a${i}`, {
          name: rig.topic(`api-${i}`),
          partitions: 1,
          storage: { server: { url: testEnv().kafkaBrokers.join(','), protocol: 'kafka' } },
        }),
      );
    }
    t.is(await rig.converged(names, 90_000), count, 'all ready before the fault');

    await restartApiServerCompacted({ downMs: 1000 });
    for (const name of names) {
      await eventually(
        `the change of ${name} to be accepted`,
        async () => {
          await adminClient().patch(ClusterStreamKind, undefined, name, { spec: { partitions: 2 } });
          return true;
        },
        60_000,
        500,
      );
    }
    const converged = await rig.converged(
      names,
      120_000,
      (o) => isReadyNow(o) && o.metadata.generation === 2,
    );
    t.is(converged, count, 'every change made around the restart was reconciled');
    for (const name of names) t.is(await partitionsOf(admin, rig.topics.get(name) ?? '', 2), 2);
    t.true(dispatcher.alive && worker.alive, 'no process was restarted');

    const overlaps = rig.overlaps();
    t.is(overlaps, 0);
    recordRow(import.meta.url, {
      fault: 'etcd compacted + API server restarted',
      injected: 1,
      objects: count,
      converged,
      lost: count - converged,
      overlaps,
      leaks: 0,
      seconds: (Date.now() - started) / 1000,
    });
  },
);
