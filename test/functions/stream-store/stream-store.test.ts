/**
 * The StreamStore against the real API server, controller-manager, scheduler and kwok: the seed
 * example applied unchanged runs (its Pod Ready, its claim Bound on the seed's `ssd-csi` class),
 * its status tells the endpoint and the Streams hosted, a clustered store runs three Pods, and the
 * reconciler contract holds.
 */
import test from 'ava';
import { Builtin, findCondition, isRecord, type KubeObject } from '../../../runtime/index.js';
import { StreamStoreKind, TawonStreamKind } from '../../../shared/index.js';
import { streamStoreFunction } from '../../../functions/stream-store/index.js';
import { streamToStore } from '../../../functions/stream-store/watch.js';
import { runReconcilerContract } from '../../contract/reconciler.contract.js';
import { adminClient, testContext } from '../../helpers/context.js';
import { installCrds } from '../../helpers/crds.js';
import { isolation } from '../../helpers/env.js';
import { eventually, useNamespace } from '../../helpers/kube.js';
import {
  applyExample,
  ensureStorageClass,
  example,
  phaseOf,
  reconcileUntil,
  refIn,
} from '../../fixtures/tawon/fixtures.js';

const fn = streamStoreFunction;

test.before(async () => {
  await installCrds();
  await ensureStorageClass('ssd-csi');
});

function statusOf(obj: KubeObject | undefined): Record<string, unknown> {
  return isRecord(obj?.status) ? obj.status : {};
}

function isReady(pod: KubeObject | undefined): boolean {
  const conditions = isRecord(pod?.status) ? pod.status.conditions : undefined;
  return (
    Array.isArray(conditions) &&
    conditions.some((c) => isRecord(c) && c.type === 'Ready' && c.status === 'True')
  );
}

test('the seed StreamStore, applied unchanged, runs: its Pod is Ready and its claim Bound', async (t) => {
  const { namespace } = isolation('store-seed');
  await useNamespace(t, namespace);
  const name = await applyExample('streamstore', namespace);
  const ref = refIn(fn, namespace, name);
  const ctx = testContext(StreamStoreKind, { about: ref });
  const store = await reconcileUntil(
    fn,
    ref,
    ctx,
    'the store to run',
    (o) => phaseOf(o) === 'Running',
    90_000,
  );

  const kube = adminClient();
  const pod = await kube.get(Builtin.Pod, namespace, `${name}-0`);
  t.true(isReady(pod), 'the nats-server Pod is Ready');
  // kwok binds the claim and makes its volume in one step; the controller-manager's binder can see
  // the claim before the volume and call it Lost until its next sync (15 s), so wait for Bound.
  const pvc = await eventually(
    'the claim to be Bound',
    async () => {
      const c = await kube.get(Builtin.PersistentVolumeClaim, namespace, `mypvclaim-${name}-0`);
      return isRecord(c?.status) && c.status.phase === 'Bound' ? c : undefined;
    },
    45_000,
  );
  t.is(isRecord(pvc?.spec) ? pvc.spec.storageClassName : undefined, 'ssd-csi');
  t.is(pvc?.metadata.labels?.app, 'mystreamstore', "the claim carries the template's labels");

  const status = statusOf(store);
  t.is(status.endpoint, `nats://${name}.${namespace}.svc:4222`);
  t.is(status.readyReplicas, 1);
  t.is(status.streams, 0);
  t.is(status.observedGeneration, store.metadata.generation);
  t.is(findCondition(store.status, 'Ready')?.status, 'True');
  t.true(
    ctx.recorded.some((e) => e.reason === 'Running'),
    'a Running event is recorded',
  );

  const sts = await kube.get(Builtin.StatefulSet, namespace, name);
  t.deepEqual(isRecord(sts?.spec) ? sts.spec.persistentVolumeClaimRetentionPolicy : undefined, {
    whenDeleted: 'Delete',
    whenScaled: 'Retain',
  });
  const cm = await kube.get(Builtin.ConfigMap, namespace, `${name}-config`);
  const conf = isRecord(cm?.data) ? cm.data['nats.conf'] : undefined;
  t.true(typeof conf === 'string' && conf.includes(`max_file_store: ${10 * 1024 ** 3}`));
  const svc = await kube.get(Builtin.Service, namespace, name);
  const ports = isRecord(svc?.spec) && Array.isArray(svc.spec.ports) ? svc.spec.ports : [];
  t.deepEqual(
    ports.map((p) => (isRecord(p) ? p.port : undefined)),
    [4222, 8222],
  );
  t.truthy(await kube.get(Builtin.Service, namespace, `${name}-headless`));
});

