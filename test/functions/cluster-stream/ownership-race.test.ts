/**
 * The duplicate-name race across processes (issue 18), on the real API server, Redis and Kafka:
 * a dispatcher and two worker processes (the chaos suite's, `test/chaos/support`), and topics that
 * three ClusterStreams each want, all created at once so that their first reconciles run side by
 * side in both workers. Each topic gets exactly one owner; no other ClusterStream ever sends a
 * request that changes it (one CreateTopics per topic, the owner's settings and partitions stay);
 * then the sequences that could make Sluice delete or change another object's topic are tried:
 * deleting a loser (reclaimPolicy Delete), deleting the owner (the waiting ClusterStream takes
 * over, woken by the claim's deletion rather than a resync), and a late ClusterStream for a topic
 * that is owned.
 */
import test from 'ava';
import { findCondition, isRecord, type KubeObject } from '../../../runtime/index.js';
import { ChaosRig } from '../../chaos/support/rig.js';
import { testEnv } from '../../helpers/env.js';
import {
  claimFor,
  kafkaAdmin,
  partitionsOf,
  topicConfig,
  topicExists,
} from '../../fixtures/tanzu/fixtures.js';
import { adminClient } from '../../helpers/context.js';
import { ClusterStreamKind } from '../../../shared/index.js';

const TOPICS = 5;
const EACH = 3;
/** Far below the 5-minute pass a waiting ClusterStream would otherwise wait for. */
const TAKEOVER_MS = 60_000;

const retention = (j: number): string => String(3_600_000 * (j + 1));

function ready(obj: KubeObject | undefined): {
  status?: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
} {
  return findCondition(obj?.status, 'Ready') ?? {};
}

/** Settled: the owner's Ready=True or a loser's ResourceConflict, at the current generation. */
function settled(obj: KubeObject): boolean {
  const r = ready(obj);
  return (
    r.observedGeneration === obj.metadata.generation &&
    ((r.status === 'True' && r.reason === 'TopicReady') || r.reason === 'ResourceConflict')
  );
}

function claimOf(obj: KubeObject | undefined): { name?: string; owner?: boolean; holder?: string } {
  const status = isRecord(obj?.status) ? obj.status : {};
  return isRecord(status.claim) ? status.claim : {};
}

