/**
 * The pure rules of ownership: broker identities and claim names, the hands-off annotations, when a
 * deletion may delete a broker object, how drift reads, and which objects a claim's deletion wakes.
 */
import test from 'ava';
import { type KubeObject } from '../../../runtime/index.js';
import {
  ClusterStreamKind,
  claimNameOf,
  claimWaiters,
  deletionVerdict,
  describeChanges,
  jetStreamObject,
  kafkaTopicObject,
  managedCondition,
  managementOf,
  natsServerKey,
  type BrokerClaim,
  type Management,
} from '../../../shared/index.js';

const obj = (annotations: Record<string, string>): KubeObject => ({ metadata: { name: 'x', annotations } });

test('NATS servers are one broker whatever the scheme, letter case, default port and order', (t) => {
  t.is(natsServerKey('nats://Store.NS.svc:4222'), 'store.ns.svc:4222');
  t.is(natsServerKey('tls://store.ns.svc'), 'store.ns.svc:4222');
  t.is(natsServerKey('store.ns.svc:4333/'), 'store.ns.svc:4333');
  t.is(natsServerKey('[::1]'), '[::1]:4222');
  t.is(
    jetStreamObject(['nats://b:4222', 'a'], 'S').broker,
    jetStreamObject(['a:4222', 'nats://B'], 'S').broker,
  );
});

test('a claim name depends on protocol, broker and object only, and fits a Kubernetes name', (t) => {
  const a = claimNameOf(kafkaTopicObject('cluster-1', 'orders'));
  t.is(a, claimNameOf(kafkaTopicObject('cluster-1', 'orders')));
  t.regex(a, /^kafka-[0-9a-f]{40}$/);
  t.not(a, claimNameOf(kafkaTopicObject('cluster-2', 'orders')), 'another cluster, another topic');
  t.not(a, claimNameOf(kafkaTopicObject('cluster-1', 'orders2')));
  t.regex(claimNameOf(jetStreamObject(['a'], 'orders')), /^nats-[0-9a-f]{40}$/);
});

test('the annotations default to managed, nothing ignored, adopted objects kept', (t) => {
  const m = managementOf({ metadata: {} });
  t.is(m.mode, 'managed');
  t.deepEqual([...m.ignored], []);
  t.false(m.deleteAdopted);
});

test('the annotations are read exactly, and what cannot be read is InvalidAnnotation', (t) => {
  const m = managementOf(
    obj({
      'sluice.io/management': 'read-only',
      'sluice.io/ignore-settings': 'b.x, a.y  c.z',
      'sluice.io/delete-adopted': 'true',
    }),
  );
  t.is(m.mode, 'read-only');
  t.deepEqual([...m.ignored], ['a.y', 'b.x', 'c.z']);
  t.true(m.deleteAdopted);
  for (const bad of [{ 'sluice.io/management': 'Unmanaged' }, { 'sluice.io/delete-adopted': 'yes' }]) {
    t.is(t.throws(() => managementOf(obj(bad)))?.message.startsWith('annotation'), true);
  }
  const err = t.throws(() => managementOf(obj({ 'sluice.io/ignore-settings': 'max_age,nope' }), ['max_age']));
  t.is((err as { reason?: string }).reason, 'InvalidAnnotation');
  t.regex(err?.message ?? '', /names nope, which Sluice does not manage here/);
});

test('the Managed condition names the mode, and in read-only mode the drift', (t) => {
  t.like(managedCondition('managed', 'Kafka topic t', [], 3), {
    status: 'True',
    reason: 'Managed',
    observedGeneration: 3,
  });
  const ro = managedCondition(
    'read-only',
    'Kafka topic t',
    [{ setting: 'retention.ms', broker: '1', spec: '2' }],
    3,
  );
  t.like(ro, { status: 'False', reason: 'ReadOnly' });
  t.regex(ro.message, /it differs: retention\.ms 1 → 2/);
  t.like(managedCondition('unmanaged', 'Kafka topic t', [], undefined), {
    status: 'False',
    reason: 'Unmanaged',
  });
});

function claim(holderUid: string, adopted: boolean): BrokerClaim {
  return {
    metadata: { name: 'kafka-1' },
    spec: {
      protocol: 'kafka',
      broker: 'kafka:c',
      object: 't',
      adopted,
      holder: {
        apiVersion: 'streaming.tanzu.vmware.com/v1alpha1',
        kind: 'ClusterStream',
        name: 'owner',
        uid: holderUid,
      },
    },
  };
}

test('a deletion deletes a broker object only for its holder, in managed mode, and an adopted one only when asked', (t) => {
  const managed: Management = { mode: 'managed', ignored: new Set(), deleteAdopted: false };
  t.deepEqual(deletionVerdict(claim('me', false), 'me', managed), { delete: true });
  t.like(deletionVerdict(claim('other', false), 'me', managed), {
    delete: false,
    why: 'it is owned by ClusterStream owner',
  });
  t.like(deletionVerdict(undefined, 'me', managed), { delete: false });
  t.like(deletionVerdict(claim('me', true), 'me', managed), { delete: false });
  t.deepEqual(deletionVerdict(claim('me', true), 'me', { ...managed, deleteAdopted: true }), {
    delete: true,
  });
  t.like(deletionVerdict(claim('me', false), 'me', { ...managed, mode: 'read-only' }), { delete: false });
  t.like(deletionVerdict(claim('me', false), 'me', { ...managed, mode: 'unmanaged' }), { delete: false });
});

test('drift reads setting, broker value and spec value', (t) => {
  t.is(
    describeChanges([
      { setting: 'max.message.bytes', broker: '2000', spec: '(default)' },
      { setting: 'retention.ms', broker: '1000', spec: '3600000' },
    ]),
    'max.message.bytes 2000 → (default), retention.ms 1000 → 3600000',
  );
});

test("a claim's deletion wakes the objects waiting for that claim, not its owner nor those waiting for another", (t) => {
  const cs = (name: string, claim: unknown): KubeObject => ({
    metadata: { name, uid: name },
    status: { claim },
  });
  const objects = [
    cs('owner', { name: 'c1', owner: true, holder: 'ClusterStream owner' }),
    cs('waiter', { name: 'c1', owner: false, holder: 'ClusterStream owner' }),
    cs('elsewhere', { name: 'c2', owner: false, holder: 'ClusterStream x' }),
    cs('plain', undefined),
  ];
  const lookup = { list: () => objects, get: () => undefined };
  t.deepEqual(
    claimWaiters(ClusterStreamKind)({ metadata: { name: 'c1' } }, lookup).map((r) => r.name),
    ['waiter'],
  );
});
