/**
 * @module runtime/config
 * The one module that reads the process environment. Everything else receives a validated
 * {@link SluiceConfig} (or, for tools that start child processes, an {@link environment} snapshot).
 *
 * Guarantees: unknown `SLUICE_*` variables are ignored; a malformed value throws {@link ConfigError}
 * naming the variable and what was expected, never a silent fallback to the default.
 */
import { ConfigError } from './errors.js';

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
  /** `SLUICE_REDIS_URL` @defaultValue `redis://127.0.0.1:6379` */
  readonly redisUrl: string;
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
  const redisUrl = optional(env, 'SLUICE_REDIS_URL') ?? 'redis://127.0.0.1:6379';
  if (!/^rediss?:\/\//.test(redisUrl)) {
    throw new ConfigError(`SLUICE_REDIS_URL must start with redis:// or rediss://`);
  }
  const queuePrefix = optional(env, 'SLUICE_QUEUE_PREFIX') ?? 'sluice';
  if (!/^[A-Za-z0-9_.{}-]+$/.test(queuePrefix)) {
    throw new ConfigError(`SLUICE_QUEUE_PREFIX may hold letters, digits, '_', '.', '-', '{' and '}' only`);
  }
  return Object.freeze({
    kubeconfig: optional(env, 'KUBECONFIG'),
    redisUrl,
    queuePrefix,
    namespace: optional(env, 'SLUICE_NAMESPACE') ?? 'sluice-system',
    watchNamespace: optional(env, 'SLUICE_WATCH_NAMESPACE'),
    apiToken: optional(env, 'SLUICE_API_TOKEN'),
    apiTokenFile: optional(env, 'SLUICE_API_TOKEN_FILE'),
    tokenReview: bool(env, 'SLUICE_TOKEN_REVIEW', false),
    dashboardWritable: bool(env, 'SLUICE_DASHBOARD_WRITABLE', false),
    logLevel,
    resyncSeconds: positiveInt(env, 'SLUICE_RESYNC_SECONDS', 600),
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
