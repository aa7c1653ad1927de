/**
 * TLS towards Redis (`rediss://` URLs, `SLUICE_REDIS_TLS`, `SLUICE_REDIS_TLS_CA_FILE`) against a
 * real redis-server that listens with TLS only, its certificate signed by a throw-away CA.
 * The settings are read from an environment as the processes read theirs, so the path from the
 * variables to the connections is the one a deployment takes.
 */
import test from 'ava';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { readRedisEndpoint } from '../../runtime/config.js';
import { checkRedis, RedisTopologyError } from '../../runtime/redis/check.js';
import { createRedis } from '../../runtime/redis/connection.js';
import { startPrivateRedis, type PrivateRedis } from '../env/private-redis.js';
import { makeTestPki, type TestPki } from '../env/private-tls.js';
import { isolation } from '../helpers/env.js';
import { useNamespace } from '../helpers/kube.js';
import { RuntimeRig, createWidgets, installTestCrds, keyOf } from './harness.js';

let pki: TestPki;
let server: PrivateRedis;
let wrongCaPath: string;

test.before(async () => {
  await installTestCrds();
  pki = await makeTestPki();
  wrongCaPath = path.join(pki.dir, 'wrong-ca.pem');
  writeFileSync(wrongCaPath, pki.wrongCa);
  server = await startPrivateRedis({ tls: { certPath: pki.serverCertPath, keyPath: pki.serverKeyPath } });
});

test.after.always(async () => {
  await server?.stop();
  pki?.remove();
});

test('the TLS-only server refuses a plain connection, so the tests below can only pass over TLS', async (t) => {
  const plain = new Redis(server.url.replace('rediss://', 'redis://'), {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    retryStrategy: () => null,
  });
  plain.on('error', () => undefined);
  const answered = await plain
    .connect()
    .then(() => plain.ping())
    .then(
      () => true,
      () => false,
    );
  plain.disconnect();
  t.false(answered);
});

test('a rediss:// URL with SLUICE_REDIS_TLS_CA_FILE passes the start-up check and carries queue commands', async (t) => {
  const endpoint = readRedisEndpoint({ SLUICE_REDIS_URL: server.url, SLUICE_REDIS_TLS_CA_FILE: pki.caPath });
  const result = await checkRedis(endpoint, { timeoutMs: 5_000 });
  t.deepEqual(result.warnings, []);
  const c = createRedis(endpoint, 'writer');
  try {
    await c.set('tls-probe', 'over-tls');
    t.is(await c.get('tls-probe'), 'over-tls');
  } finally {
    c.disconnect();
  }
});

test('SLUICE_REDIS_TLS on a redis:// URL turns TLS on as a rediss:// URL does', async (t) => {
  const endpoint = readRedisEndpoint({
    SLUICE_REDIS_URL: server.url.replace('rediss://', 'redis://'),
    SLUICE_REDIS_TLS: 'true',
    SLUICE_REDIS_TLS_CA_FILE: pki.caPath,
  });
  await t.notThrowsAsync(checkRedis(endpoint, { timeoutMs: 5_000 }));
});

test('worker processes reconcile Widgets through the TLS-only Redis', async (t) => {
  const iso = isolation('redis-tls');
  await useNamespace(t, iso.namespace);
  const endpoint = readRedisEndpoint({ SLUICE_REDIS_URL: server.url, SLUICE_REDIS_TLS_CA_FILE: pki.caPath });
  const rig = RuntimeRig.create(t, iso.queuePrefix, endpoint);
  await rig.spawnWorker({ concurrency: 5 });
  const refs = await createWidgets(iso.namespace, 5);
  for (const ref of refs) await rig.probe.bump(keyOf(ref));
  await rig.enqueue(refs);
  await rig.drained();
  for (const ref of refs) {
    t.is(await rig.probe.runs(keyOf(ref)), 1, `${ref.name} was reconciled once`);
    t.is(
      await rig.probe.observed(keyOf(ref)),
      await rig.probe.gen(keyOf(ref)),
      `${ref.name} at its last state`,
    );
  }
});

test('a server certificate another CA signed is refused at once by the start-up check, naming what to set', async (t) => {
  const endpoint = readRedisEndpoint({ SLUICE_REDIS_URL: server.url, SLUICE_REDIS_TLS_CA_FILE: wrongCaPath });
  const started = Date.now();
  const err = await t.throwsAsync(checkRedis(endpoint, { timeoutMs: 30_000 }), {
    instanceOf: RedisTopologyError,
  });
  t.is(err?.problem, 'untrusted-certificate');
  t.regex(err?.message ?? '', /SLUICE_REDIS_TLS_CA_FILE/);
  // Not retried until the deadline: a certificate does not become trusted by waiting.
  t.true(Date.now() - started < 30_000);
});

test('a certificate from the right CA but for another name is refused as untrusted', async (t) => {
  const other = await makeTestPki({ altNames: ['DNS:redis.elsewhere.example'] });
  const misnamed = await startPrivateRedis({
    tls: { certPath: other.serverCertPath, keyPath: other.serverKeyPath },
  });
  t.teardown(async () => {
    await misnamed.stop();
    other.remove();
  });
  const endpoint = readRedisEndpoint({
    SLUICE_REDIS_URL: misnamed.url,
    SLUICE_REDIS_TLS_CA_FILE: other.caPath,
  });
  const err = await t.throwsAsync(checkRedis(endpoint, { timeoutMs: 30_000 }), {
    instanceOf: RedisTopologyError,
  });
  t.is(err?.problem, 'untrusted-certificate');
  t.regex(err?.message ?? '', /ERR_TLS_CERT_ALTNAME_INVALID/);
});
