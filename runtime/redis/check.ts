/**
 * @module runtime/redis/check
 * The start-up check of the configured Redis: the dispatcher and the workers run it before they
 * start, so a wrong topology stops the process with a clear message instead of a client that
 * retries forever (ioredis waits for a Sentinel master that does not exist, and for a Cluster
 * whose slots are not all served, without an error).
 *
 * It talks to the servers directly (one short-lived connection each), never through a
 * Sentinel or Cluster client. Refusals: {@link RedisTopologyError} with its `problem`:
 * - `unreachable`: no server answered within the time allowed;
 * - `unknown-master`: the sentinels answer but none monitors the master name;
 * - `cluster-not-ready`: `cluster_state` is not `ok`, or some of the 16384 slots are not served;
 * - `replica`: the server named as the primary is a replica;
 * - `wrong-mode`: the servers run in another mode than configured (a Cluster node given as one
 *   server, a plain server given as a sentinel or as a Cluster node);
 * - `untrusted-certificate`: a TLS server presented a certificate the client does not trust (not
 *   signed by the CA of `SLUICE_REDIS_TLS_CA_FILE` or the system's, expired, or for another
 *   name). Refused at once: retrying cannot make it trusted.
 *
 * A `maxmemory-policy` other than `noeviction` is a warning, not a refusal: Redis may then evict
 * jobs, locks and deduplication keys under memory pressure, which loses updates.
 *
 * Costs: one connection and two or three commands per server asked; at most `timeoutMs`.
 */
import { Redis } from 'ioredis';
import { OperatorError, messageOf } from '../errors.js';
import { tlsOptions } from './connection.js';
import {
  describeEndpoint,
  formatHostPort,
  type HostPort,
  type RedisCredentials,
  type RedisEndpoint,
  type RedisTls,
} from './endpoint.js';

export type RedisProblem =
  'unreachable' | 'unknown-master' | 'cluster-not-ready' | 'replica' | 'wrong-mode' | 'untrusted-certificate';

/** The configured Redis cannot serve Sluice as it is; the process should stop. */
export class RedisTopologyError extends OperatorError {
  readonly problem: RedisProblem;

  constructor(problem: RedisProblem, message: string, options?: { cause?: unknown }) {
    super(`redis-${problem}`, message, options);
    this.problem = problem;
  }
}

export interface RedisCheckOptions {
  /** How long to keep trying to reach a server before `unreachable`. @defaultValue 10000 */
  readonly timeoutMs?: number;
}

export interface RedisCheckResult {
  /** What is wrong but not fatal (an eviction policy other than `noeviction`). */
  readonly warnings: readonly string[];
}

type Info = ReadonlyMap<string, string>;

function parseInfo(text: string): Info {
  const m = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) m.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return m;
}

interface Target {
  readonly label: string;
  open(): Redis;
}

function nodeTarget(a: HostPort, creds: RedisCredentials, tls: RedisTls | undefined): Target {
  return {
    label: formatHostPort(a),
    open: () => {
      const t = tlsOptions(tls);
      return new Redis({
        host: a.host,
        port: a.port,
        ...(creds.username !== undefined ? { username: creds.username } : {}),
        ...(creds.password !== undefined ? { password: creds.password } : {}),
        ...(t ? { tls: t } : {}),
        ...probeOptions,
      });
    },
  };
}

const probeOptions = {
  lazyConnect: true,
  maxRetriesPerRequest: 0,
  connectTimeout: 2000,
  enableReadyCheck: false,
  retryStrategy: () => null,
} as const;

/**
 * Runs `fn` on a fresh connection to `t`; the connection is always closed. A failed connect
 * rejects with the socket's own error (ioredis rejects with a bare "Connection is closed" and
 * reports the cause, such as a certificate code, only as an `error` event).
 */
async function on<T>(t: Target, fn: (c: Redis) => Promise<T>): Promise<T> {
  const c = t.open();
  let socketError: unknown;
  c.on('error', (err) => {
    socketError = err;
  });
  try {
    await c.connect().catch((err: unknown) => {
      throw socketError ?? err;
    });
    return await fn(c);
  } finally {
    c.disconnect();
  }
}

/** Node's codes for a server certificate that failed verification (`tls.connect` errors). */
const CERTIFICATE_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The verification code of an untrusted server certificate, if `err` is one. */
function certificateProblem(err: unknown): string | undefined {
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && CERTIFICATE_CODES.has(code) ? code : undefined;
}

/** Whether `err` is a connection failure (not a reply from a server). */
function unreachable(err: unknown): boolean {
  return !(err instanceof Error && err.name === 'ReplyError') && !(err instanceof RedisTopologyError);
}

