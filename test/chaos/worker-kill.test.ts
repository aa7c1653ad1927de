/**
 * A worker SIGKILLed in the middle of a reconcile with a side effect: it has just created the
 * Kafka topic of a ClusterStream when it dies, before it wrote anything to Kubernetes. The job's
 * lease expires, another worker reconciles the object again, adopts the topic instead of creating
 * it a second time, and the ClusterStream becomes Ready with the topic as specified.
 */
import test from 'ava';
import { isRecord } from '../../runtime/index.js';
import { kafkaAdmin, partitionsOf } from '../fixtures/tanzu/fixtures.js';
import { testEnv } from '../helpers/env.js';
import { FULL, finishChaosFile, recordRow } from './report.js';
import { ChaosRig } from './support/rig.js';

test.after.always(() => finishChaosFile(import.meta.url));

test.serial(
  'a worker killed right after creating a topic: the key is reconciled again after the lease expires, and the topic is created once',
  async (t) => {
    t.timeout(240_000);
    const started = Date.now();
    const rig = await ChaosRig.create(t, 'c-worker-kill');
    const admin = await kafkaAdmin(t, rig.iso.topicPrefix);
    const rounds = FULL ? 3 : 1;
    await rig.dispatcher();
    const names: string[] = [];
    const topics: string[] = [];
    for (let i = 0; i < rounds; i++) {
      const doomed = await rig.worker({ hangAfterCreate: true });
      const topic = rig.topic(`killed-${i}`);
      topics.push(topic);
      const name = await rig.clusterStream(`kill${i}`, {
        name: topic,
        partitions: 3,
        storage: { server: { url: testEnv().kafkaBrokers.join(','), protocol: 'kafka' } },
      });
      names.push(name);
      await doomed.waitFor('hanging', 60_000);
      await rig.kill(doomed);
      const survivor = await rig.worker();
      const ok = await rig.converged([name], 90_000);
      t.is(ok, 1, `ClusterStream ${name} converged after its worker was killed`);
      t.true(
        survivor.seen('begin').some((m) => m.fields.key === rig.key(name)),
        'a second worker reconciled the key again',
      );
      await survivor.stop();
    }

    const converged = await rig.converged(names, 30_000);
    for (const topic of topics) {
      const answers = rig.markers('createTopic').filter((m) => m.fields.topic === topic);
      t.is(answers.filter((m) => m.fields.answer === 'created').length, 1, `${topic} was created once`);
      t.is(await partitionsOf(admin, topic, 3), 3, `${topic} has the partitions of the spec`);
    }
    for (const name of names) {
      const status = (await rig.get(name))?.status;
      t.true(isRecord(status) && topics.includes(String(status.topicName)), 'the status names the topic');
    }
    const overlaps = rig.overlaps();
    const leaks = await rig.leaks();
    t.is(overlaps, 0);
    t.deepEqual(leaks, [], ChaosRig.describe(leaks));
    recordRow(import.meta.url, {
      fault: 'worker SIGKILLed just after creating a topic',
      injected: rounds,
      objects: names.length,
      converged,
      lost: names.length - converged,
      overlaps,
      leaks: leaks.length,
      seconds: (Date.now() - started) / 1000,
      note: `topic creations: ${rig.markers('createTopic').filter((m) => m.fields.answer === 'created').length}`,
    });
  },
);
