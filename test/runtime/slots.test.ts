/**
 * Redis Cluster slots of Sluice's keys, computed with cluster-key-slot (what ioredis uses): every
 * key of one queue (BullMQ's own, its deduplication and parked-event keys, built in its Lua
 * scripts from the queue's key prefix) shares one slot; the dispatcher's keys share one; the
 * kinds' queues spread over the slots. The real Cluster runs the contract suite on top.
 */
import test from 'ava';
import { QueueKeys } from 'bullmq';
import { checkpointKey, epochKey, jobKey, parkedEventKey, sourceKey } from '../../runtime/kube/keys.js';
import { commonSlot, evenShard, keySlot } from '../../runtime/redis/slots.js';
import { sluiceRegistry } from '../../shared/index.js';

const kinds = sluiceRegistry().all();

test('slots are Redis’ own: the documented example keys and hash tags', (t) => {
  // From the Redis Cluster specification: "123456789" hashes to 0x31C3 (12739).
  t.is(keySlot('123456789'), 12739);
  t.is(keySlot('{user1000}.following'), keySlot('user1000'));
  t.is(commonSlot(['{a}x', '{a}y']), keySlot('a'));
  t.is(commonSlot(['a', 'b']), undefined);
});

for (const kind of kinds) {
  test(`every key of the ${kind.kind} (${kind.group}) queue is in the queue’s slot`, (t) => {
    const bull = new QueueKeys('sluice');
    const ref = { group: kind.group, kind: kind.kind, namespace: 'prod', name: 'orders' };
    const queuePrefix = `${bull.getQueueQualifiedName(kind.queue)}:`;
    const keys = [
      ...Object.values(bull.getKeys(kind.queue)),
      `${queuePrefix}de:${jobKey(ref)}`,
      `${queuePrefix}${parkedEventKey(ref)}`,
      `${queuePrefix}17`, // a job's hash
      `${queuePrefix}17:lock`,
      `${queuePrefix}17:logs`,
    ];
    t.is(commonSlot(keys), keySlot(kind.queue));
  });
}

test('the dispatcher’s keys share one slot, so the checkpoints go in one MSET', (t) => {
  const keys = [
    epochKey('sluice'),
    ...kinds.flatMap((k) => [false, true].map((m) => checkpointKey('sluice', sourceKey(k, m)))),
  ];
  t.is(commonSlot(keys), keySlot('dispatcher'));
});

test('the kinds’ queues are on distinct slots and cover all three primaries of an evenly split Cluster', (t) => {
  const slots = kinds.map((k) => keySlot(k.queue));
  t.is(new Set(slots).size, kinds.length);
  t.deepEqual([...new Set(slots.map((s) => evenShard(s, 3)))].sort(), [0, 1, 2]);
});
