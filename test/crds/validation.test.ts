/**
 * The API server refuses malformed objects of every kind (wrong types, values outside an enum or
 * a range, missing required fields, duplicate list keys, unknown fields) with a message that names
 * the field and what is wrong, and accepts the free-text values that only the operator can judge.
 */
import test from 'ava';
import { isolation, uniqueName } from '../helpers/env.js';
import { installCrds } from '../helpers/crds.js';
import { useNamespace } from '../helpers/kube.js';
import { apply, getObject, patchStatus, refusal, remove } from './objects.js';
import { CS, refusals, STORE, TWS } from './refusals.js';

test.before(async () => {
  await installCrds();
});

for (const c of refusals) {
  test(`the server refuses ${c.what}`, async (t) => {
    const namespace = await useNamespace(t, isolation('refuse').namespace);
    const name = uniqueName('bad');
    if (c.head === CS) t.teardown(() => remove('clusterstreams.streaming.tanzu.vmware.com', name));
    const spec = c.spec
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n');
    const message = await refusal(
      apply(`${c.head}\nmetadata:\n  name: ${name}\nspec:\n${spec}\n`, namespace),
    );
    for (const re of c.expect) t.regex(message, re);
  });
}

test('the server accepts a ClusterStream with any protocol, so the operator can answer it', async (t) => {
  const name = uniqueName('any-protocol');
  t.teardown(() => remove('clusterstreams.streaming.tanzu.vmware.com', name));
  await apply(
    `${CS}\nmetadata: {name: ${name}}\nspec:\n  name: t\n  storage: {server: {protocol: carrier-pigeon}}\n`,
  );
  const stored = await getObject('clusterstreams.streaming.tanzu.vmware.com', name);
  t.like(stored.spec, { storage: { server: { protocol: 'carrier-pigeon' } } });
});

test('the server accepts durations and sizes the operator parses itself', async (t) => {
  const namespace = await useNamespace(t, isolation('free-durations').namespace);
  await apply(
    `${STORE}\nmetadata: {name: s}\nspec:\n  defaults: {maxage: forever, maxbytes: a lot}\n`,
    namespace,
  );
  await apply(
    `${TWS}\nmetadata: {name: t}\nspec:\n  store: {name: s}\n  maxage: 1 fortnight\n  maxbytes: 1024\n`,
    namespace,
  );
  const store = await getObject('streamstores.tawon.mantisnet.com', 's', namespace);
  const stream = await getObject('streams.tawon.mantisnet.com', 't', namespace);
  t.like(store.spec, { defaults: { maxage: 'forever', maxbytes: 'a lot' } });
  t.like(stream.spec, { maxage: '1 fortnight', maxbytes: 1024 });
});

test('the status subresource refuses a condition status outside True, False and Unknown', async (t) => {
  const namespace = await useNamespace(t, isolation('refuse-status').namespace);
  await apply(`${TWS}\nmetadata: {name: t}\nspec:\n  store: {name: s}\n`, namespace);
  const message = await refusal(
    patchStatus('streams.tawon.mantisnet.com', 't', namespace, {
      conditions: [
        {
          type: 'Ready',
          status: 'true',
          reason: 'Ready',
          message: '',
          lastTransitionTime: '2024-01-15T10:30:00Z',
        },
      ],
    }),
  );
  t.regex(
    message,
    /status\.conditions\[0\]\.status: Unsupported value: "true": supported values: "True", "False", "Unknown"/,
  );
});

test('the server refuses moving a tawon Stream to another store', async (t) => {
  const namespace = await useNamespace(t, isolation('store-immutable').namespace);
  await apply(`${TWS}\nmetadata: {name: t}\nspec:\n  store: {name: first}\n`, namespace);
  const message = await refusal(
    apply(`${TWS}\nmetadata: {name: t}\nspec:\n  store: {name: second}\n`, namespace),
  );
  t.regex(message, /store.name is immutable/);
});
