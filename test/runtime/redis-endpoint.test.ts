/**
 * Which Redis the configuration names: one server, a Sentinel group or a Cluster, read from the
 * environment by `runtime/config.ts`, and every malformed value refused with the variable named.
 */
import test from 'ava';
import { readRedisEndpoint, loadConfig } from '../../runtime/config.js';
import { ConfigError } from '../../runtime/errors.js';
import { describeEndpoint } from '../../runtime/redis/endpoint.js';
import { clusterOptions, serverOptions } from '../../runtime/redis/connection.js';

test('with nothing set, the endpoint is one server on the local default port', (t) => {
  t.deepEqual(loadConfig({}).redis, { mode: 'single', url: 'redis://127.0.0.1:6379', credentials: {} });
});

test('a rediss:// URL turns TLS on, and the CA file applies to it', (t) => {
  t.deepEqual(
    readRedisEndpoint({ SLUICE_REDIS_URL: 'rediss://cache:6380/2', SLUICE_REDIS_TLS_CA_FILE: '/ca.pem' }),
    {
      mode: 'single',
      url: 'rediss://cache:6380/2',
      credentials: {},
      tls: { caFile: '/ca.pem' },
    },
  );
});

test('SLUICE_REDIS_TLS turns TLS on for a redis:// URL, and may not turn it off for rediss://', (t) => {
  t.deepEqual(readRedisEndpoint({ SLUICE_REDIS_URL: 'redis://cache', SLUICE_REDIS_TLS: 'true' }).tls, {});
  const err = t.throws(
    () => readRedisEndpoint({ SLUICE_REDIS_URL: 'rediss://cache', SLUICE_REDIS_TLS: 'false' }),
    {
      instanceOf: ConfigError,
    },
  );
  t.regex(err.message, /SLUICE_REDIS_TLS/);
});

test('Sentinel: the sentinels with default port 26379, the master name, and both sets of credentials', (t) => {
  const e = readRedisEndpoint({
    SLUICE_REDIS_SENTINELS: 's1:26380, s2,[::1]:5000',
    SLUICE_REDIS_SENTINEL_MASTER: 'sluice',
    SLUICE_REDIS_USERNAME: 'app',
    SLUICE_REDIS_PASSWORD: 'server-secret',
    SLUICE_REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
  });
  t.deepEqual(e, {
    mode: 'sentinel',
    sentinels: [
      { host: 's1', port: 26380 },
      { host: 's2', port: 26379 },
      { host: '::1', port: 5000 },
    ],
    masterName: 'sluice',
    credentials: { username: 'app', password: 'server-secret' },
    sentinelCredentials: { password: 'sentinel-secret' },
  });
  const opts = serverOptions(e as Extract<typeof e, { mode: 'sentinel' }>, 'queue');
  t.like(opts, {
    name: 'sluice',
    role: 'master',
    username: 'app',
    password: 'server-secret',
    sentinelPassword: 'sentinel-secret',
    failoverDetector: true,
    maxRetriesPerRequest: null,
  });
  t.false('sentinelUsername' in opts);
});

test('Sentinel TLS follows SLUICE_REDIS_TLS unless SLUICE_REDIS_SENTINEL_TLS says otherwise', (t) => {
  const base = { SLUICE_REDIS_SENTINELS: 's1', SLUICE_REDIS_SENTINEL_MASTER: 'm' };
  const both = readRedisEndpoint({ ...base, SLUICE_REDIS_TLS: 'true' });
  t.like(both, { tls: {}, sentinelTls: {} });
  const serversOnly = readRedisEndpoint({
    ...base,
    SLUICE_REDIS_TLS: 'true',
    SLUICE_REDIS_SENTINEL_TLS: 'false',
  });
  t.deepEqual(
    [serversOnly.mode === 'sentinel' && serversOnly.sentinelTls, 'tls' in serversOnly],
    [undefined, true],
  );
  const opts = serverOptions(both as Extract<typeof both, { mode: 'sentinel' }>, 'queue');
  t.like(opts, { enableTLSForSentinelMode: true, sentinelTLS: {}, tls: {} });
});

