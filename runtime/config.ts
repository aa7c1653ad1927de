/**
 * @module runtime/config
 * The one module that reads the process environment. Everything else receives a validated
 * {@link SluiceConfig} (or, for tools that start child processes, an {@link environment} snapshot).
 *
 * Guarantees: unknown `SLUICE_*` variables are ignored; a malformed value throws {@link ConfigError}
 * naming the variable and what was expected, never a silent fallback to the default.
 */
import { ConfigError } from './errors.js';
import type { HostPort, RedisCredentials, RedisEndpoint, RedisTls } from './redis/endpoint.js';

/** A read-only copy of the environment variables, for passing on to child processes. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Returns a frozen copy of the process environment. */
export function environment(): Environment {
  return Object.freeze({ ...process.env });
}

/**
 * The runtime's settings (the dispatcher, the workers, the HTTP API). Every field documents its
 * variable and its default. Settings of the functions built on the runtime are read by them from
 * the {@link environment} snapshot (for Sluice's own functions, `shared/settings.ts`).
 */
export interface SluiceConfig {
  /** `KUBECONFIG`: path of a kubeconfig file; unset means in-cluster config. */
  readonly kubeconfig: string | undefined;
  /**
   * Which Redis: `SLUICE_REDIS_URL` (one server), `SLUICE_REDIS_SENTINELS` with
   * `SLUICE_REDIS_SENTINEL_MASTER` (Sentinel), or `SLUICE_REDIS_CLUSTER_NODES` (Cluster); see
   * {@link readRedisEndpoint}. @defaultValue one server at `redis://127.0.0.1:6379`
   */
  readonly redis: RedisEndpoint;
  /** `SLUICE_QUEUE_PREFIX`: the BullMQ key prefix. @defaultValue `sluice` */
  readonly queuePrefix: string;
  /** `SLUICE_NAMESPACE`: the operator's own namespace. @defaultValue `sluice-system` */
  readonly namespace: string;
  /** `SLUICE_WATCH_NAMESPACE`: reconcile namespaced objects of this namespace only. @defaultValue all namespaces */
  readonly watchNamespace: string | undefined;
  /** `SLUICE_API_TOKEN`, or the contents of the file named by `SLUICE_API_TOKEN_FILE`. */
  readonly apiToken: string | undefined;
  /** `SLUICE_API_TOKEN_FILE`: a file holding the API token (read at start-up and on each miss). */
  readonly apiTokenFile: string | undefined;
  /** `SLUICE_TOKEN_REVIEW`: also accept Kubernetes ServiceAccount tokens via TokenReview. @defaultValue `false` */
  readonly tokenReview: boolean;
  /** `SLUICE_DASHBOARD_WRITABLE`: allow write actions on the dashboard. @defaultValue `false` */
  readonly dashboardWritable: boolean;
  /** `SLUICE_LOG_LEVEL` @defaultValue `info` */
  readonly logLevel: string;
  /** `SLUICE_RESYNC_SECONDS`: period of the full re-enqueue of every object. @defaultValue `600` */
  readonly resyncSeconds: number;
  /**
   * `SLUICE_QUEUE_MAX_WAIT_SECONDS`: the longest a prioritized job (a resync, a re-list, a
   * namespace's fairness overflow) waits before aging moves it to the front of the wait list
   * (0: no aging). @defaultValue {@link resyncSeconds}
   */
  readonly queueMaxWaitSeconds: number;
  /**
   * `SLUICE_FAIRNESS`: `namespace` shares each queue fairly between namespaces (a namespace that
   * sends more than `SLUICE_FAIRNESS_QUANTUM` requests per 5 s waits behind the others' fresh
   * events, see `runtime/queue/fairness.ts`); `off` keeps one FIFO. @defaultValue `off`
   */
  readonly fairness: 'namespace' | 'off';
  /** `SLUICE_FAIRNESS_QUANTUM`: requests per namespace per 5 s that go unprioritized. @defaultValue 50 */
  readonly fairnessQuantum: number;
  /** `SLUICE_LEASE_NAME`: the leader Lease (in {@link namespace}); one per release. @defaultValue `sluice-dispatcher` */
  readonly leaseName: string;
  /** `SLUICE_POD_NAME`: identity used in the leader Lease. @defaultValue the host name and pid */
  readonly identity: string | undefined;
  /** `SLUICE_RATE_LIMIT`: reconciles started per second per kind, queue-wide (0: no limit). @defaultValue 500 */
  readonly rateLimitPerSecond: number;
  /** `SLUICE_LOCK_MS`: the job lease; a worker silent this long loses its job to another. @defaultValue 30000 */
  readonly lockMs: number;
  /** `SLUICE_CACHE_DIR`: where the test environment caches what it builds. */
  readonly cacheDir: string | undefined;
  /** The per-object reconcile history (`runtime/history/`). */
  readonly history: HistorySettings;
}

