/**
 * Unit tests of the phase and condition computation from a StatefulSet's state, one or more per
 * phase, and of the storage-change detection that makes a cluster Failed.
 */
import test from 'ava';
import {
  clusterStatus,
  computePhase,
  readStatefulSet,
  type StatefulSetState,
} from '../../../functions/streambus-cluster/status.js';
import { storageChange } from '../../../functions/streambus-cluster/storage.js';
import { build } from './build.js';

/** A settled StatefulSet of `n` ready pods on one revision. */
function settled(n: number, patch: Partial<StatefulSetState> = {}): StatefulSetState {
  return {
    generation: 2,
    observedGeneration: 2,
    specReplicas: n,
    replicas: n,
    readyReplicas: n,
    updatedReplicas: n,
    currentRevision: 'r1',
    updateRevision: 'r1',
    ...patch,
  };
}

test('no StatefulSet is Pending', (t) => {
  t.is(computePhase({ want: 3, sts: undefined }), 'Pending');
});

test('a new StatefulSet with no ready pod is Creating', (t) => {
  const fresh = settled(3, {
    generation: 1,
    observedGeneration: undefined,
    replicas: 0,
    readyReplicas: 0,
    updatedReplicas: 0,
  });
  t.is(computePhase({ want: 3, sts: fresh }), 'Creating');
});

test('a first start with some pods ready is still Creating', (t) => {
  t.is(computePhase({ want: 3, sts: settled(3, { readyReplicas: 1 }), previous: 'Creating' }), 'Creating');
});

test('every pod ready and updated is Running', (t) => {
  t.is(computePhase({ want: 3, sts: settled(3), previous: 'Creating' }), 'Running');
});

test('a StatefulSet whose controller has not seen the latest generation is Updating', (t) => {
  t.is(computePhase({ want: 3, sts: settled(3, { generation: 3 }), previous: 'Running' }), 'Updating');
});

test('a revision being rolled out is Updating, even with no pod ready', (t) => {
  const rolling = settled(3, { updateRevision: 'r2', updatedReplicas: 1, readyReplicas: 2 });
  t.is(computePhase({ want: 3, sts: rolling, previous: 'Running' }), 'Updating');
  t.is(
    computePhase({
      want: 1,
      sts: settled(1, { updateRevision: 'r2', readyReplicas: 0 }),
      previous: 'Running',
    }),
    'Updating',
  );
});

test('all pods ready but the revision not yet current is Updating', (t) => {
  t.is(
    computePhase({ want: 3, sts: settled(3, { updateRevision: 'r2' }), previous: 'Updating' }),
    'Updating',
  );
});

test('a scale-up is Updating until the new brokers are ready', (t) => {
  t.is(computePhase({ want: 5, sts: settled(3, { generation: 3 }), previous: 'Running' }), 'Updating');
  const created = settled(5, { readyReplicas: 3 });
  t.is(computePhase({ want: 5, sts: created, previous: 'Updating' }), 'Updating');
  t.is(computePhase({ want: 5, sts: settled(5), previous: 'Updating' }), 'Running');
});

test('a broker down on a settled cluster is Degraded', (t) => {
  t.is(computePhase({ want: 3, sts: settled(3, { readyReplicas: 2 }), previous: 'Running' }), 'Degraded');
});

test('a broker pod lost on a Running cluster is Degraded, not Updating', (t) => {
  const lost = settled(3, { replicas: 2, updatedReplicas: 2, readyReplicas: 2 });
  t.is(computePhase({ want: 3, sts: lost, previous: 'Running' }), 'Degraded');
});

test('an existing pod not on the update revision is Updating', (t) => {
  t.is(computePhase({ want: 3, sts: settled(3, { updatedReplicas: 2 }), previous: 'Running' }), 'Updating');
});

test('a scale-down is Updating until the surplus pods are gone', (t) => {
  const shrinking = settled(3, { replicas: 5, updatedReplicas: 5, readyReplicas: 5 });
  t.is(computePhase({ want: 3, sts: shrinking, previous: 'Running' }), 'Updating');
});

test('a failure is Failed whatever the StatefulSet says', (t) => {
  t.is(
    computePhase({ want: 3, sts: settled(3), failure: { reason: 'StorageImmutable', message: 'm' } }),
    'Failed',
  );
});