test('Cluster: the seed nodes with default port 6379 and the servers’ credentials on every node', (t) => {
  const e = readRedisEndpoint({
    SLUICE_REDIS_CLUSTER_NODES: 'n1:7000,n2',
    SLUICE_REDIS_PASSWORD: 'pw',
    SLUICE_REDIS_TLS: 'yes',
  });
  t.deepEqual(e, {
    mode: 'cluster',
    nodes: [
      { host: 'n1', port: 7000 },
      { host: 'n2', port: 6379 },
    ],
    credentials: { password: 'pw' },
    tls: {},
  });
  const opts = clusterOptions(e as Extract<typeof e, { mode: 'cluster' }>, 'queue');
  t.like(opts.redisOptions, { password: 'pw', tls: {}, maxRetriesPerRequest: null });
  t.is(typeof opts.dnsLookup, 'function');
});

const refusals: Array<[string, Record<string, string>, RegExp]> = [
  ['a URL without redis://', { SLUICE_REDIS_URL: 'http://cache' }, /^SLUICE_REDIS_URL/],
  ['a URL without a host', { SLUICE_REDIS_URL: 'redis://' }, /^SLUICE_REDIS_URL/],
  [
    'two ways at once',
    { SLUICE_REDIS_URL: 'redis://a', SLUICE_REDIS_CLUSTER_NODES: 'b' },
    /SLUICE_REDIS_URL and SLUICE_REDIS_CLUSTER_NODES/,
  ],
  ['sentinels without a master name', { SLUICE_REDIS_SENTINELS: 's1' }, /^SLUICE_REDIS_SENTINEL_MASTER/],
  [
    'a master name without sentinels',
    { SLUICE_REDIS_SENTINEL_MASTER: 'm' },
    /^SLUICE_REDIS_SENTINEL_MASTER is set but SLUICE_REDIS_SENTINELS/,
  ],
  [
    'sentinel credentials without sentinels',
    { SLUICE_REDIS_SENTINEL_PASSWORD: 'x' },
    /^SLUICE_REDIS_SENTINEL_PASSWORD/,
  ],
  [
    'a port out of range',
    { SLUICE_REDIS_CLUSTER_NODES: 'n1:70000' },
    /^SLUICE_REDIS_CLUSTER_NODES .*"n1:70000"/,
  ],
  [
    'an empty entry',
    { SLUICE_REDIS_SENTINELS: 's1,,s2', SLUICE_REDIS_SENTINEL_MASTER: 'm' },
    /^SLUICE_REDIS_SENTINELS/,
  ],
  ['a host with a space', { SLUICE_REDIS_CLUSTER_NODES: 'a b:1' }, /^SLUICE_REDIS_CLUSTER_NODES/],
  [
    'a TLS flag that is not a boolean',
    { SLUICE_REDIS_TLS: 'maybe' },
    /^SLUICE_REDIS_TLS must be true or false/,
  ],
];
for (const [what, env, message] of refusals) {
  test(`the configuration refuses ${what}, naming the variable`, (t) => {
    const err = t.throws(() => loadConfig(env), { instanceOf: ConfigError });
    t.regex(err.message, message);
  });
}

test('an endpoint’s description never shows a password', (t) => {
  const single = readRedisEndpoint({ SLUICE_REDIS_URL: 'redis://app:hunter2@cache:6379/1' });
  t.is(describeEndpoint(single), 'Redis redis://app:***@cache:6379/1');
  const sentinel = readRedisEndpoint({
    SLUICE_REDIS_SENTINELS: 's1:1,s2:2',
    SLUICE_REDIS_SENTINEL_MASTER: 'm',
    SLUICE_REDIS_PASSWORD: 'hunter2',
  });
  t.is(describeEndpoint(sentinel), 'Redis Sentinel master "m" via s1:1,s2:2');
  t.notRegex(
    describeEndpoint(
      readRedisEndpoint({ SLUICE_REDIS_CLUSTER_NODES: 'n', SLUICE_REDIS_PASSWORD: 'hunter2' }),
    ),
    /hunter2/,
  );
});
