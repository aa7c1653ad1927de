/**
 * The start-up check on one real server: a primary passes, a replica and an unreachable address
 * are refused with their problem named, and an eviction policy other than noeviction is a
 * warning. (Sentinel and Cluster refusals are in the topology tests.)
 */
import test from 'ava';
import { Redis } from 'ioredis';
import { checkRedis, RedisTopologyError } from '../../runtime/redis/check.js';
import { singleEndpoint } from '../../runtime/redis/endpoint.js';
import { startPrivateRedis, type PrivateRedis } from '../env/private-redis.js';
import { freePort } from '../env/proc.js';

let primary: PrivateRedis;
let replica: PrivateRedis;

test.before(async () => {
  [primary, replica] = await Promise.all([startPrivateRedis(), startPrivateRedis()]);
  const r = new Redis(replica.url);
  await r.call('REPLICAOF', '127.0.0.1', new URL(primary.url).port);
  r.disconnect();
});

test.after.always(async () => {
  await Promise.all([primary.stop(), replica.stop()]);
});

test.serial('a primary with noeviction passes without warnings', async (t) => {
  t.deepEqual(await checkRedis(singleEndpoint(primary.url)), { warnings: [] });
});

test.serial('an eviction policy other than noeviction is a warning naming it', async (t) => {
  const r = new Redis(primary.url);
  try {
    await r.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const { warnings } = await checkRedis(singleEndpoint(primary.url));
    t.is(warnings.length, 1);
    t.regex(warnings[0] ?? '', /maxmemory-policy allkeys-lru.*noeviction/);
  } finally {
    await r.config('SET', 'maxmemory-policy', 'noeviction');
    r.disconnect();
  }
});

test('a replica given as the server is refused as a replica', async (t) => {
  const err = await t.throwsAsync(checkRedis(singleEndpoint(replica.url)), {
    instanceOf: RedisTopologyError,
  });
  t.is(err.problem, 'replica');
  t.regex(err.message, /replica.*SLUICE_REDIS_URL/);
});

test('an address where nothing listens is refused as unreachable once the time allowed is up', async (t) => {
  const port = await freePort();
  const started = Date.now();
  const err = await t.throwsAsync(
    checkRedis(singleEndpoint(`redis://127.0.0.1:${port}`), { timeoutMs: 1500 }),
    {
      instanceOf: RedisTopologyError,
    },
  );
  t.is(err.problem, 'unreachable');
  t.true(Date.now() - started < 6000, 'the check gives up instead of hanging');
});
