/**
 * The start-up check against a real Sentinel group and a real Redis Cluster: both pass as
 * configured, and each wrong configuration is refused at once with its problem named, never a
 * client that waits forever.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { checkRedis, RedisTopologyError, type RedisProblem } from '../../runtime/redis/check.js';
import { singleEndpoint, type RedisEndpoint } from '../../runtime/redis/endpoint.js';
import { createRedis } from '../../runtime/redis/connection.js';
import { debianPrograms } from '../env/build.js';
import { tcpOpen } from '../env/proc.js';
import {
  clusterPort,
  redisCluster,
  sentinelGroup,
  type RedisClusterTopology,
  type SentinelGroup,
} from '../env/redis-topologies.js';

let sentinel: SentinelGroup;
let cluster: RedisClusterTopology;
let lonelyNode: { port: number; child: ChildProcess; dir: string };

test.before(async () => {
  [sentinel, cluster] = await Promise.all([sentinelGroup(), redisCluster()]);
  // A cluster-enabled node that serves no slot: a Cluster that is not covered.
  const programs = await debianPrograms();
  const port = await clusterPort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-lonely-'));
  const child = spawn(
    programs.redisServer,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, '--cluster-enabled', 'yes'],
    { stdio: 'ignore', ...(programs.libraryPath ? { env: { LD_LIBRARY_PATH: programs.libraryPath } } : {}) },
  );
  for (let i = 0; i < 100 && !(await tcpOpen(port)); i++) await new Promise((r) => setTimeout(r, 50));
  lonelyNode = { port, child, dir };
});

test.after.always(() => {
  lonelyNode.child.kill('SIGKILL');
  rmSync(lonelyNode.dir, { recursive: true, force: true });
});

test('the Sentinel group and the Cluster pass the check as configured', async (t) => {
  t.deepEqual(await checkRedis(sentinel.endpoint), { warnings: [] });
  t.deepEqual(await checkRedis(cluster.endpoint), { warnings: [] });
});

test('the factory’s clients write and read through Sentinel and through the Cluster', async (t) => {
  for (const e of [sentinel.endpoint, cluster.endpoint]) {
    const c = createRedis(e);
    try {
      await c.set('sluice-test:{probe}:a', e.mode);
      t.is(await c.get('sluice-test:{probe}:a'), e.mode);
    } finally {
      c.disconnect();
    }
  }
});

async function refused(t: ExecutionContext, e: RedisEndpoint, problem: RedisProblem, message: RegExp) {
  const started = Date.now();
  const err = await t.throwsAsync(checkRedis(e), { instanceOf: RedisTopologyError });
  t.is(err.problem, problem, err.message);
  t.regex(err.message, message);
  t.true(Date.now() - started < 5000, 'refused at once, not after waiting');
}

test('a master name the sentinels do not monitor is refused, naming it', async (t) => {
  await refused(
    t,
    { ...sentinel.endpoint, masterName: 'nope' },
    'unknown-master',
    /"nope".*SLUICE_REDIS_SENTINEL_MASTER/,
  );
});

test('a Cluster that serves no slot is refused as not covered', async (t) => {
  await refused(
    t,
    { mode: 'cluster', nodes: [{ host: '127.0.0.1', port: lonelyNode.port }], credentials: {} },
    'cluster-not-ready',
    /not fully covered.*0 of 16384/,
  );
});

test('a Cluster node given as one server, and a server given as a Cluster, are the wrong mode', async (t) => {
  const node = cluster.servers[0] ?? 0;
  await refused(t, singleEndpoint(`redis://127.0.0.1:${node}`), 'wrong-mode', /SLUICE_REDIS_CLUSTER_NODES/);
  const plain = sentinel.servers[0] ?? 0;
  await refused(
    t,
    { mode: 'cluster', nodes: [{ host: '127.0.0.1', port: plain }], credentials: {} },
    'wrong-mode',
    /without cluster support/,
  );
});

test('a sentinel given as one server, and a server given as a sentinel, are the wrong mode', async (t) => {
  const s = sentinel.sentinels[0] ?? 0;
  await refused(t, singleEndpoint(`redis://127.0.0.1:${s}`), 'wrong-mode', /is a Sentinel/);
  const plain = sentinel.servers[0] ?? 0;
  await refused(
    t,
    { ...sentinel.endpoint, sentinels: [{ host: '127.0.0.1', port: plain }] },
    'wrong-mode',
    /not a Sentinel/,
  );
});
