/**
 * Unit tests of the pure parts of the dependency checks and of the registration's watch
 * configuration.
 */
import test from 'ava';
import { combine, secretsNamed, unschedulable } from '../../../functions/streambus-cluster/checks.js';
import { parseSpec } from '../../../functions/streambus-cluster/parse.js';
import { streamBusClusterFunction } from '../../../functions/streambus-cluster/index.js';
import { Builtin } from '../../../runtime/index.js';
import { StreamBusClusterKind } from '../../../shared/index.js';
import { adminClient } from '../../helpers/context.js';

test('the Secrets checked are the TLS certificate and CA Secrets, only while TLS is enabled', (t) => {
  const tls = { certSecretName: 'cert', caSecretName: 'ca' };
  t.deepEqual(secretsNamed(parseSpec({ security: { tls: { enabled: true, ...tls } } }, 'demo')), [
    ['spec.security.tls.certSecretName', 'cert'],
    ['spec.security.tls.caSecretName', 'ca'],
  ]);
  t.deepEqual(secretsNamed(parseSpec({ security: { tls: { enabled: false, ...tls } } }, 'demo')), []);
});

test('the JWT Secret is checked while jwt is an accepted method of enabled authentication', (t) => {
  const jwt = (authentication: Record<string, unknown>) =>
    secretsNamed(parseSpec({ security: { authentication } }, 'demo'));
  t.deepEqual(jwt({ enabled: true, method: 'jwt', jwtSecretName: 'keys' }), [
    ['spec.security.authentication.jwtSecretName', 'keys'],
  ]);
  t.deepEqual(jwt({ enabled: false, method: 'jwt', jwtSecretName: 'keys' }), []);
});

const pod = (name: string, message?: string) => ({
  metadata: { name },
  spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: `data-${name}` } }] },
  status: {
    conditions: [
      message === undefined
        ? { type: 'PodScheduled', status: 'True' }
        : { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message },
    ],
  },
});

test('broker pods the scheduler cannot place are named with its words, grouped by reason', (t) => {
  const spec = parseSpec({ nodeSelector: { workload: 'streaming' } }, 'demo');
  const bound = new Set(['data-demo-0', 'data-demo-1', 'data-demo-2']);
  const pods = [pod('demo-1', 'no node matches'), pod('demo-0', 'no node matches'), pod('demo-2')];
  t.deepEqual(unschedulable(pods, bound, spec), {
    reason: 'Unschedulable',
    message:
      'the scheduler cannot place broker pods demo-0, demo-1: no node matches (spec.nodeSelector asks for nodes labelled workload=streaming)',
  });
  t.is(unschedulable([pod('demo-2')], bound, spec), undefined, 'scheduled pods are no warning');
});

test('a pod whose claims are not bound yet, or whose verdict is still about them, is not reported unschedulable', (t) => {
  const spec = parseSpec({}, 'demo');
  const waiting = [pod('demo-0', 'pod has unbound immediate PersistentVolumeClaims')];
  t.is(unschedulable(waiting, new Set(), spec), undefined);
  // The claims bound, but the scheduler has not retried the pod yet: its verdict is stale.
  t.is(unschedulable(waiting, new Set(['data-demo-0']), spec), undefined);
  const placed = [
    pod('demo-0', "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector"),
  ];
  t.is(unschedulable(placed, new Set(), spec), undefined, 'claims not bound yet');
  t.like(unschedulable(placed, new Set(['data-demo-0']), spec), { reason: 'Unschedulable' });
});

test('several warnings become one with the first reason and every message', (t) => {
  t.is(combine([undefined, undefined]), undefined);
  t.deepEqual(combine([undefined, { reason: 'A', message: 'a' }, { reason: 'B', message: 'b' }]), {
    reason: 'A',
    message: 'a; b',
  });
});

test('the registration owns the StatefulSet, Services, ConfigMap, PodDisruptionBudget and NetworkPolicy, with no finalizer', (t) => {
  const fn = streamBusClusterFunction;
  t.is(fn.kind, StreamBusClusterKind);
  t.is(fn.finalizer, undefined);
  t.deepEqual(
    fn.controller(adminClient()).owns.map((o) => o.kind),
    [
      Builtin.StatefulSet,
      Builtin.Service,
      Builtin.ConfigMap,
      Builtin.PodDisruptionBudget,
      Builtin.NetworkPolicy,
    ],
  );
});
