/**
 * The pure parts of failover recovery: reading which node serves which slots from `CLUSTER
 * NODES`, and which kinds' queues a Cluster failover touches. (The chaos test
 * `redis-failover.test.ts` kills real primaries.)
 */
import test from 'ava';
import { affectedKinds } from '../../runtime/dispatcher/recovery.js';
import { slotOwners } from '../../runtime/redis/primary.js';
import { keySlot } from '../../runtime/redis/slots.js';
import { sluiceRegistry } from '../../shared/index.js';

const nodes = [
  'aaa 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460',
  'bbb 127.0.0.1:7001@17001 master - 0 0 2 connected 5461-10922',
  'ccc 127.0.0.1:7002@17002 master - 0 0 3 connected 10923-16383',
  'ddd 127.0.0.1:7003@17003 slave aaa 0 0 1 connected',
].join('\n');

test('CLUSTER NODES gives the slot ranges of the primaries, replicas left out', (t) => {
  t.deepEqual(slotOwners(nodes), [
    { from: 0, to: 5460, node: 'aaa' },
    { from: 5461, to: 10922, node: 'bbb' },
    { from: 10923, to: 16383, node: 'ccc' },
  ]);
});

test('a Cluster failover touches only the kinds whose queue is on the slots that changed hands', (t) => {
  const kinds = sluiceRegistry().all();
  const moved = (slot: number): boolean => slot >= 10923;
  const hit = affectedKinds({ cause: 'cluster-failover', slots: moved }, kinds, 'sluice');
  t.deepEqual(
    hit.map((k) => k.queue),
    kinds.filter((k) => keySlot(k.queue) >= 10923).map((k) => k.queue),
  );
  t.true(hit.length > 0 && hit.length < kinds.length);
  t.is(affectedKinds({ cause: 'switch-master' }, kinds, 'sluice').length, kinds.length);
});
