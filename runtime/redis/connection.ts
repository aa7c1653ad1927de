/**
 * @module runtime/redis/connection
 * The one connection factory: every Redis client of the runtime (the dispatcher's queues and
 * state, the workers, the HTTP API and dashboard, KEDA's metric endpoint, `sluice queues`, the
 * readiness probes) is made here from a {@link RedisEndpoint}, so one server, a Sentinel group
 * and a Redis Cluster are all supported in the same way.
 *
 * Guarantees:
 * - `queue` clients never give up on a command (`maxRetriesPerRequest: null`, BullMQ's rule for
 *   blocking commands) and wait for the server to be ready;
 * - `probe` clients connect lazily and fail a command after 2 s instead of queueing it, so a
 *   probe answers "down" instead of hanging;
 * - a Sentinel client asks the sentinels for the primary on every (re)connect and subscribes to
 *   their `+switch-master`, so it follows a failover without a restart.
 *
 * Costs: a Cluster client opens one connection per node it talks to, plus one for slot refreshes.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { Cluster, Redis } from 'ioredis';
import { ConfigError } from '../errors.js';
import { singleEndpoint, type RedisCredentials, type RedisEndpoint, type RedisTls } from './endpoint.js';

/** A client of any topology; both kinds share the command API. */
export type RedisClient = Redis | Cluster;

/** An endpoint, or the URL of one server (tests and tools). */
export type RedisTarget = RedisEndpoint | string;

/** What a client is for; see the module's guarantees. */
/**
 * What a client is for: `queue`, BullMQ's connections (commands wait for a reconnect); `probe`, a
 * readiness check (fails at once, connects lazily); `writer`, best-effort writes beside the queue
 * such as history records (a command is retried once, then fails rather than holding the caller).
 */
export type RedisRole = 'queue' | 'probe' | 'writer';

/** The endpoint a target names. */
export function endpointOf(target: RedisTarget): RedisEndpoint {
  return typeof target === 'string' ? singleEndpoint(target) : target;
}

/** Connection options for BullMQ: blocking commands must never time out. */
export function redisOptions() {
  return { maxRetriesPerRequest: null, enableReadyCheck: true } as const;
}

interface RoleOptions {
  readonly maxRetriesPerRequest: number | null;
  readonly enableReadyCheck: boolean;
  readonly connectTimeout?: number;
  readonly lazyConnect?: boolean;
}

function roleOptions(role: RedisRole): RoleOptions {
  switch (role) {
    case 'queue':
      return redisOptions();
    case 'writer':
      return { maxRetriesPerRequest: 1, enableReadyCheck: true };
    case 'probe':
      return { maxRetriesPerRequest: 0, connectTimeout: 2000, lazyConnect: true, enableReadyCheck: true };
  }
}

/**
 * Node's TLS options for `t`; the CA file is read on each call (a rotated file is picked up by
 * the next client).
 * @throws ConfigError when the CA file cannot be read.
 */
export function tlsOptions(t: RedisTls | undefined): TlsOptions | undefined {
  if (!t) return undefined;
  if (!t.caFile) return {};
  try {
    return { ca: readFileSync(t.caFile) };
  } catch (err) {
    throw new ConfigError(`SLUICE_REDIS_TLS_CA_FILE: cannot read ${t.caFile}`, { cause: err });
  }
}

function auth(c: RedisCredentials): { username?: string; password?: string } {
  return {
    ...(c.username !== undefined ? { username: c.username } : {}),
    ...(c.password !== undefined ? { password: c.password } : {}),
  };
}

/** The ioredis options of a single server or a Sentinel group (not a Cluster). */
export function serverOptions(e: Exclude<RedisEndpoint, { mode: 'cluster' }>, role: RedisRole) {
  const tls = tlsOptions(e.tls);
  if (e.mode === 'single') return { ...roleOptions(role), ...auth(e.credentials), ...(tls ? { tls } : {}) };
  const sentinelTls = tlsOptions(e.sentinelTls);
  return {
    ...roleOptions(role),
    ...auth(e.credentials),
    sentinels: e.sentinels.map((s) => ({ host: s.host, port: s.port })),
    name: e.masterName,
    role: 'master' as const,
    failoverDetector: true,
    ...(e.sentinelCredentials.username !== undefined
      ? { sentinelUsername: e.sentinelCredentials.username }
      : {}),
    ...(e.sentinelCredentials.password !== undefined
      ? { sentinelPassword: e.sentinelCredentials.password }
      : {}),
    ...(tls ? { tls, enableTLSForSentinelMode: true } : {}),
    ...(sentinelTls ? { sentinelTLS: sentinelTls } : {}),
  };
}

/** The ioredis options of a Cluster client. */
export function clusterOptions(e: Extract<RedisEndpoint, { mode: 'cluster' }>, role: RedisRole) {
  const tls = tlsOptions(e.tls);
  const { lazyConnect, ...perNode } = roleOptions(role);
  return {
    ...(lazyConnect ? { lazyConnect } : {}),
    enableReadyCheck: true,
    // A failover leaves the cluster down (or MOVED) for a moment: retry instead of failing.
    retryDelayOnClusterDown: 200,
    retryDelayOnFailover: 200,
    redisOptions: { ...perNode, ...auth(e.credentials), ...(tls ? { tls } : {}) },
    // TLS certificates name hosts, not the IPs a lookup would give.
    ...(tls
      ? { dnsLookup: (address: string, callback: (err: null, a: string) => void) => callback(null, address) }
      : {}),
  };
}

/**
 * A new client for `target`. The caller owns it and must `disconnect()` (or `quit()`) it; BullMQ
 * given it duplicates it for its blocking connection and leaves this one open.
 */
export function createRedis(target: RedisTarget, role: RedisRole = 'queue'): RedisClient {
  const e = endpointOf(target);
  switch (e.mode) {
    case 'single':
      return new Redis(e.url, serverOptions(e, role));
    case 'sentinel':
      return new Redis(serverOptions(e, role));
    case 'cluster':
      return new Cluster(
        e.nodes.map((n) => ({ host: n.host, port: n.port })),
        clusterOptions(e, role),
      );
  }
}

/** Whether Redis answers a PING within about two seconds (a readiness probe). */
export async function pingRedis(target: RedisTarget): Promise<boolean> {
  const client = createRedis(target, 'probe');
  client.on('error', () => undefined);
  const timer = new Promise<false>((resolve) => setTimeout(() => resolve(false), 2500).unref());
  try {
    return await Promise.race([
      client
        .connect()
        .then(() => client.ping())
        .then((r) => r === 'PONG'),
      timer,
    ]);
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
