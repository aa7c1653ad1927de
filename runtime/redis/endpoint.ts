/**
 * @module runtime/redis/endpoint
 * Which Redis Sluice talks to: one server, a Sentinel group, or a Redis Cluster. The values are
 * read and validated in `runtime/config.ts` (the one module that reads the environment); the
 * connection factory (`./connection.ts`) turns one into clients.
 *
 * Guarantee: {@link describeEndpoint} never includes a password, so it is safe for logs and
 * error messages.
 */

/** A `host:port` pair. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** A username and password; either may be absent (Redis' default user, or no AUTH at all). */
export interface RedisCredentials {
  readonly username?: string;
  readonly password?: string;
}

/** TLS towards a set of servers; its presence turns TLS on. */
export interface RedisTls {
  /** A PEM file of the CA(s) to trust instead of the system's. */
  readonly caFile?: string;
}

/** One Redis server, as a `redis://` or `rediss://` URL (credentials and database may be in it). */
export interface SingleEndpoint {
  readonly mode: 'single';
  readonly url: string;
  /** Overrides the URL's credentials when set. */
  readonly credentials: RedisCredentials;
  /** Set for `rediss://` URLs, or by `SLUICE_REDIS_TLS`. */
  readonly tls?: RedisTls;
}

/** A primary found through Redis Sentinel, followed across failovers. */
export interface SentinelEndpoint {
  readonly mode: 'sentinel';
  readonly sentinels: readonly HostPort[];
  /** The master group name the sentinels monitor. */
  readonly masterName: string;
  /** Credentials of the Redis servers (primary and replicas). */
  readonly credentials: RedisCredentials;
  /** Credentials of the sentinels themselves. */
  readonly sentinelCredentials: RedisCredentials;
  /** TLS towards the Redis servers. */
  readonly tls?: RedisTls;
  /** TLS towards the sentinels. */
  readonly sentinelTls?: RedisTls;
}

/** A Redis Cluster, discovered from some of its nodes. */
export interface ClusterEndpoint {
  readonly mode: 'cluster';
  readonly nodes: readonly HostPort[];
  readonly credentials: RedisCredentials;
  readonly tls?: RedisTls;
}

export type RedisEndpoint = SingleEndpoint | SentinelEndpoint | ClusterEndpoint;

/** A single endpoint from a URL alone (tests, tools), TLS when the URL says `rediss://`. */
export function singleEndpoint(url: string): SingleEndpoint {
  return url.startsWith('rediss://')
    ? { mode: 'single', url, credentials: {}, tls: {} }
    : { mode: 'single', url, credentials: {} };
}

/** `host:port`, with brackets around an IPv6 host. */
export function formatHostPort(a: HostPort): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** A URL's text without its password (`redis://user:***@host`). */
function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** A description of the endpoint for logs and messages, without any password. */
export function describeEndpoint(e: RedisEndpoint): string {
  switch (e.mode) {
    case 'single':
      return `Redis ${withoutPassword(e.url)}`;
    case 'sentinel':
      return `Redis Sentinel master "${e.masterName}" via ${e.sentinels.map(formatHostPort).join(',')}`;
    case 'cluster':
      return `Redis Cluster via ${e.nodes.map(formatHostPort).join(',')}`;
  }
}
