/**
 * The one key builder. The persisted forms are compared with literal strings: they are what the
 * previous release left in Redis (job deduplication ids, parked events, queue names, watch
 * checkpoints), so an upgrade must build them byte for byte.
 */
import test from 'ava';
import {
  checkpointKey,
  dispatcherKeyPatterns,
  displayName,
  epochKey,
  identityKey,
  jobKey,
  kindKey,
  legacyCheckpointKey,
  legacyEpochKey,
  namespacedName,
  parkedEventKey,
  queueName,
  sourceKey,
  storeKey,
} from '../../runtime/kube/keys.js';
import type { KubeObject } from '../../runtime/kube/types.js';

const sbc = { group: 'streambus.io', version: 'v1alpha1', kind: 'StreamBusCluster' };
const configMap = { group: '', version: 'v1', kind: 'ConfigMap' };
const clusterStream = { group: 'streaming.tanzu.vmware.com', version: 'v1alpha1', kind: 'ClusterStream' };

test('a job key is group/Kind/namespace/name, with core for the core group and _ for no namespace', (t) => {
  t.is(jobKey({ ...sbc, namespace: 'prod', name: 'bus' }), 'streambus.io/StreamBusCluster/prod/bus');
  t.is(jobKey({ ...configMap, namespace: 'a', name: 'b' }), 'core/ConfigMap/a/b');
  t.is(jobKey({ ...clusterStream, name: 'orders' }), 'streaming.tanzu.vmware.com/ClusterStream/_/orders');
});

test('the parked event of an object is BullMQ’s dn: key of its job key', (t) => {
  t.is(
    parkedEventKey({ ...sbc, namespace: 'prod', name: 'bus' }),
    'dn:streambus.io/StreamBusCluster/prod/bus',
  );
});

test('a queue is {kind.group} in lower case, with core for the core group', (t) => {
  t.is(queueName(sbc), '{streambuscluster.streambus.io}');
  t.is(queueName(configMap), '{configmap.core}');
});

test('kind and source keys name the group and Kind, and mark metadata-only watches', (t) => {
  t.is(kindKey(sbc), 'streambus.io/StreamBusCluster');
  t.is(kindKey(configMap), 'core/ConfigMap');
  t.is(sourceKey(sbc, false), 'streambus.io/StreamBusCluster');
  t.is(sourceKey(configMap, true), 'core/ConfigMap#metadata');
});

test('the dispatcher keeps its checkpoints and epoch under the queue prefix, with the {dispatcher} hash tag', (t) => {
  t.is(checkpointKey('sluice', sourceKey(configMap, true)), 'sluice:{dispatcher}:rv:core/ConfigMap#metadata');
  t.is(epochKey('sluice'), 'sluice:{dispatcher}:epoch');
  t.deepEqual(dispatcherKeyPatterns('sluice'), ['sluice:{dispatcher}:*', 'sluice:dispatcher:*']);
});

test('the keys of releases before the hash tag are kept byte for byte, for the upgrade', (t) => {
  t.is(
    legacyCheckpointKey('sluice', sourceKey(configMap, true)),
    'sluice:dispatcher:rv:core/ConfigMap#metadata',
  );
  t.is(legacyEpochKey('sluice'), 'sluice:dispatcher:epoch');
});

test('a namespaced name is namespace/name, or the name alone without a namespace', (t) => {
  t.is(namespacedName('a', 'b'), 'a/b');
  t.is(namespacedName(undefined, 'b'), 'b');
  t.is(namespacedName('', 'b'), 'b');
  const obj: KubeObject = { metadata: { namespace: 'a', name: 'b' } };
  t.is(storeKey(obj), 'a/b');
  t.is(storeKey({ metadata: { name: 'c' } }), 'c');
  t.is(displayName({ namespace: 'a', name: 'b' }), 'a/b');
  t.is(displayName({ name: 'c' }), 'c');
});

test('an identity key is the UID, so a recreated object has another; without one, namespace/name', (t) => {
  t.is(identityKey({ metadata: { namespace: 'a', name: 'b', uid: 'u-1' } }), 'u-1');
  t.not(
    identityKey({ metadata: { namespace: 'a', name: 'b', uid: 'u-1' } }),
    identityKey({ metadata: { namespace: 'a', name: 'b', uid: 'u-2' } }),
  );
  t.is(identityKey({ metadata: { namespace: 'a', name: 'b' } }), 'a/b');
  t.is(identityKey({ metadata: { name: 'c' } }), '/c');
});
