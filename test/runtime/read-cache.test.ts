/**
 * @module test/runtime/read-cache
 * The worker's read cache against the real API server (issue 16): hits come from the watch
 * without a request, and follow the object's changes; misses, objects being deleted,
 * metadata-only reads and reads before the watch is up go to the API server; a hit is a copy.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import {
  Builtin,
  KubeClient,
  KubeRest,
  LightKubeConfig,
  type KubeObject,
  type RequestOptions,
} from '../../runtime/index.js';
import { CachedKubeClient, ReadCache, cacheable } from '../../runtime/worker/read-cache.js';
import { adminClient } from '../helpers/context.js';
import { isolation, testEnv } from '../helpers/env.js';
import { useNamespace } from '../helpers/kube.js';

/** The real REST client, counting the GETs it sends. */
class CountingRest extends KubeRest {
  gets = 0;
  override request<T = unknown>(opts: RequestOptions): Promise<T> {
    if ((opts.method ?? 'GET') === 'GET') this.gets++;
    return super.request<T>(opts);
  }
}

async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const valueOf = (o: KubeObject | undefined): unknown => (o as { data?: { v?: string } } | undefined)?.data?.v;

test('a cached kind is served from the watch once it is established, and follows the changes', async (t) => {
  const ns = await useNamespace(t, isolation('read-cache').namespace);
  const admin = adminClient();
  await admin.create(Builtin.ConfigMap, { metadata: { name: 'parent', namespace: ns }, data: { v: '1' } });
  const kc = LightKubeConfig.fromFile(testEnv().kubeconfig);
  const watchRest = new KubeRest(kc);
  const rest = new CountingRest(kc);
  t.teardown(() => {
    watchRest.close();
    rest.close();
  });
  const cache = new ReadCache(new KubeClient(watchRest), [Builtin.ConfigMap], {
    namespace: ns,
  });
  const client = new CachedKubeClient(rest, cache);

  // Before the watch is up, a read is a GET.
  t.is(valueOf(await client.get(Builtin.ConfigMap, ns, 'parent')), '1');
  t.is(rest.gets, 1);

  cache.start();
  t.teardown(() => cache.close());
  await until('the cache to hold the parent', () => cache.lookup(Builtin.ConfigMap, ns, 'parent'));
  const gets = rest.gets;
  const hit = await client.get(Builtin.ConfigMap, ns, 'parent');
  t.is(valueOf(hit), '1');
  t.is(rest.gets, gets, 'a hit sends no request');

  // A hit is a copy: changing it changes nothing the next reader sees.
  (hit as unknown as { data: Record<string, string> }).data.v = 'changed by a reconciler';
  t.is(valueOf(await client.get(Builtin.ConfigMap, ns, 'parent')), '1');

  // A change reaches the cache through the watch.
  await admin.patch(Builtin.ConfigMap, ns, 'parent', { data: { v: '2' } });
  await until('the change to reach the cache', async () =>
    valueOf(await client.get(Builtin.ConfigMap, ns, 'parent')) === '2' ? true : undefined,
  );
  t.is(rest.gets, gets, 'followed through the watch, without a GET');

  // Only hits are served: an object the cache does not hold (yet) is read from the API server.
  t.is(await client.get(Builtin.ConfigMap, ns, 'absent'), undefined);
  t.is(rest.gets, gets + 1);
  await admin.create(Builtin.ConfigMap, { metadata: { name: 'late', namespace: ns }, data: { v: 'new' } });
  t.is(valueOf(await client.get(Builtin.ConfigMap, ns, 'late')), 'new', 'just created: never missed');

  // Metadata-only reads always go to the API server.
  const before = rest.gets;
  t.truthy(await client.get(Builtin.ConfigMap, ns, 'parent', { metadataOnly: true }));
  t.is(rest.gets, before + 1);
});

test('an object being deleted is read from the API server, not from the cache', async (t) => {
  const ns = await useNamespace(t, isolation('read-cache-del').namespace);
  const admin = adminClient();
  await admin.create(Builtin.ConfigMap, {
    metadata: { name: 'held', namespace: ns, finalizers: ['sluice.io/test-hold'] },
  });
  t.teardown(async () => {
    await admin
      .patch(Builtin.ConfigMap, ns, 'held', { metadata: { finalizers: null } })
      .catch(() => undefined);
  });
  const kc = LightKubeConfig.fromFile(testEnv().kubeconfig);
  const rest = new CountingRest(kc);
  t.teardown(() => rest.close());
  const cache = new ReadCache(new KubeClient(rest), [Builtin.ConfigMap], { namespace: ns });
  cache.start();
  t.teardown(() => cache.close());
  await admin.delete(Builtin.ConfigMap, ns, 'held');
  await until('the deletion to reach the cache', () => {
    cache.lookup(Builtin.ConfigMap, ns, 'held');
    return cache.counts.misses > 0 ? true : undefined;
  });
  const client = new CachedKubeClient(rest, cache);
  const gets = rest.gets;
  const read = await client.get(Builtin.ConfigMap, ns, 'held');
  t.truthy(read?.metadata.deletionTimestamp);
  t.is(rest.gets, gets + 1, 'read fresh');
});

test('only jobs queued for the object itself, a requeue or a resync read from the cache', (t) => {
  t.deepEqual(
    (['event', 'delete', 'requeue', 'resync', 'mapped', 'owned', 'relist', 'http', 'cli'] as const).filter(
      cacheable,
    ),
    ['event', 'delete', 'requeue', 'resync'],
  );
});