test.serial(
  'across two worker processes, three ClusterStreams created at once for one topic give it one owner, and no sequence of deletes lets another change or delete it',
  async (t) => {
    t.timeout(5 * 60_000);
    const rig = await ChaosRig.create(t, 'own-race');
    const admin = await kafkaAdmin(t, rig.iso.topicPrefix);
    await rig.dispatcher();
    // Every first reconcile waits until all of them have begun: their claims race at one instant.
    const barrier = { key: `${rig.iso.queuePrefix}:barrier`, count: TOPICS * EACH };
    const workers = [
      await rig.worker({ concurrency: 10, barrier }),
      await rig.worker({ concurrency: 10, barrier }),
    ];
    const url = testEnv().kafkaBrokers.join(',');
    const topics = Array.from({ length: TOPICS }, (_, i) => rig.topic(`t${i}`));
    // Stream j of each topic asks for j + 1 partitions and j + 1 hours: whose spec is on the
    // topic shows who changed it.
    const wanted = new Map<string, { topic: string; j: number }>();
    const names = await Promise.all(
      topics.flatMap((topic, i) =>
        Array.from({ length: EACH }, async (_, j) => {
          const name = await rig.clusterStream(`r${i}-${j}`, {
            name: topic,
            partitions: j + 1,
            config: { 'retention.ms': retention(j) },
            storage: { server: { url, protocol: 'kafka' }, reclaimPolicy: 'Delete' },
          });
          wanted.set(name, { topic, j });
          return name;
        }),
      ),
    );
    t.is(await rig.converged(names, 120_000, settled), names.length, 'every ClusterStream settled');
    const reconcilers = new Set(rig.markers('begin').map((m) => m.pid));
    t.is(reconcilers.size, 2, 'both worker processes reconciled ClusterStreams');
    // The race happened: every first reconcile was under way before any of them went on to
    // claim; how many topics' first reconciles ran in both processes is reported.
    const firstOf = (marker: string, n: string) =>
      rig.markers(marker).find((m) => m.fields.key === rig.key(n));
    const lastBegin = Math.max(...names.map((n) => firstOf('begin', n)?.at ?? Infinity));
    t.true(
      names.every((n) => (firstOf('released', n)?.at ?? -Infinity) >= lastBegin),
      'all first reconciles were under way at once',
    );
    const raced = topics.filter(
      (topic) =>
        new Set(names.filter((n) => wanted.get(n)?.topic === topic).map((n) => firstOf('released', n)?.pid))
          .size > 1,
    );
    t.log(`${raced.length} of ${TOPICS} topics were claimed from both processes at once`);

    /** The one owner of each topic among `alive`, checked against its claim and the broker. */
    async function owners(alive: readonly string[], phase: string): Promise<Map<string, string>> {
      const found = new Map<string, string>();
      for (const topic of topics) {
        const mine = alive.filter((n) => wanted.get(n)?.topic === topic);
        const objs = await Promise.all(mine.map((n) => rig.get(n)));
        const owning = mine.filter((_, k) => ready(objs[k]).status === 'True');
        t.is(owning.length, 1, `${phase}: one owner of ${topic}`);
        const owner = owning[0] ?? '';
        found.set(topic, owner);
        t.is(
          (await claimFor(topic))?.spec.holder.name,
          owner,
          `${phase}: the claim names the owner of ${topic}`,
        );
        for (const [k, name] of mine.entries()) {
          if (name === owner) continue;
          t.is(ready(objs[k]).reason, 'ResourceConflict', `${phase}: ${name}`);
          t.like(claimOf(objs[k]), { owner: false, holder: `ClusterStream ${owner}` }, `${phase}: ${name}`);
        }
        const j = wanted.get(owner)?.j ?? -1;
        t.is(await partitionsOf(admin, topic), j + 1, `${phase}: ${topic} has its owner's partitions`);
        t.is(
          (await topicConfig(admin, topic))['retention.ms'],
          retention(j),
          `${phase}: ${topic} has its owner's retention`,
        );
      }
      return found;
    }

    const first = await owners(names, 'after the race');
    for (const topic of topics) {
      const creates = rig.markers('createTopic').filter((m) => m.fields.topic === topic);
      t.is(creates.length, 1, `only the owner of ${topic} sent a CreateTopics`);
    }

    // 1. Delete one loser of each topic (reclaimPolicy Delete): the topics stay as they are.
    const losers = topics.map(
      (topic) => names.find((n) => wanted.get(n)?.topic === topic && n !== first.get(topic)) ?? '',
    );
    await Promise.all(losers.map((n) => adminClient().delete(ClusterStreamKind, undefined, n)));
    t.is(await rig.gone(losers, 60_000), losers.length, 'the losers are deleted');
    let alive = names.filter((n) => !losers.includes(n));
    for (const topic of topics)
      t.true(await topicExists(admin, topic), `${topic} survived its loser's deletion`);
    t.deepEqual(await owners(alive, 'after deleting losers'), first, 'the owners did not change');

    // 2. Delete every owner: its topic goes, and the last ClusterStream waiting for it takes over,
    //    creating the topic with its own spec, well before the 5-minute pass.
    const owning = [...first.values()];
    const started = Date.now();
    await Promise.all(owning.map((n) => adminClient().delete(ClusterStreamKind, undefined, n)));
    t.is(await rig.gone(owning, 60_000), owning.length, 'the owners are deleted');
    alive = alive.filter((n) => !owning.includes(n));
    t.is(await rig.converged(alive, TAKEOVER_MS, (o) => ready(o).reason === 'TopicReady'), alive.length);
    t.log(`takeover of ${alive.length} topics took ${Date.now() - started} ms after the owners were deleted`);
    const second = await owners(alive, 'after deleting owners');
    for (const topic of topics) t.not(second.get(topic), first.get(topic));

    // 3. A late ClusterStream for an owned topic waits, and changes nothing.
    const topic = topics[0] ?? '';
    const late = await rig.clusterStream('late', {
      name: topic,
      partitions: 9,
      storage: { server: { url, protocol: 'kafka' }, reclaimPolicy: 'Delete' },
    });
    wanted.set(late, { topic, j: 8 });
    t.is(await rig.converged([late], 60_000, settled), 1);
    t.is(ready(await rig.get(late)).reason, 'ResourceConflict');
    await owners([...alive, late], 'after a late ClusterStream');

    t.is(rig.overlaps(), 0, 'no two reconciles of one ClusterStream overlapped');
    for (const w of workers) t.true(w.alive);
  },
);