/** Asks the targets in turn until one answers; retries all of them until `deadline`. */
async function firstAnswer<T>(
  targets: readonly Target[],
  deadline: number,
  fn: (c: Redis, t: Target) => Promise<T>,
): Promise<T> {
  let last: unknown;
  for (;;) {
    for (const t of targets) {
      try {
        return await on(t, (c) => fn(c, t));
      } catch (err) {
        const code = certificateProblem(err);
        if (code)
          throw new RedisTopologyError(
            'untrusted-certificate',
            `${t.label} presented a TLS certificate that is not trusted (${code}): set SLUICE_REDIS_TLS_CA_FILE to the CA that signed it, and connect by a name the certificate is for`,
            { cause: err },
          );
        if (!unreachable(err)) throw err;
        last = err;
      }
    }
    if (Date.now() >= deadline) {
      throw new RedisTopologyError(
        'unreachable',
        `no Redis server answered at ${targets.map((t) => t.label).join(', ')}: ${messageOf(last)}`,
        { cause: last },
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function info(c: Redis, section: string): Promise<Info> {
  return parseInfo(await c.info(section));
}

/** Refuses a server that is not a standalone primary; returns its eviction warning, if any. */
async function checkPrimary(c: Redis, label: string, configured: 'single' | 'sentinel'): Promise<string[]> {
  const server = await info(c, 'server');
  const mode = server.get('redis_mode');
  if (mode === 'cluster')
    throw new RedisTopologyError(
      'wrong-mode',
      `${label} is a Redis Cluster node: name the Cluster with SLUICE_REDIS_CLUSTER_NODES instead`,
    );
  if (mode === 'sentinel')
    throw new RedisTopologyError(
      'wrong-mode',
      `${label} is a Sentinel, not a Redis server: name sentinels with SLUICE_REDIS_SENTINELS and SLUICE_REDIS_SENTINEL_MASTER`,
    );
  const role = (await info(c, 'replication')).get('role');
  if (role !== 'master')
    throw new RedisTopologyError(
      'replica',
      configured === 'single'
        ? `${label} is a replica (read-only): point SLUICE_REDIS_URL at the primary, or use SLUICE_REDIS_SENTINELS`
        : `${label}, the primary the sentinels name, is a replica (a failover may be under way)`,
    );
  return evictionWarning(c, label);
}

async function evictionWarning(c: Redis, label: string): Promise<string[]> {
  const policy = (await info(c, 'memory')).get('maxmemory_policy');
  return policy === undefined || policy === 'noeviction'
    ? []
    : [
        `${label} has maxmemory-policy ${policy}: Redis may evict jobs, locks and deduplication keys and lose updates; set it to noeviction`,
      ];
}

async function checkSentinel(
  e: Extract<RedisEndpoint, { mode: 'sentinel' }>,
  deadline: number,
): Promise<string[]> {
  const sentinels = e.sentinels.map((s) => nodeTarget(s, e.sentinelCredentials, e.sentinelTls));
  const answers: Array<{ sentinel: string; master: HostPort | undefined }> = [];
  for (const s of sentinels) {
    try {
      answers.push(
        await on(s, async (c) => {
          if ((await info(c, 'server')).get('redis_mode') !== 'sentinel')
            throw new RedisTopologyError(
              'wrong-mode',
              `${s.label} (in SLUICE_REDIS_SENTINELS) is not a Sentinel but a Redis server: use SLUICE_REDIS_URL for one server`,
            );
          const addr = (await c.call('SENTINEL', 'get-master-addr-by-name', e.masterName)) as string[] | null;
          return {
            sentinel: s.label,
            master: addr && addr[0] && addr[1] ? { host: addr[0], port: Number(addr[1]) } : undefined,
          };
        }),
      );
    } catch (err) {
      if (!unreachable(err)) throw err;
    }
  }
  if (answers.length === 0) {
    // None answered yet: wait for one, within the time allowed.
    await firstAnswer(sentinels, deadline, async (c) => c.ping());
    return checkSentinel(e, deadline);
  }
  const master = answers.find((a) => a.master)?.master;
  if (!master)
    throw new RedisTopologyError(
      'unknown-master',
      `the sentinels (${answers.map((a) => a.sentinel).join(', ')}) monitor no master named "${e.masterName}" (SLUICE_REDIS_SENTINEL_MASTER)`,
    );
  const label = `${formatHostPort(master)} (master "${e.masterName}")`;
  return firstAnswer([nodeTarget(master, e.credentials, e.tls)], deadline, (c) =>
    checkPrimary(c, label, 'sentinel'),
  );
}

async function checkCluster(
  e: Extract<RedisEndpoint, { mode: 'cluster' }>,
  deadline: number,
): Promise<string[]> {
  const seeds = e.nodes.map((n) => nodeTarget(n, e.credentials, e.tls));
  return firstAnswer(seeds, deadline, async (c, t) => {
    if ((await info(c, 'cluster')).get('cluster_enabled') !== '1')
      throw new RedisTopologyError(
        'wrong-mode',
        `${t.label} (in SLUICE_REDIS_CLUSTER_NODES) runs without cluster support: use SLUICE_REDIS_URL for one server`,
      );
    const state = parseInfo((await c.call('CLUSTER', 'INFO')) as string);
    const ok = Number(state.get('cluster_slots_ok') ?? 0);
    if (state.get('cluster_state') !== 'ok' || ok < 16384)
      throw new RedisTopologyError(
        'cluster-not-ready',
        `the Redis Cluster is not fully covered (asked ${t.label}): cluster_state ${state.get('cluster_state') ?? '?'}, ${ok} of 16384 slots served`,
      );
    return evictionWarning(c, t.label);
  });
}

/**
 * Checks that `endpoint` can serve Sluice as configured.
 * @throws RedisTopologyError naming the problem and the setting to change.
 */
export async function checkRedis(
  endpoint: RedisEndpoint,
  opts: RedisCheckOptions = {},
): Promise<RedisCheckResult> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  let warnings: string[];
  switch (endpoint.mode) {
    case 'single': {
      const label = describeEndpoint(endpoint);
      const target: Target = {
        label,
        open: () => {
          const t = tlsOptions(endpoint.tls);
          const c = endpoint.credentials;
          return new Redis(endpoint.url, {
            ...(c.username !== undefined ? { username: c.username } : {}),
            ...(c.password !== undefined ? { password: c.password } : {}),
            ...(t ? { tls: t } : {}),
            ...probeOptions,
          });
        },
      };
      warnings = await firstAnswer([target], deadline, (c) => checkPrimary(c, label, 'single'));
      break;
    }
    case 'sentinel':
      warnings = await checkSentinel(endpoint, deadline);
      break;
    case 'cluster':
      warnings = await checkCluster(endpoint, deadline);
      break;
  }
  return { warnings };
}