test('the store counts the Tawon Streams that name it, and a Stream maps to its store', async (t) => {
  const { namespace } = isolation('store-count');
  await useNamespace(t, namespace);
  const name = await applyExample('streamstore', namespace);
  const kube = adminClient();
  const stream = (n: string, store: string): KubeObject => ({
    metadata: { name: n, namespace },
    spec: { store: { name: store } },
  });
  await kube.create(TawonStreamKind, stream('a', name));
  await kube.create(TawonStreamKind, stream('b', name));
  const other = await kube.create(TawonStreamKind, stream('c', 'another-store'));
  const ref = refIn(fn, namespace, name);
  const ctx = testContext(StreamStoreKind, { about: ref });
  const store = await reconcileUntil(fn, ref, ctx, 'two streams counted', (o) => statusOf(o).streams === 2);
  t.is(statusOf(store).streams, 2);
  t.deepEqual(
    streamToStore(other, { list: () => [], get: () => undefined }).map((r) => [r.kind, r.namespace, r.name]),
    [['StreamStore', namespace, 'another-store']],
  );
  await kube.delete(TawonStreamKind, namespace, 'a');
  const after = await reconcileUntil(fn, ref, ctx, 'one stream counted', (o) => statusOf(o).streams === 1);
  t.is(statusOf(after).streams, 1);
});

test('a store with three replicas runs three Pods clustered over the headless Service', async (t) => {
  const { namespace } = isolation('store-r3');
  await useNamespace(t, namespace);
  const seed = example('streamstore');
  const kube = adminClient();
  await kube.create(StreamStoreKind, {
    metadata: { name: 'ha', namespace },
    spec: { ...(seed.spec as Record<string, unknown>), replicas: 3 },
  });
  const ref = refIn(fn, namespace, 'ha');
  const store = await reconcileUntil(
    fn,
    ref,
    testContext(StreamStoreKind, { about: ref }),
    'three replicas ready',
    (o) => phaseOf(o) === 'Running',
    120_000,
  );
  t.is(statusOf(store).readyReplicas, 3);
  for (const i of [0, 1, 2]) t.true(isReady(await kube.get(Builtin.Pod, namespace, `ha-${i}`)), `pod ${i}`);
  const headless = await kube.get(Builtin.Service, namespace, 'ha-headless');
  t.is(isRecord(headless?.spec) ? headless.spec.clusterIP : undefined, 'None');
  const cm = await kube.get(Builtin.ConfigMap, namespace, 'ha-config');
  const conf = isRecord(cm?.data) ? String(cm.data['nats.conf']) : '';
  t.true(conf.includes(`nats://ha-2.ha-headless.${namespace}.svc:6222`));
});

runReconcilerContract('StreamStore', {
  fn,
  valid: (ns) => ({ ...example('streamstore'), metadata: { name: 'mystreamstore', namespace: ns } }),
  invalid: (ns) => ({
    ...example('streamstore'),
    metadata: { name: 'badstore', namespace: ns },
    spec: { defaults: { maxage: 'ten days' } },
  }),
  invalidReason: 'InvalidLimit',
  context: (_ns, ref) => testContext(StreamStoreKind, { about: ref }),
  children: [Builtin.ConfigMap, Builtin.Service, Builtin.StatefulSet],
  setup: async () => {
    await installCrds();
    await ensureStorageClass('ssd-csi');
  },
  maxRounds: 40,
});
