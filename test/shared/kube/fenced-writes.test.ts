/**
 * @module test/shared/kube/fenced-writes
 * Writes fenced by the resourceVersion that was read, against the real API server: a stale
 * writer gets a 409 Conflict (a status code, so callers classify it without reading the message),
 * and {@link retryOnConflict} re-reads and wins; a status write, sent without managedFields, keeps them.
 */
import test from 'ava';
import { Builtin, KubeApiError, retryOnConflict, type KubeObject } from '../../../runtime/index.js';
import { TawonStreamKind } from '../../../shared/index.js';
import { adminClient } from '../../helpers/context.js';
import { installCrds } from '../../helpers/crds.js';
import { isolation } from '../../helpers/env.js';
import { useNamespace } from '../../helpers/kube.js';

async function configMap(namespace: string, name: string): Promise<KubeObject> {
  return adminClient().create(Builtin.ConfigMap, { metadata: { name, namespace }, data: { a: '1' } });
}

test('adding a finalizer to a version of the object that is no longer current fails with 409 Conflict', async (t) => {
  const ns = await useNamespace(t, isolation('fenced-finalizer').namespace);
  const kube = adminClient();
  const read = await configMap(ns, 'cm');
  await kube.patch(Builtin.ConfigMap, ns, 'cm', { data: { a: '2' } });
  const err = await t.throwsAsync(kube.addFinalizer(Builtin.ConfigMap, read, 'sluice.io/test'));
  t.true(err instanceof KubeApiError && err.isConflict, `got ${String(err)}`);
  const stored = await kube.get(Builtin.ConfigMap, ns, 'cm');
  t.deepEqual(stored?.metadata.finalizers, undefined, 'the stale write changed nothing');
});

test('a fenced patch replaces the finalizer list and keeps other fields; retryOnConflict re-reads after a race', async (t) => {
  const ns = await useNamespace(t, isolation('fenced-retry').namespace);
  const kube = adminClient();
  await configMap(ns, 'cm');
  let attempts = 0;
  const written = await retryOnConflict(async () => {
    attempts++;
    const fresh = await kube.get(Builtin.ConfigMap, ns, 'cm');
    if (!fresh) throw new Error('gone');
    // A concurrent writer changes the object between the first read and its write.
    if (attempts === 1) await kube.patch(Builtin.ConfigMap, ns, 'cm', { data: { b: 'x' } });
    return kube.addFinalizer(Builtin.ConfigMap, fresh, 'sluice.io/test');
  });
  t.is(attempts, 2);
  t.deepEqual(written.metadata.finalizers, ['sluice.io/test']);
  t.deepEqual((written as { data?: unknown }).data, { a: '1', b: 'x' }, "the other writer's change stays");
  const removed = await kube.removeFinalizer(Builtin.ConfigMap, written, 'sluice.io/test');
  t.deepEqual(removed?.metadata.finalizers, undefined);
});

test('a status write leaves managedFields out of its body, and the API server keeps them; a stale one gets 409', async (t) => {
  await installCrds();
  const ns = await useNamespace(t, isolation('fenced-status').namespace);
  const kube = adminClient();
  const created = await kube.create(TawonStreamKind, {
    metadata: { name: 's', namespace: ns },
    spec: { store: { name: 'no-store' } },
  });
  const entries = (o: KubeObject | undefined): string[] =>
    (
      (o?.metadata as { managedFields?: { manager?: string; subresource?: string }[] } | undefined)
        ?.managedFields ?? []
    ).map((f) => `${f.manager ?? ''}/${f.subresource ?? ''}`);
  t.true(entries(created).length > 0);
  const written = await kube.writeStatus(TawonStreamKind, created, { observedGeneration: 1 });
  const stored = await kube.get(TawonStreamKind, ns, 's');
  t.deepEqual(stored?.status, { observedGeneration: 1 });
  for (const e of entries(created)) t.true(entries(stored).includes(e), `${e} kept`);
  t.true(entries(stored).includes('sluice/status'), 'the status write is recorded too');
  t.is(written.metadata.resourceVersion, stored?.metadata.resourceVersion);
  const stale = await t.throwsAsync(kube.writeStatus(TawonStreamKind, created, { observedGeneration: 2 }));
  t.true(stale instanceof KubeApiError && stale.isConflict, String(stale));
});
