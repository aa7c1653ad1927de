/**
 * The chart's Redis choices: an external Sentinel group or Redis Cluster, with credentials from a
 * Secret, replaces the bundled Redis; what the containers get is what `runtime/config.ts` reads
 * (the rendered variables are parsed by it); contradictory values are refused at render time.
 */
import test from 'ava';
import { readRedisEndpoint } from '../../runtime/config.js';
import type { KubeObject } from '../../runtime/index.js';
import { pick, renderObjects } from './chart.js';
import { containersOf } from './objects.js';

interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly secretKeyRef?: { readonly name: string; readonly key: string } };
}

function redisEnv(objects: KubeObject[], deployment: string): EnvVar[] {
  const env = (containersOf(pick(objects, 'Deployment', deployment))[0]?.env ?? []) as EnvVar[];
  return env.filter((e) => e.name.startsWith('SLUICE_REDIS_'));
}

/** The variables as the process would see them, a Secret's key standing for its value. */
function asEnvironment(env: EnvVar[]): Record<string, string> {
  return Object.fromEntries(
    env.map((e) => [
      e.name,
      e.value ?? `<${e.valueFrom?.secretKeyRef?.name}/${e.valueFrom?.secretKeyRef?.key}>`,
    ]),
  );
}

const auth = {
  existingSecret: 'redis-creds',
  usernameKey: 'username',
  passwordKey: 'password',
  sentinelPasswordKey: 'sentinel-password',
};

test('an external Sentinel group replaces the bundled Redis, with both credentials from the Secret', async (t) => {
  const objects = await renderObjects({
    redis: {
      sentinel: { addresses: ['s0.redis:26379', 's1.redis:26379', 's2.redis:26379'], masterName: 'queues' },
      auth,
      tls: { enabled: true, sentinels: true },
    },
  });
  t.false(
    objects.some((o) => o.metadata.name === 'sluice-redis'),
    'no bundled Redis',
  );
  for (const d of ['sluice-dispatcher', 'sluice-worker-tanzu']) {
    const env = redisEnv(objects, d);
    t.false(env.some((e) => e.name === 'SLUICE_REDIS_URL'));
    t.deepEqual(readRedisEndpoint(asEnvironment(env)), {
      mode: 'sentinel',
      sentinels: [
        { host: 's0.redis', port: 26379 },
        { host: 's1.redis', port: 26379 },
        { host: 's2.redis', port: 26379 },
      ],
      masterName: 'queues',
      credentials: { username: '<redis-creds/username>', password: '<redis-creds/password>' },
      sentinelCredentials: { password: '<redis-creds/sentinel-password>' },
      tls: {},
      sentinelTls: {},
    });
  }
});

test('an external Redis Cluster replaces the bundled Redis, with the password from the Secret', async (t) => {
  const objects = await renderObjects({
    redis: {
      cluster: { nodes: ['c0.redis:6379', 'c1.redis:6379'] },
      auth: { existingSecret: 'redis-creds' },
    },
  });
  t.false(objects.some((o) => o.metadata.name === 'sluice-redis'));
  const env = redisEnv(objects, 'sluice-dispatcher');
  t.deepEqual(readRedisEndpoint(asEnvironment(env)), {
    mode: 'cluster',
    nodes: [
      { host: 'c0.redis', port: 6379 },
      { host: 'c1.redis', port: 6379 },
    ],
    credentials: { password: '<redis-creds/password>' },
  });
  t.false(
    env.some((e) => e.name === 'SLUICE_REDIS_USERNAME'),
    'no username key, no username',
  );
});

test('the bundled Redis stays the default', async (t) => {
  const objects = await renderObjects();
  t.truthy(pick(objects, 'Deployment', 'sluice-redis'));
  t.deepEqual(asEnvironment(redisEnv(objects, 'sluice-dispatcher')), {
    SLUICE_REDIS_URL: 'redis://sluice-redis:6379',
  });
});

test('two ways to name Redis at once, or sentinels without a master name, are refused at render time', async (t) => {
  const both = await t.throwsAsync(
    renderObjects({ redis: { url: 'redis://a:6379', cluster: { nodes: ['c0:6379'] } } }),
  );
  t.regex(both?.message ?? '', /set only one of url\/urlSecret, sentinel.addresses and cluster.nodes/);
  const nameless = await t.throwsAsync(renderObjects({ redis: { sentinel: { addresses: ['s0:26379'] } } }));
  t.regex(nameless?.message ?? '', /redis.sentinel.masterName/);
});

test('a CA Secret for Redis TLS is mounted read-only into every Sluice pod and named by SLUICE_REDIS_TLS_CA_FILE', async (t) => {
  const objects = await renderObjects({
    redis: { url: 'rediss://redis.example:6380', tls: { caSecret: { name: 'redis-ca', key: 'bundle.pem' } } },
  });
  const deployments = objects.filter(
    (o) =>
      o.kind === 'Deployment' && o.metadata.name?.startsWith('sluice-') && o.metadata.name !== 'sluice-redis',
  );
  t.true(deployments.length >= 2, 'the dispatcher and the worker groups');
  for (const d of deployments) {
    const name = d.metadata.name ?? '';
    const env = asEnvironment(redisEnv(objects, name));
    t.deepEqual(readRedisEndpoint(env), {
      mode: 'single',
      url: 'rediss://redis.example:6380',
      credentials: {},
      tls: { caFile: '/etc/sluice/redis-ca/bundle.pem' },
    });
    const spec = (d as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
    const mount = spec.containers[0]?.volumeMounts?.find((m) => m.name === 'redis-ca');
    t.deepEqual(mount, { name: 'redis-ca', mountPath: '/etc/sluice/redis-ca', readOnly: true }, name);
    const volume = spec.volumes?.find((v) => v.name === 'redis-ca');
    t.deepEqual(
      volume?.secret,
      { secretName: 'redis-ca', defaultMode: 0o444, items: [{ key: 'bundle.pem', path: 'bundle.pem' }] },
      name,
    );
  }
});

test('without a CA Secret no CA volume is rendered and the CA file is not set', async (t) => {
  const objects = await renderObjects({ redis: { url: 'rediss://redis.example:6380' } });
  for (const d of objects.filter((o) => o.kind === 'Deployment')) {
    const spec = (d as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
    t.false(spec.volumes?.some((v) => v.name === 'redis-ca') ?? false);
  }
  t.false('SLUICE_REDIS_TLS_CA_FILE' in asEnvironment(redisEnv(objects, 'sluice-dispatcher')));
});

interface PodSpec {
  readonly containers: ReadonlyArray<{ readonly volumeMounts?: ReadonlyArray<{ readonly name: string }> }>;
  readonly volumes?: ReadonlyArray<{ readonly name: string; readonly secret?: unknown }>;
}
