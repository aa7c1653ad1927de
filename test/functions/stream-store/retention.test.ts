/**
 * `persistentVolumeClaimRetentionPolicy.whenDeleted` of a StreamStore, against the real API server,
 * controller-manager (StatefulSet controller, garbage collector, claim protection) and kwok (issue
 * 13): the seed's `Delete` removes the store's claims when the store is deleted; the default,
 * `Retain`, keeps them and their messages.
 */
import test from 'ava';
import { Builtin, isRecord, type KubeObject } from '../../../runtime/index.js';
import { StreamStoreKind } from '../../../shared/index.js';
import { streamStoreFunction } from '../../../functions/stream-store/index.js';
import { adminClient, testContext } from '../../helpers/context.js';
import { installCrds } from '../../helpers/crds.js';
import { isolation } from '../../helpers/env.js';
import { eventually, kubectl, useNamespace } from '../../helpers/kube.js';
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

/** Runs the store until Running and its claim is Bound; returns the claim. */
async function runningStore(namespace: string, name: string, claimTemplate: string): Promise<KubeObject> {
  const ref = refIn(fn, namespace, name);
  await reconcileUntil(
    fn,
    ref,
    testContext(StreamStoreKind, { about: ref }),
    'the store to run',
    (o) => phaseOf(o) === 'Running',
    90_000,
  );
  // kwok's binder can report a claim Lost until the controller-manager's next sync: wait for Bound.
  return eventually(
    'the claim to be Bound',
    async () => {
      const c = await adminClient().get(
        Builtin.PersistentVolumeClaim,
        namespace,
        `${claimTemplate}-${name}-0`,
      );
      return isRecord(c?.status) && c.status.phase === 'Bound' ? c : undefined;
    },
    45_000,
  );
}

/** Deletes the store as `kubectl delete` does (background propagation) and waits for its StatefulSet and Pod to go. */
async function deleteStore(namespace: string, name: string): Promise<void> {
  await kubectl(['delete', '-n', namespace, 'streamstores.tawon.mantisnet.com', name, '--wait=true']);
  const kube = adminClient();
  await eventually(
    'the garbage collector to delete the StatefulSet and its Pod',
    async () =>
      !(await kube.get(Builtin.StatefulSet, namespace, name)) &&
      !(await kube.get(Builtin.Pod, namespace, `${name}-0`)),
    90_000,
  );
}

test('whenDeleted: Delete (the seed example) removes the claims when the StreamStore is deleted', async (t) => {
  const { namespace } = isolation('store-retain-delete');
  await useNamespace(t, namespace);
  const name = await applyExample('streamstore', namespace);
  await runningStore(namespace, name, 'mypvclaim');
  const kube = adminClient();
  const owned = await eventually(
    "the StatefulSet controller to make the StatefulSet the claim's owner",
    async () => {
      const c = await kube.get(Builtin.PersistentVolumeClaim, namespace, `mypvclaim-${name}-0`);
      return (c?.metadata.ownerReferences ?? []).some((r) => r.kind === 'StatefulSet' && r.name === name);
    },
    30_000,
  );
  t.true(owned);
  await deleteStore(namespace, name);
  await eventually(
    'the claim to be deleted',
    async () => !(await kube.get(Builtin.PersistentVolumeClaim, namespace, `mypvclaim-${name}-0`)),
    90_000,
  );
  t.is(await kube.get(Builtin.PersistentVolumeClaim, namespace, `mypvclaim-${name}-0`), undefined);
});

test('without a retention policy (Retain) the claims stay when the StreamStore is deleted', async (t) => {
  const { namespace } = isolation('store-retain-default');
  await useNamespace(t, namespace);
  const seed = example('streamstore');
  const { persistentVolumeClaimRetentionPolicy: _policy, ...spec } = isRecord(seed.spec) ? seed.spec : {};
  const kube = adminClient();
  await kube.create(StreamStoreKind, { metadata: { name: 'kept', namespace }, spec });
  const claim = await runningStore(namespace, 'kept', 'mypvclaim');
  const sts = await kube.get(Builtin.StatefulSet, namespace, 'kept');
  t.deepEqual(
    isRecord(sts?.spec) ? sts.spec.persistentVolumeClaimRetentionPolicy : undefined,
    { whenDeleted: 'Retain', whenScaled: 'Retain' },
    'the API server defaults the policy to Retain',
  );
  t.deepEqual(claim.metadata.ownerReferences ?? [], [], 'nothing owns the claim, so nothing collects it');
  await deleteStore(namespace, 'kept');
  const after = await kube.get(Builtin.PersistentVolumeClaim, namespace, 'mypvclaim-kept-0');
  t.is(after?.metadata.uid, claim.metadata.uid, 'the same claim is still there');
  t.falsy(after?.metadata.deletionTimestamp, 'and is not being deleted');
  t.is(isRecord(after?.status) ? after.status.phase : undefined, 'Bound');
});
