/**
 * Fuzzing the dispatcher's HTTP API (fast-check, in process, over the real Redis and API server):
 * whatever the body, path, token or content type, a request that is not a valid reconcile of an
 * existing object gets a 4xx with a JSON `{error, message}`, never a 5xx, and queues nothing.
 * test/runtime/http.test.ts has the table of each error; this explores around it. On a failure,
 * fast-check prints the seed and the shrunk request.
 */
import test from 'ava';
import fc from 'fast-check';
import { isRecord } from '../../runtime/index.js';
import { testApp, type TestApp } from '../security/http-app.js';

const RUNS = 150;

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

interface Probe {
  readonly method?: Method;
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly payload?: string;
}

/** Sends the probe; asserts a clear 4xx and an empty queue; returns the status. */
async function refused(s: TestApp, p: Probe): Promise<number> {
  const res = await s.app.inject({
    method: p.method ?? 'POST',
    url: p.url,
    headers: p.headers ?? {},
    ...(p.payload === undefined ? {} : { payload: p.payload }),
  });
  const what = `${p.method ?? 'POST'} ${p.url} -> ${res.statusCode} ${res.body.slice(0, 200)}`;
  if (res.statusCode < 400 || res.statusCode >= 500) throw new Error(`not a 4xx: ${what}`);
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    throw new Error(`not JSON: ${what}`);
  }
  if (!isRecord(body) || typeof body.error !== 'string' || typeof body.message !== 'string' || !body.message)
    throw new Error(`not {error, message}: ${what}`);
  if ((await s.jobs()) !== 0) throw new Error(`a job was queued: ${what}`);
  return res.statusCode;
}

const SERVED = [
  ['streaming.tanzu.vmware.com/v1alpha1', 'ClusterStream'],
  ['streaming.tanzu.vmware.com/v1alpha1', 'Stream'],
  ['tawon.mantisnet.com/v1alpha1', 'Stream'],
  ['tawon.mantisnet.com/v1alpha1', 'StreamStore'],
  ['tawon.mantisnet.com/v1alpha1', 'Directive'],
  ['streambus.io/v1alpha1', 'StreamBusCluster'],
] as const;

/** Strings that tend to break things: traversal, encodings, control characters, very long ones. */
const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '..',
    '../../etc/passwd',
    '%2e%2e%2f',
    '.',
    '',
    ' ',
    'a/b',
    'A',
    'a_b',
    '-a',
    'a-',
    '\u0000',
    'a\nb',
    '__proto__',
    'constructor',
    'x'.repeat(254),
    'x'.repeat(64),
    'ünïcode',
  ),
  fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,20}$/),
);

/** JSON values of any shape, including keys that have meaning to JavaScript. */
const anyJson = fc.oneof(
  fc.jsonValue(),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'name', 'kind'), fc.jsonValue()),
);

const MISSING = Symbol('missing');

/** A field: usually valid, sometimes missing, a nasty string or a value of another type. */
function field(valid: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: valid, weight: 4 },
    { arbitrary: fc.constant(MISSING), weight: 1 },
    { arbitrary: nasty, weight: 1 },
    { arbitrary: anyJson, weight: 1 },
  );
}

const dnsLabel = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);

/** Bodies close to a valid one: each field valid, missing, nasty or of the wrong type. */
const nearlyValid = fc
  .record({
    pair: fc.constantFrom(...SERVED),
    apiVersion: field(fc.constant('')),
    kind: field(fc.constant('')),
    namespace: field(dnsLabel),
    name: field(dnsLabel),
    extra: fc.option(fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }), { nil: undefined }),
  })
  .map((r) => {
    const out: Record<string, unknown> = { ...(r.extra ?? {}) };
    const put = (k: string, v: unknown, valid: string): void => {
      if (v !== MISSING) out[k] = v === '' ? valid : v;
    };
    put('apiVersion', r.apiVersion, r.pair[0]);
    put('kind', r.kind, r.pair[1]);
    put('namespace', r.namespace, 'default');
    put('name', r.name, 'a');
    return out;
  });

