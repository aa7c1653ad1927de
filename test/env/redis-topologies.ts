/**
 * @module test/env/redis-topologies
 * Redis beyond one node, on loopback, for the tests that need it: a Sentinel group (one primary,
 * two replicas, three sentinels, master name `sluice`) and a Redis Cluster (three primaries, each
 * with one replica). They are not part of `env:up`: the first test that asks starts them (a few
 * seconds), later tests and runs reuse them, and `env:down` stops them with the rest.
 *
 * The failover timings are short for tests (Sentinel `down-after-milliseconds` 1000, Cluster
 * `cluster-node-timeout` 1000); `docs/operations.md` gives production values.
 *
 * Concurrency: ava runs test files in parallel processes; a lock file lets one of them start a
 * topology while the others wait for it.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { ClusterEndpoint, SentinelEndpoint } from '../../runtime/redis/endpoint.js';
import { debianPrograms } from './build.js';
import { dataDir } from './paths.js';
import { freePort, livePid, run, startDetached, stopComponent, tcpOpen, waitFor } from './proc.js';

export const SENTINEL_MASTER = 'sluice';

/** The ports of a topology, kept in its folder so that later processes find it. */
interface Layout {
  readonly servers: readonly number[];
  readonly sentinels: readonly number[];
}

const topologies = { sentinel: { servers: 3, sentinels: 3 }, cluster: { servers: 6, sentinels: 0 } } as const;
type Topology = keyof typeof topologies;

const dirOf = (t: Topology): string => path.join(dataDir, `redis-${t}`);
const serverName = (t: Topology, i: number): string => `redis-${t}-${i + 1}`;
const sentinelName = (i: number): string => `sentinel-${i + 1}`;

/** Every component name the topologies may use, for `env:down`. */
export function topologyComponentNames(): string[] {
  return [
    ...Array.from({ length: topologies.sentinel.sentinels }, (_, i) => sentinelName(i)),
    ...(['sentinel', 'cluster'] as const).flatMap((t) =>
      Array.from({ length: topologies[t].servers }, (_, i) => serverName(t, i)),
    ),
  ];
}

/** Stops both topologies (by recorded pid) and removes their data. */
export async function stopTopologies(say: (m: string) => void = () => undefined): Promise<void> {
  for (const name of topologyComponentNames()) if (await stopComponent(name, 5_000)) say(`${name}: stopped`);
  for (const t of ['sentinel', 'cluster'] as const) rmSync(dirOf(t), { recursive: true, force: true });
}

async function answers(port: number, check: (c: Redis) => Promise<boolean>): Promise<boolean> {
  const c = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    retryStrategy: () => null,
  });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return await check(c);
  } catch {
    return false;
  } finally {
    c.disconnect();
  }
}

function readLayout(t: Topology): Layout | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dirOf(t), 'layout.json'), 'utf8')) as Layout;
  } catch {
    return undefined;
  }
}

/**
 * A free port whose Cluster bus port (the port + 10000) exists and is free too: a cluster node
 * on a port above 55535 cannot start.
 */
export async function clusterPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port <= 55535 && !(await tcpOpen(port + 10000, 200))) return port;
  }
}

async function newLayout(t: Topology): Promise<Layout> {
  const ports = new Set<number>();
  while (ports.size < topologies[t].servers + topologies[t].sentinels) ports.add(await clusterPort());
  const all = [...ports];
  const layout = {
    servers: all.slice(0, topologies[t].servers),
    sentinels: all.slice(topologies[t].servers),
  };
  mkdirSync(dirOf(t), { recursive: true });
  writeFileSync(path.join(dirOf(t), 'layout.json'), JSON.stringify(layout));
  return layout;
}

