/**
 * Unit tests of the watch mappers of both tanzu kinds, over a small in-memory StoreLookup (the
 * dispatcher's cache interface), and of the registrations' watch configuration.
 */
import test from 'ava';
import { clusterStreamFunction } from '../../../functions/cluster-stream/index.js';
import { ownedSecretChanged, streamToClusterStreams } from '../../../functions/cluster-stream/watch.js';
import { tanzuStreamFunction } from '../../../functions/tanzu-stream/index.js';
import { bindingSecretToStreams, clusterStreamToStreams } from '../../../functions/tanzu-stream/watch.js';
import {
  Builtin,
  kindKey,
  type KubeObject,
  type ResourceType,
  type StoreLookup,
} from '../../../runtime/index.js';
import { ClusterStreamKind, TanzuStreamKind } from '../../../shared/index.js';
import { adminClient } from '../../helpers/context.js';

function stores(objects: Partial<Record<string, KubeObject[]>>): StoreLookup {
  return {
    list: (kind: ResourceType) => objects[kindKey(kind)] ?? [],
    get: (kind: ResourceType, namespace: string | undefined, name: string) =>
      (objects[kindKey(kind)] ?? []).find(
        (o) => o.metadata.name === name && o.metadata.namespace === namespace,
      ),
  };
}

const csA: KubeObject = {
  metadata: { name: 'cs-a' },
  spec: { name: 't', claimRef: { namespace: 'n1', name: 'bound', uid: 'u' } },
};
const csB: KubeObject = { metadata: { name: 'named-cluster-stream' }, spec: { name: 't2' } };
const streams: KubeObject[] = [
  { metadata: { namespace: 'n1', name: 'bound' }, spec: { storage: { clusterStream: 'cs-a' } } },
  { metadata: { namespace: 'n2', name: 'wants' }, spec: { storage: { clusterStream: 'cs-a' } } },
  { metadata: { namespace: 'n2', name: 'named' }, spec: {} },
];
const lookup = stores({ [kindKey(ClusterStreamKind)]: [csA, csB], [kindKey(TanzuStreamKind)]: streams });

test('a ClusterStream change reaches its bound Stream and every Stream that names it', (t) => {
  const names = clusterStreamToStreams(csA, lookup).map((r) => `${r.namespace ?? ''}/${r.name}`);
  t.deepEqual(names.sort(), ['n1/bound', 'n2/wants']);
  const byDefault = clusterStreamToStreams(csB, lookup).map((r) => `${r.namespace ?? ''}/${r.name}`);
  t.deepEqual(byDefault, ['n2/named']);
});

test('a Stream change reaches the ClusterStream it names and the one whose claim names it', (t) => {
  const refs = streamToClusterStreams(
    { metadata: { namespace: 'n1', name: 'bound' }, spec: { storage: { clusterStream: 'elsewhere' } } },
    lookup,
  );
  t.deepEqual(refs.map((r) => r.name).sort(), ['cs-a', 'elsewhere']);
  t.true(refs.every((r) => r.kind === 'ClusterStream' && r.namespace === undefined));
  t.deepEqual(
    streamToClusterStreams({ metadata: { namespace: 'x', name: 'solo' }, spec: {} }, lookup).map(
      (r) => r.name,
    ),
    ['solo-cluster-stream'],
  );
});

test('a ClusterStream binding Secret change reaches the Streams of its ClusterStream', (t) => {
  const secret: KubeObject = {
    metadata: {
      namespace: 'ops',
      name: 'cs-a-clusterstream-binding',
      ownerReferences: [
        { apiVersion: 'streaming.tanzu.vmware.com/v1alpha1', kind: 'ClusterStream', name: 'cs-a', uid: 'x' },
      ],
    },
  };
  t.deepEqual(
    bindingSecretToStreams(secret, lookup)
      .map((r) => r.name)
      .sort(),
    ['bound', 'wants'],
  );
  t.deepEqual(bindingSecretToStreams({ metadata: { name: 'plain' } }, lookup), []);
});

test('both registrations own their Secrets, only the ClusterStream has a finalizer and watches BrokerClaims', (t) => {
  t.deepEqual(
    clusterStreamFunction.controller(adminClient()).owns.map((o) => o.kind),
    [Builtin.Secret],
  );
  t.deepEqual(
    tanzuStreamFunction.controller(adminClient()).owns.map((o) => o.kind),
    [Builtin.Secret],
  );
  t.is(clusterStreamFunction.finalizer, 'sluice.io/cluster-stream');
  t.is(tanzuStreamFunction.finalizer, undefined);
  t.deepEqual(
    clusterStreamFunction.controller(adminClient()).watches.map((w) => w.kind.kind),
    ['Stream', 'BrokerClaim'],
  );
  t.deepEqual(
    tanzuStreamFunction.controller(adminClient()).watches.map((w) => w.kind.kind),
    ['ClusterStream', 'Secret'],
  );
});

test("a ClusterStream's binding Secret reconciles it when it changes after it was seen, not when it first appears", (t) => {
  const secret = (rv: string): KubeObject => ({
    metadata: { name: 'cs-a-binding', namespace: 'sluice-system', uid: 'u1', resourceVersion: rv },
  });
  t.false(ownedSecretChanged(undefined, secret('1')));
  t.false(ownedSecretChanged(secret('1'), secret('1')));
  t.true(ownedSecretChanged(secret('1'), secret('2')));
  t.is(
    clusterStreamFunction.controller(adminClient()).owns.find((o) => o.kind === Builtin.Secret)?.predicate,
    ownedSecretChanged,
  );
});
