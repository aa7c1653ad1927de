/**
 * @module brokers/nats
 * Opens a NATS connection and its JetStream manager for one server list and one set of
 * credentials (token, user/password, TLS with CA and client certificate), and maps NATS errors to
 * Sluice's classes. Pooling lives in `pool.ts`.
 *
 * Guarantees: a server that cannot be reached fails with {@link BrokerUnavailableError} within
 * about `connectTimeoutMs`; a connection that stays lost after `maxReconnectAttempts` closes (the
 * pool then drops it and the next call dials afresh).
 */
import {
  connect,
  type ConnectionOptions,
  type JetStreamManager,
  type NatsConnection,
  type TlsOptions,
} from 'nats';
import { OperatorError } from '../../runtime/errors.js';
import { BrokerUnavailableError } from './errors.js';
import { BrokerAuthError, BrokerOperationError } from './failures.js';
import type { BrokerCredentials } from './types.js';

/** Tuning of pooled NATS connections; every field is optional and has a default. */
export interface NatsTuning {
  /** The connection name the server shows. @defaultValue `sluice` */
  readonly name?: string;
  /** Deadline for dialing, TLS and the first handshake, in ms. @defaultValue 5000 */
  readonly connectTimeoutMs?: number;
  /** Timeout of JetStream API requests made through the manager, in ms. @defaultValue 5000 */
  readonly requestTimeoutMs?: number;
  /** Reconnect attempts after a connection is lost, 2 s apart, before it closes. @defaultValue 10 */
  readonly maxReconnectAttempts?: number;
}

/** Everything {@link connectJetStream} needs. */
export interface NatsConnectOptions extends NatsTuning {
  /** Server addresses to dial (`nats://host:port`, `tls://host:port` or `host:port`), already rewritten. */
  readonly servers: readonly string[];
  readonly credentials?: BrokerCredentials;
  /** The host name TLS verifies, when `servers` were rewritten from it. @defaultValue the dialed host */
  readonly tlsServerName?: string;
  /** Ignore servers the cluster announces (they would bypass address rewriting). @defaultValue false */
  readonly ignoreClusterUpdates?: boolean;
}

/** A live connection and its JetStream manager. */
export interface JetStreamHandle {
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
}

const UNAVAILABLE_CODES = new Set([
  'CONNECTION_REFUSED',
  'CONNECTION_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_DRAINING',
  'DISCONNECT',
  'TIMEOUT',
  '503',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const AUTH_CODES = new Set([
  'AUTHORIZATION_VIOLATION',
  'AUTHENTICATION_EXPIRED',
  'AUTHENTICATION_TIMEOUT',
  'BAD_AUTHENTICATION',
  'BAD_CREDS',
  'PERMISSIONS_VIOLATION',
  'ACCOUNT_EXPIRED',
]);

/**
 * Converts an error from the nats client into a Sluice error: unreachable / timed out / no
 * JetStream responders → {@link BrokerUnavailableError}; refused credentials →
 * {@link BrokerAuthError}; anything else → {@link BrokerOperationError} (reason `NatsError`).
 * Sluice errors pass through unchanged.
 * @param what the operation, for the message (for example `connect to nats://host:4222`).
 */
export function toNatsSluiceError(err: unknown, what: string): Error {
  if (err instanceof OperatorError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const chained = (err as { chainedError?: { code?: unknown } } | null)?.chainedError?.code;
  const codes = [code, chained].filter((c): c is string => typeof c === 'string');
  const message = err instanceof Error ? err.message : String(err);
  if (codes.some((c) => AUTH_CODES.has(c))) {
    return new BrokerAuthError(`${what}: NATS refused the credentials or the operation: ${message}`, {
      cause: err,
    });
  }
  if (codes.some((c) => UNAVAILABLE_CODES.has(c))) {
    return new BrokerUnavailableError(`${what}: NATS is unavailable: ${message}`, { cause: err });
  }
  return new BrokerOperationError('NatsError', `${what}: ${message}`, { cause: err });
}

/** The nats `connect` options for the given servers and credentials. */
export function natsConnectOptions(opts: NatsConnectOptions): ConnectionOptions {
  const c = opts.credentials;
  return {
    servers: [...opts.servers],
    name: opts.name ?? 'sluice',
    timeout: opts.connectTimeoutMs ?? 5000,
    maxReconnectAttempts: opts.maxReconnectAttempts ?? 10,
    reconnectTimeWait: 2000,
    waitOnFirstConnect: false,
    ignoreClusterUpdates: opts.ignoreClusterUpdates ?? false,
    ...(c?.token === undefined ? {} : { token: c.token }),
    ...(c?.username === undefined ? {} : { user: c.username }),
    ...(c?.password === undefined ? {} : { pass: c.password }),
    ...(c?.tls === undefined ? {} : { tls: natsTls(c.tls, opts.tlsServerName) }),
  };
}

function natsTls(
  material: NonNullable<BrokerCredentials['tls']>,
  servername: string | undefined,
): TlsOptions {
  // The nats client spreads these options into tls.connect, so `servername` reaches Node's TLS.
  const options: TlsOptions & { servername?: string } = {
    ...(material.ca === undefined ? {} : { ca: material.ca }),
    ...(material.cert === undefined ? {} : { cert: material.cert }),
    ...(material.key === undefined ? {} : { key: material.key }),
    ...(servername === undefined ? {} : { servername }),
  };
  return options;
}

/**
 * Connects and opens a JetStream manager.
 * @throws BrokerUnavailableError when no server answers within the connect timeout, or JetStream
 *   is not enabled; BrokerAuthError when the credentials are refused.
 */
export async function connectJetStream(opts: NatsConnectOptions): Promise<JetStreamHandle> {
  const what = `connect to NATS ${opts.servers.join(',')}`;
  const timeoutMs = (opts.connectTimeoutMs ?? 5000) + 1000;
  let timer: NodeJS.Timeout | undefined;
  const dial = connect(natsConnectOptions(opts));
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new BrokerUnavailableError(`${what}: no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  let nc: NatsConnection;
  try {
    nc = await Promise.race([dial, deadline]);
  } catch (err) {
    // A connection that completes after the deadline is closed rather than leaked.
    void dial.then((late) => late.close()).catch(() => undefined);
    throw toNatsSluiceError(err, what);
  } finally {
    clearTimeout(timer);
  }
  try {
    const jsm = await nc.jetstreamManager({ timeout: opts.requestTimeoutMs ?? 5000 });
    return { nc, jsm };
  } catch (err) {
    await nc.close().catch(() => undefined);
    throw toNatsSluiceError(err, `open JetStream on NATS ${opts.servers.join(',')}`);
  }
}