/** Runs `fn` holding the topology's lock file (another process waits, up to two minutes). */
async function locked<T>(t: Topology, fn: () => Promise<T>): Promise<T> {
  mkdirSync(dataDir, { recursive: true });
  const lock = path.join(dataDir, `redis-${t}.lock`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${lock}: held for two minutes; remove it if no test runs`);
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

function serverArgs(t: Topology, port: number): string[] {
  const dir = path.join(dirOf(t), String(port));
  mkdirSync(dir, { recursive: true });
  const common = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--protected-mode',
    'no',
    '--save',
    '',
    '--appendonly',
    'no',
  ];
  const cluster = [
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    path.join(dir, 'nodes.conf'),
    '--cluster-node-timeout',
    '1000',
  ];
  return [...common, '--dir', dir, '--maxmemory-policy', 'noeviction', ...(t === 'cluster' ? cluster : [])];
}

/** (Re)starts the servers of `t` whose process is gone; `replicaOf` for Sentinel's replicas. */
async function startServers(t: Topology, layout: Layout, replicaOf?: number): Promise<void> {
  const programs = await debianPrograms();
  const env = programs.libraryPath ? { env: { LD_LIBRARY_PATH: programs.libraryPath } } : {};
  await Promise.all(
    layout.servers.map(async (port, i) => {
      const name = serverName(t, i);
      if (livePid(name) !== undefined) return;
      const replica =
        replicaOf !== undefined && port !== replicaOf ? ['--replicaof', '127.0.0.1', String(replicaOf)] : [];
      const pid = startDetached(name, programs.redisServer, [...serverArgs(t, port), ...replica], env);
      await waitFor(name, () => answers(port, async (c) => (await c.ping()) === 'PONG'), 20_000, pid);
    }),
  );
}

/** Restarts the servers of a topology that a test killed (each rejoins as a replica). */
export async function restartServers(t: Topology): Promise<void> {
  const layout = readLayout(t);
  if (!layout) throw new Error(`no ${t} topology`);
  await startServers(t, layout);
}

function sentinelEndpoint(layout: Layout): SentinelEndpoint {
  return {
    mode: 'sentinel',
    sentinels: layout.sentinels.map((port) => ({ host: '127.0.0.1', port })),
    masterName: SENTINEL_MASTER,
    credentials: {},
    sentinelCredentials: {},
  };
}

/** The primary the sentinels name now, if they agree on one. */
export async function sentinelPrimary(layout: Pick<Layout, 'sentinels'>): Promise<number | undefined> {
  let found: number | undefined;
  for (const port of layout.sentinels) {
    await answers(port, async (c) => {
      const a = (await c.call('SENTINEL', 'get-master-addr-by-name', SENTINEL_MASTER)) as string[] | null;
      if (a?.[1]) found = Number(a[1]);
      return true;
    });
    if (found !== undefined) return found;
  }
  return undefined;
}

export interface SentinelGroup {
  readonly endpoint: SentinelEndpoint;
  readonly servers: readonly number[];
  readonly sentinels: readonly number[];
}

/** The Sentinel group, started if it is not running. */
export async function sentinelGroup(): Promise<SentinelGroup> {
  return locked('sentinel', async () => {
    const layout = readLayout('sentinel') ?? (await newLayout('sentinel'));
    const programs = await debianPrograms();
    const known = await sentinelPrimary(layout);
    const primary = known ?? layout.servers[0];
    if (primary === undefined) throw new Error('no Sentinel servers');
    await startServers('sentinel', layout, primary);
    await Promise.all(
      layout.sentinels.map(async (port, i) => {
        const name = sentinelName(i);
        if (livePid(name) !== undefined) return;
        const conf = path.join(dirOf('sentinel'), `sentinel-${port}.conf`);
        writeFileSync(
          conf,
          [
            `port ${port}`,
            'bind 127.0.0.1',
            'protected-mode no',
            `dir ${dirOf('sentinel')}`,
            `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${primary} 2`,
            `sentinel down-after-milliseconds ${SENTINEL_MASTER} 1000`,
            `sentinel failover-timeout ${SENTINEL_MASTER} 5000`,
            `sentinel parallel-syncs ${SENTINEL_MASTER} 1`,
            '',
          ].join('\n'),
        );
        const env = programs.libraryPath ? { env: { LD_LIBRARY_PATH: programs.libraryPath } } : {};
        const pid = startDetached(name, programs.redisServer, [conf, '--sentinel'], env);
        await waitFor(name, () => answers(port, async (c) => (await c.ping()) === 'PONG'), 20_000, pid);
      }),
    );
    await waitFor('sentinel group', async () => (await sentinelPrimary(layout)) !== undefined, 20_000);
    return { endpoint: sentinelEndpoint(layout), servers: layout.servers, sentinels: layout.sentinels };
  });
}

export interface RedisClusterTopology {
  readonly endpoint: ClusterEndpoint;
  readonly servers: readonly number[];
}

async function clusterOk(port: number): Promise<boolean> {
  return answers(port, async (c) => {
    const info = (await c.call('CLUSTER', 'INFO')) as string;
    return (
      /cluster_state:ok/.test(info) &&
      /cluster_slots_ok:16384/.test(info) &&
      /cluster_known_nodes:6/.test(info)
    );
  });
}

/** The Redis Cluster, started (and created with redis-cli) if it is not running. */
export async function redisCluster(): Promise<RedisClusterTopology> {
  return locked('cluster', async () => {
    let layout = readLayout('cluster');
    const created = layout !== undefined;
    layout ??= await newLayout('cluster');
    await startServers('cluster', layout);
    const servers = layout.servers;
    if (!created || !(await clusterOk(servers[0] ?? 0))) {
      if (
        !created ||
        !(await waitFor('cluster', () => clusterOk(servers[0] ?? 0), 10_000).then(
          () => true,
          () => false,
        ))
      ) {
        const programs = await debianPrograms();
        const cli = programs.redisServer.replace(/redis-server$/, 'redis-cli');
        await run(
          'redis-cluster-create',
          cli,
          [
            '--cluster',
            'create',
            ...servers.map((p) => `127.0.0.1:${p}`),
            '--cluster-replicas',
            '1',
            '--cluster-yes',
          ],
          programs.libraryPath ? { env: { LD_LIBRARY_PATH: programs.libraryPath } } : {},
        );
      }
    }
    await waitFor(
      'redis cluster',
      async () => (await Promise.all(servers.map(clusterOk))).every(Boolean),
      30_000,
    );
    return {
      endpoint: {
        mode: 'cluster',
        nodes: servers.map((port) => ({ host: '127.0.0.1', port })),
        credentials: {},
      },
      servers,
    };
  });
}

/** SIGKILLs the server of `t` on `port` (a test's fault); {@link restartServers} brings it back. */
export async function killServer(t: Topology, port: number): Promise<void> {
  const layout = readLayout(t);
  const i = layout?.servers.indexOf(port) ?? -1;
  if (i < 0) throw new Error(`no ${t} server on port ${port}`);
  await stopComponent(serverName(t, i), 0, 'SIGKILL');
}

/** The port of the Cluster primary serving `slot`, asked of the first node that answers. */
export async function clusterPrimaryOf(
  servers: readonly number[],
  slot: number,
): Promise<number | undefined> {
  for (const port of servers) {
    let found: number | undefined;
    const ok = await answers(port, async (c) => {
      const nodes = (await c.call('CLUSTER', 'NODES')) as string;
      for (const line of nodes.split('\n')) {
        const [, addr, flags, , , , , , ...slots] = line.trim().split(' ');
        if (!flags?.split(',').includes('master') || flags.includes('fail')) continue;
        const owns = slots.some((s) => {
          const [a, b] = s.split('-').map(Number);
          return a !== undefined && slot >= a && slot <= (b ?? a);
        });
        if (owns) found = Number(addr?.split('@')[0]?.split(':')[1]);
      }
      return true;
    });
    if (ok) return found;
  }
  return undefined;
}