/** How much reconcile history is kept per object; see `runtime/history/`. */
export interface HistorySettings {
  /** `SLUICE_HISTORY_RECORDS`: records kept per object (0: no history is written). @defaultValue 20 */
  readonly records: number;
  /** `SLUICE_HISTORY_BYTES`: bytes kept per object, oldest records dropped first (0: no byte cap). @defaultValue 16384 */
  readonly bytes: number;
  /** `SLUICE_HISTORY_TTL_SECONDS`: an object's history expires this long after its last record (0: never). @defaultValue 604800 (7 days) */
  readonly ttlSeconds: number;
}

/** The history settings when nothing is configured. */
export const DEFAULT_HISTORY: HistorySettings = Object.freeze({
  records: 20,
  bytes: 16 * 1024,
  ttlSeconds: 7 * 24 * 3600,
});

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export function bool(env: Environment, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(raw)}`);
}

function positiveInt(env: Environment, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^[0-9]+$/.test(raw) || Number(raw) <= 0) {
    throw new ConfigError(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

function nonNegativeInt(env: Environment, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^[0-9]+$/.test(raw))
    throw new ConfigError(`${name} must be a whole number, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

export function optional(env: Environment, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

/**
 * Reads and validates the operator settings.
 * @param env the variables to read; defaults to the process environment.
 * @throws ConfigError naming the first malformed variable.
 */
export function loadConfig(env: Environment = environment()): SluiceConfig {
  const logLevel = optional(env, 'SLUICE_LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.has(logLevel)) {
    throw new ConfigError(`SLUICE_LOG_LEVEL must be one of ${[...LOG_LEVELS].join(', ')}, got ${logLevel}`);
  }
  const queuePrefix = optional(env, 'SLUICE_QUEUE_PREFIX') ?? 'sluice';
  if (!/^[A-Za-z0-9_.{}-]+$/.test(queuePrefix)) {
    throw new ConfigError(`SLUICE_QUEUE_PREFIX may hold letters, digits, '_', '.', '-', '{' and '}' only`);
  }
  const fairness = optional(env, 'SLUICE_FAIRNESS') ?? 'off';
  if (fairness !== 'namespace' && fairness !== 'off') {
    throw new ConfigError(`SLUICE_FAIRNESS must be namespace or off, got ${JSON.stringify(fairness)}`);
  }
  const resyncSeconds = positiveInt(env, 'SLUICE_RESYNC_SECONDS', 600);
  return Object.freeze({
    kubeconfig: optional(env, 'KUBECONFIG'),
    redis: readRedisEndpoint(env),
    queuePrefix,
    namespace: optional(env, 'SLUICE_NAMESPACE') ?? 'sluice-system',
    watchNamespace: optional(env, 'SLUICE_WATCH_NAMESPACE'),
    apiToken: optional(env, 'SLUICE_API_TOKEN'),
    apiTokenFile: optional(env, 'SLUICE_API_TOKEN_FILE'),
    tokenReview: bool(env, 'SLUICE_TOKEN_REVIEW', false),
    dashboardWritable: bool(env, 'SLUICE_DASHBOARD_WRITABLE', false),
    logLevel,
    resyncSeconds,
    queueMaxWaitSeconds: nonNegativeInt(env, 'SLUICE_QUEUE_MAX_WAIT_SECONDS', resyncSeconds),
    fairness,
    fairnessQuantum: positiveInt(env, 'SLUICE_FAIRNESS_QUANTUM', 50),
    identity: optional(env, 'SLUICE_POD_NAME'),
    leaseName: optional(env, 'SLUICE_LEASE_NAME') ?? 'sluice-dispatcher',
    rateLimitPerSecond: nonNegativeInt(env, 'SLUICE_RATE_LIMIT', 500),
    lockMs: positiveInt(env, 'SLUICE_LOCK_MS', 30_000),
    cacheDir: optional(env, 'SLUICE_CACHE_DIR'),
    history: Object.freeze({
      records: nonNegativeInt(env, 'SLUICE_HISTORY_RECORDS', DEFAULT_HISTORY.records),
      bytes: nonNegativeInt(env, 'SLUICE_HISTORY_BYTES', DEFAULT_HISTORY.bytes),
      ttlSeconds: nonNegativeInt(env, 'SLUICE_HISTORY_TTL_SECONDS', DEFAULT_HISTORY.ttlSeconds),
    }),
  });
}

/**
 * `host:port[,host:port…]` (IPv6 hosts in brackets); a missing port is `defaultPort`.
 * @throws ConfigError naming `name` for an empty list, a bad host or a port out of range.
 */
function hostPorts(env: Environment, name: string, defaultPort: number): HostPort[] | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  return raw.split(',').map((item) => {
    const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+))(?::([0-9]{1,5}))?$/.exec(item.trim());
    const host = m?.[1] ?? m?.[2];
    const port = m?.[3] === undefined ? defaultPort : Number(m[3]);
    if (!host || port < 1 || port > 65535) {
      throw new ConfigError(`${name} must be host:port[,host:port...], got ${JSON.stringify(item)}`);
    }
    return { host, port };
  });
}

/** A username and password from two variables; either may be unset. */
function credentials(env: Environment, user: string, password: string): RedisCredentials {
  const username = optional(env, user);
  const pass = env[password] === undefined || env[password] === '' ? undefined : env[password];
  return { ...(username ? { username } : {}), ...(pass !== undefined ? { password: pass } : {}) };
}

