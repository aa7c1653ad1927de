/**
 * Object names that are dot segments. `resourcePath` (shared/kube/resources.ts) builds
 * `.../secrets/${encodeURIComponent(name)}`, which leaves `.` and `..` as they are, and KubeRest
 * (shared/kube/rest.ts) parses the result with `new URL(...)`, which resolves dot segments. So a
 * name of `.` addresses the whole collection and `..` the parent: a read returns a List, the
 * Namespace or an API discovery document as if it were the object, and a delete removes every
 * object of the kind in the namespace, or the namespace itself. No Kubernetes object can be named
 * `.` or `..`, but names reach the client from specs (binding Secrets, a store, a ClusterStream),
 * which the CRDs do not all constrain. The API server never sees such a name, so it cannot refuse
 * it: the client must.
 *
 * resourcePath therefore refuses `.`, `..` and empty names with a KubeApiError 400 `InvalidName`
 * (percent-encoding would not help: the URL parser also resolves `%2e` segments).
 */
import test from 'ava';
import { Builtin, KubeApiError } from '../../runtime/index.js';
import { adminClient } from '../helpers/context.js';
import { isolation } from '../helpers/env.js';
import { useNamespace } from '../helpers/kube.js';

async function refusedOrAbsent(run: () => Promise<unknown>): Promise<boolean> {
  try {
    const got = await run();
    return got === undefined || got === false;
  } catch (err) {
    return err instanceof KubeApiError && err.status >= 400 && err.status < 500;
  }
}

test('reading a Secret named "." returns the namespace’s SecretList instead of nothing (shared/kube/resources.ts resourcePath)', async (t) => {
  const iso = isolation('kube-dot-get');
  await useNamespace(t, iso.namespace);
  t.true(await refusedOrAbsent(() => adminClient().get(Builtin.Secret, iso.namespace, '.')));
});

test('reading a Secret named ".." returns the Namespace object instead of nothing (shared/kube/resources.ts resourcePath)', async (t) => {
  const iso = isolation('kube-dotdot-get');
  await useNamespace(t, iso.namespace);
  t.true(await refusedOrAbsent(() => adminClient().get(Builtin.Secret, iso.namespace, '..')));
});

test('deleting a ConfigMap named "." deletes every ConfigMap of the namespace (shared/kube/resources.ts resourcePath)', async (t) => {
  const iso = isolation('kube-dot-delete');
  await useNamespace(t, iso.namespace);
  const kube = adminClient();
  for (const name of ['keep-a', 'keep-b'])
    await kube.create(Builtin.ConfigMap, {
      metadata: { name, namespace: iso.namespace },
      data: { k: 'v' },
    });
  await refusedOrAbsent(() => kube.delete(Builtin.ConfigMap, iso.namespace, '.'));
  const left = (await kube.listAll(Builtin.ConfigMap, iso.namespace)).map((c) => c.metadata.name);
  t.true(left.includes('keep-a') && left.includes('keep-b'), `left: ${left.join(', ')}`);
});

test('deleting a ConfigMap named ".." deletes the namespace (shared/kube/resources.ts resourcePath)', async (t) => {
  const iso = isolation('kube-dotdot-delete');
  await useNamespace(t, iso.namespace);
  const kube = adminClient();
  await refusedOrAbsent(() => kube.delete(Builtin.ConfigMap, iso.namespace, '..'));
  const ns = await kube.get(Builtin.Namespace, undefined, iso.namespace);
  t.falsy(ns?.metadata.deletionTimestamp, 'the namespace is not being deleted');
});

test('ordinary names with dots are still read as themselves', async (t) => {
  const iso = isolation('kube-dotted');
  await useNamespace(t, iso.namespace);
  const kube = adminClient();
  await kube.create(Builtin.ConfigMap, {
    metadata: { name: 'a.b.c', namespace: iso.namespace },
    data: { k: 'v' },
  });
  t.is((await kube.get(Builtin.ConfigMap, iso.namespace, 'a.b.c'))?.metadata.name, 'a.b.c');
});
