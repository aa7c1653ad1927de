/**
 * Unit tests of the JetStream configuration a Tawon Stream wants, its drift check and the applied
 * limits shown in status.
 */
import test from 'ava';
import { DiscardPolicy, RetentionPolicy, StorageType } from 'nats';
import {
  desiredConfig,
  driftOf,
  limitsStatus,
  mutableConfig,
} from '../../../functions/tawon-stream/desired.js';
import { parseLimits, parseStoreLimits, resolveLimits } from '../../../shared/tawon/limits.js';

const store = parseStoreLimits({ defaults: { maxsize: 1000000, maxage: '240h', maxbytes: '1G' } });

test('the seed Stream wants limits retention on file storage, discarding the oldest', (t) => {
  const { applied } = resolveLimits(
    parseLimits({ maxmsgs: 100000, maxage: '6h', maxbytes: '1G' }, 'spec'),
    store,
  );
  t.deepEqual(desiredConfig('ns_mystream', 'tawon.ns.mystream', applied, 1), {
    name: 'ns_mystream',
    subjects: ['tawon.ns.mystream'],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_msgs: 100000,
    max_age: 6 * 3600e9,
    max_bytes: 1e9,
    num_replicas: 1,
  });
});

test('no applied limit means unlimited, and a clustered store replicates the stream three times', (t) => {
  const want = desiredConfig('n', 's', {}, 3);
  t.is(want.max_msgs, -1);
  t.is(want.max_age, 0);
  t.is(want.max_bytes, -1);
  t.is(want.num_replicas, 3);
});

test('drift names exactly the managed fields that differ, and an update sends only mutable ones', (t) => {
  const want = desiredConfig('n', 's', {}, 1);
  t.deepEqual(driftOf({ ...want }, want), []);
  t.deepEqual(driftOf({ ...want, max_msgs: 7, subjects: ['x'], duplicate_window: 5 }, want), [
    'subjects',
    'max_msgs',
  ]);
  t.deepEqual(Object.keys(mutableConfig(want)).sort(), [
    'discard',
    'max_age',
    'max_bytes',
    'max_msgs',
    'num_replicas',
    'subjects',
  ]);
});

test('the status shows messages as a number and age and size as written', (t) => {
  const { applied } = resolveLimits(parseLimits({ maxbytes: 1048576 }, 'spec'), store);
  t.deepEqual(limitsStatus(applied), { maxmsgs: 1000000, maxage: '240h', maxbytes: 1048576 });
});