test('the status of a Running cluster has Ready=True, Progressing=False, Degraded=False and the counts', (t) => {
  const now = new Date('2026-01-01T00:00:00Z');
  const { phase, status } = clusterStatus(
    { want: 3, sts: settled(3), generation: 4, endpoints: ['a:9092'], previous: 'Creating' },
    {},
    now,
  );
  t.is(phase, 'Running');
  t.like(status, {
    phase: 'Running',
    replicas: 3,
    readyReplicas: 3,
    observedGeneration: 4,
    endpoints: ['a:9092'],
  });
  const conditions = status.conditions as {
    type: string;
    status: string;
    reason: string;
    observedGeneration: number;
  }[];
  t.deepEqual(
    conditions.map((c) => [c.type, c.status, c.reason, c.observedGeneration]),
    [
      ['Degraded', 'False', 'AsExpected', 4],
      ['Progressing', 'False', 'RolloutComplete', 4],
      ['Ready', 'True', 'ClusterReady', 4],
    ],
  );
});

test('recomputing an unchanged status gives an identical one (transition times kept)', (t) => {
  const input = { want: 3, sts: settled(3), generation: 4, endpoints: ['a:9092'], previous: 'Running' };
  const first = clusterStatus(input, {}, new Date('2026-01-01T00:00:00Z')).status;
  const again = clusterStatus(input, first, new Date('2026-01-02T00:00:00Z')).status;
  t.deepEqual(again, first);
});

test('a Failed status keeps the previous endpoints and reports the failure in every condition', (t) => {
  const failure = { reason: 'StorageImmutable', message: 'size 10Gi → 20Gi' };
  const { status } = clusterStatus(
    { want: 0, sts: settled(3), failure, generation: 5, endpoints: [] },
    { endpoints: ['old:9092'] },
    new Date(),
  );
  t.like(status, { phase: 'Failed', endpoints: ['old:9092'], observedGeneration: 5, readyReplicas: 3 });
  const byType = Object.fromEntries(
    (status.conditions as { type: string; status: string; reason: string }[]).map((c) => [c.type, c]),
  );
  t.like(byType.Ready, { status: 'False', reason: 'StorageImmutable' });
  t.like(byType.Degraded, { status: 'True', reason: 'StorageImmutable' });
  t.like(byType.Progressing, { status: 'False', reason: 'StorageImmutable' });
});

test('a warning keeps the phase but makes Ready=False and Degraded=True with its reason', (t) => {
  const warning = { reason: 'ServiceMonitorCRDMissing', message: 'no CRD' };
  const { phase, status } = clusterStatus(
    { want: 3, sts: settled(3), warning, generation: 1, endpoints: [] },
    {},
    new Date(),
  );
  t.is(phase, 'Running');
  const byType = Object.fromEntries(
    (status.conditions as { type: string; status: string; reason: string }[]).map((c) => [c.type, c]),
  );
  t.like(byType.Ready, { status: 'False', reason: 'ServiceMonitorCRDMissing' });
  t.like(byType.Degraded, { status: 'True', reason: 'ServiceMonitorCRDMissing' });
});

test('a StatefulSet read from the API server is narrowed to its state', (t) => {
  const state = readStatefulSet({
    metadata: { name: 's', generation: 3 },
    spec: { replicas: 3 },
    status: {
      observedGeneration: 3,
      replicas: 3,
      readyReplicas: 2,
      updatedReplicas: 3,
      currentRevision: 'a',
      updateRevision: 'b',
    },
  });
  t.deepEqual(
    state,
    settled(3, {
      generation: 3,
      observedGeneration: 3,
      readyReplicas: 2,
      currentRevision: 'a',
      updateRevision: 'b',
    }),
  );
  t.is(readStatefulSet(undefined), undefined);
});

test('a change of storage size, raft size or class is detected; an unchanged one is not', (t) => {
  const existing = build().sts;
  t.deepEqual(storageChange(existing, build().sts), []);
  t.deepEqual(storageChange(undefined, build().sts), []);
  t.deepEqual(storageChange(existing, build({ storage: { size: '20Gi' } }).sts), [
    'claim template data: size 10Gi → 20Gi',
  ]);
  t.deepEqual(storageChange(existing, build({ storage: { raftSize: '6Gi' } }).sts), [
    'claim template raft-data: size 5Gi → 6Gi',
  ]);
  t.is(storageChange(existing, build({ storage: { class: 'ssd-csi' } }).sts).length, 2);
  t.deepEqual(
    storageChange(existing, build({ storage: { size: '10240Mi' } }).sts),
    [],
    'same size, other spelling',
  );
});

test('a size with a decimal fraction is no change from its whole spelling (4.1G is 4100M)', (t) => {
  const existing = build({ storage: { size: '4.1G' } }).sts;
  t.deepEqual(storageChange(existing, build({ storage: { size: '4100M' } }).sts), []);
  t.deepEqual(storageChange(existing, build({ storage: { size: '4.2G' } }).sts), [
    'claim template data: size 4.1G → 4.2G',
  ]);
});