test('any JSON body that is not a reconcile of an existing object gets a clear 4xx and queues nothing', async (t) => {
  const s = await testApp(t);
  const headers = { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' };
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(fc.oneof(anyJson, nearlyValid), async (body) => {
      const status = await refused(s, { url: '/api/v1/reconcile', headers, payload: JSON.stringify(body) });
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }),
    { numRuns: RUNS * 2 },
  );
  t.log(`statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
  t.true(
    (statuses.get(400) ?? 0) > 0 && (statuses.get(404) ?? 0) > 0,
    'both kinds of refusal were exercised',
  );
});

test('bodies that are not JSON at all, or too big, get 400 or 413 and queue nothing', async (t) => {
  const s = await testApp(t);
  const headers = { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' };
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.string({ unit: 'binary' }).filter((x) => x.trim() !== '' && !isJson(x)),
        fc
          .json()
          .map((j) => j.slice(0, Math.max(1, j.length - 1)))
          .filter((x) => !isJson(x)),
        fc.integer({ min: 16 * 1024 + 1, max: 200 * 1024 }).map((n) => `{"name":"${'a'.repeat(n)}"}`),
      ),
      async (payload) => {
        const status = await refused(s, { url: '/api/v1/reconcile', headers, payload });
        if (status !== 400 && status !== 413) throw new Error(`unexpected ${status}`);
      },
    ),
    { numRuns: RUNS },
  );
  t.pass();
});

test('names, namespaces and resources in the path, traversal and encodings included, are refused cleanly', async (t) => {
  const s = await testApp(t);
  const headers = { authorization: `Bearer ${s.token}` };
  const segment = fc.oneof(nasty, fc.webSegment()).map((x) => encodeURIComponent(x));
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc
          .tuple(
            segment,
            fc.oneof(segment, fc.constantFrom('streams', 'streambusclusters', 'directives')),
            segment,
          )
          .map(([ns, res, name]) => `/api/v1/namespaces/${ns}/${res}/${name}/reconcile`),
        fc
          .tuple(
            fc.oneof(segment, fc.constantFrom('clusterstreams', 'clusterstreams.streaming.tanzu.vmware.com')),
            segment,
          )
          .map(([res, name]) => `/api/v1/${res}/${name}/reconcile`),
        fc.webPath().map((p) => `/api/v1${p.startsWith('/') ? p : `/${p}`}`),
      ),
      async (url) => {
        await refused(s, { url, headers });
      },
    ),
    { numRuns: RUNS },
  );
  t.pass();
});

test('any token but the right one is refused with 401, whatever the route', async (t) => {
  const s = await testApp(t);
  const token = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary', maxLength: 64 }),
    fc.constant(s.token.slice(0, -1)),
    fc.constant(`${s.token} `.repeat(2)),
    fc.constant(s.token.toUpperCase()),
    fc.string().map((x) => `${s.token}${x.replace(/\s/g, '')}x`),
  );
  const header = fc.oneof(
    token.map((x) => `Bearer ${x}`),
    token,
    token.map((x) => `Basic ${x}`),
    fc.constant(`Bearer${s.token}`),
  );
  await fc.assert(
    fc.asyncProperty(
      header.filter((h) => /^[\t\x20-\x7e]*$/.test(h)),
      fc.constantFrom<Probe>(
        { url: '/api/v1/reconcile', payload: '{}' },
        { url: '/api/v1/namespaces/a/streams.tawon.mantisnet.com/b/reconcile' },
        { method: 'GET', url: '/api/v1/queues/x/work' },
        { method: 'GET', url: '/dashboard/api/queues' },
        { method: 'PUT', url: '/dashboard/api/queues/pause' },
      ),
      async (authorization, probe) => {
        const status = await refused(s, {
          ...probe,
          headers: { authorization, 'content-type': 'application/json' },
        });
        if (status !== 401) throw new Error(`expected 401, got ${status}`);
      },
    ),
    { numRuns: RUNS },
  );
  t.pass();
});

test('any content type but JSON is refused with 415', async (t) => {
  const s = await testApp(t);
  const body = JSON.stringify({
    apiVersion: 'tawon.mantisnet.com/v1alpha1',
    kind: 'Stream',
    namespace: 'a',
    name: 'b',
  });
  await fc.assert(
    fc.asyncProperty(
      fc
        .oneof(
          fc.constantFrom(
            'text/plain',
            'application/xml',
            'application/yaml',
            'multipart/form-data',
            'text/json',
          ),
          fc.stringMatching(/^[a-z]{1,10}\/[a-z0-9.+-]{1,20}$/),
        )
        .filter((ct) => ct !== 'application/json' && ct !== 'application/x-www-form-urlencoded'),
      async (contentType) => {
        const status = await refused(s, {
          url: '/api/v1/reconcile',
          headers: { authorization: `Bearer ${s.token}`, 'content-type': contentType },
          payload: body,
        });
        if (status !== 415) throw new Error(`expected 415 for ${contentType}, got ${status}`);
      },
    ),
    { numRuns: RUNS / 2 },
  );
  t.pass();
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