/** TLS settings when `flag` (or `on`) says TLS; the CA file applies to every TLS connection. */
function tls(env: Environment, flag: string, on: boolean): RedisTls | undefined {
  if (!bool(env, flag, on)) return undefined;
  const caFile = optional(env, 'SLUICE_REDIS_TLS_CA_FILE');
  return caFile ? { caFile } : {};
}

const REDIS_MODES = ['SLUICE_REDIS_URL', 'SLUICE_REDIS_SENTINELS', 'SLUICE_REDIS_CLUSTER_NODES'];

/**
 * Which Redis to use. Exactly one of these names the servers:
 * - `SLUICE_REDIS_URL`: one server (`redis://` or `rediss://`, with credentials and database);
 * - `SLUICE_REDIS_SENTINELS` (`host:port,…`, port 26379 by default) and
 *   `SLUICE_REDIS_SENTINEL_MASTER` (the master group name);
 * - `SLUICE_REDIS_CLUSTER_NODES` (`host:port,…`, port 6379 by default): some nodes of a Cluster.
 *
 * Also: `SLUICE_REDIS_USERNAME`/`SLUICE_REDIS_PASSWORD` (the Redis servers, any mode; they
 * override a URL's), `SLUICE_REDIS_SENTINEL_USERNAME`/`SLUICE_REDIS_SENTINEL_PASSWORD` (the
 * sentinels), `SLUICE_REDIS_TLS` (TLS to the servers; a `rediss://` URL implies it),
 * `SLUICE_REDIS_SENTINEL_TLS` (TLS to the sentinels; defaults to `SLUICE_REDIS_TLS`) and
 * `SLUICE_REDIS_TLS_CA_FILE` (a PEM CA bundle to trust).
 * @throws ConfigError naming the variable: two modes at once, a malformed list or URL, a
 *   Sentinel setting without the other, or a Sentinel/Cluster-only setting in another mode.
 */
export function readRedisEndpoint(env: Environment): RedisEndpoint {
  const set = REDIS_MODES.filter((n) => optional(env, n) !== undefined);
  if (set.length > 1) {
    throw new ConfigError(`${set.join(' and ')} are both set: name the Redis servers one way only`);
  }
  const creds = credentials(env, 'SLUICE_REDIS_USERNAME', 'SLUICE_REDIS_PASSWORD');
  const sentinels = hostPorts(env, 'SLUICE_REDIS_SENTINELS', 26379);
  const masterName = optional(env, 'SLUICE_REDIS_SENTINEL_MASTER');
  const sentinelOnly = [
    'SLUICE_REDIS_SENTINEL_USERNAME',
    'SLUICE_REDIS_SENTINEL_PASSWORD',
    'SLUICE_REDIS_SENTINEL_TLS',
  ];
  if (!sentinels) {
    for (const n of [...(masterName ? ['SLUICE_REDIS_SENTINEL_MASTER'] : []), ...sentinelOnly]) {
      if (env[n] !== undefined && env[n] !== '')
        throw new ConfigError(`${n} is set but SLUICE_REDIS_SENTINELS is not: it applies to Sentinel only`);
    }
  }
  if (sentinels) {
    if (!masterName)
      throw new ConfigError(
        'SLUICE_REDIS_SENTINEL_MASTER must name the master group of SLUICE_REDIS_SENTINELS',
      );
    const serverTls = tls(env, 'SLUICE_REDIS_TLS', false);
    const sentinelTls = tls(env, 'SLUICE_REDIS_SENTINEL_TLS', serverTls !== undefined);
    return {
      mode: 'sentinel',
      sentinels,
      masterName,
      credentials: creds,
      sentinelCredentials: credentials(
        env,
        'SLUICE_REDIS_SENTINEL_USERNAME',
        'SLUICE_REDIS_SENTINEL_PASSWORD',
      ),
      ...(serverTls ? { tls: serverTls } : {}),
      ...(sentinelTls ? { sentinelTls } : {}),
    };
  }
  const nodes = hostPorts(env, 'SLUICE_REDIS_CLUSTER_NODES', 6379);
  if (nodes) {
    const t = tls(env, 'SLUICE_REDIS_TLS', false);
    return { mode: 'cluster', nodes, credentials: creds, ...(t ? { tls: t } : {}) };
  }
  const url = optional(env, 'SLUICE_REDIS_URL') ?? 'redis://127.0.0.1:6379';
  if (!/^rediss?:\/\/[^/?#]/.test(url) || !URL.canParse(url)) {
    throw new ConfigError('SLUICE_REDIS_URL must be a redis:// or rediss:// URL with a host');
  }
  const t = tls(env, 'SLUICE_REDIS_TLS', url.startsWith('rediss://'));
  if (!t && url.startsWith('rediss://')) {
    throw new ConfigError('SLUICE_REDIS_TLS is false but SLUICE_REDIS_URL is a rediss:// (TLS) URL');
  }
  return { mode: 'single', url, credentials: creds, ...(t ? { tls: t } : {}) };
}
