/**
 * @module functions/tawon-stream/jetstream
 * The JetStream calls of the Stream reconciler, on the store's nats-server, with NATS errors
 * turned into Sluice's classes:
 * - the server unreachable, timing out or without JetStream → {@link BrokerUnavailableError}
 *   (retried);
 * - a request JetStream refuses as invalid (HTTP-like 400, for example overlapping subjects) →
 *   TerminalError `StreamRejected`;
 * - anything else → RetryableError `NatsError`.
 *
 * A store is reached through its Service DNS name `<store>.<ns>.svc:4222`; the broker clients
 * rewrite it through the endpoint overrides (out of the cluster, and in tests).
 */
import { NatsError, type JetStreamManager, type StreamInfo } from 'nats';
import { OperatorError, RetryableError, TerminalError, messageOf } from '../../runtime/index.js';
import { BrokerUnavailableError, type BrokerDriftContext } from '../../shared/index.js';
import { mutableConfig, type ManagedConfig } from './desired.js';

/** JetStream's error code for "stream not found". */
const STREAM_NOT_FOUND = 10059;

const UNAVAILABLE = new Set(['CONNECTION_CLOSED', 'CONNECTION_REFUSED', 'TIMEOUT', 'DISCONNECT', '503']);

/** `<store>.<ns>.svc:4222` */
export function storeAddress(store: string, namespace: string): string {
  return `${store}.${namespace}.svc:4222`;
}

function isNotFound(err: unknown): boolean {
  return err instanceof NatsError && err.api_error?.err_code === STREAM_NOT_FOUND;
}

/** Converts what a JetStream call threw. */
export function jetStreamError(err: unknown, what: string): Error {
  if (err instanceof OperatorError) return err;
  if (err instanceof NatsError) {
    const api = err.api_error;
    if (api && api.code === 400) {
      return new TerminalError('StreamRejected', `${what}: JetStream refused it: ${api.description}`, {
        cause: err,
      });
    }
    if (UNAVAILABLE.has(err.code) || (api !== undefined && api.code >= 500)) {
      return new BrokerUnavailableError(`${what}: ${err.message}`, { cause: err });
    }
  }
  return new RetryableError('NatsError', `${what}: ${messageOf(err)}`, { cause: err });
}

/** The JetStream manager of the store `store` in `namespace`. */
export async function storeManager(
  ctx: BrokerDriftContext,
  store: string,
  namespace: string,
): Promise<JetStreamManager> {
  const address = storeAddress(store, namespace);
  try {
    return (await ctx.brokers.jetstream([`nats://${address}`])).jsm;
  } catch (err) {
    throw jetStreamError(err, `connect to StreamStore ${store} at ${ctx.brokers.resolve(address)}`);
  }
}

/** The stream's information, or `undefined` when it does not exist. */
export async function streamInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw jetStreamError(err, `read JetStream stream ${name}`);
  }
}

/** Creates the stream. */
export async function createStream(jsm: JetStreamManager, want: ManagedConfig): Promise<StreamInfo> {
  try {
    return await jsm.streams.add(want);
  } catch (err) {
    throw jetStreamError(err, `create JetStream stream ${want.name}`);
  }
}

/** Updates the stream in place with the mutable fields of `want` (`ignored` left as they are). */
export async function updateStream(
  jsm: JetStreamManager,
  want: ManagedConfig,
  ignored: ReadonlySet<string>,
): Promise<StreamInfo> {
  try {
    return await jsm.streams.update(want.name, mutableConfig(want, ignored));
  } catch (err) {
    throw jetStreamError(err, `update JetStream stream ${want.name}`);
  }
}

/** Deletes the stream; `false` when it was already gone. */
export async function deleteStream(jsm: JetStreamManager, name: string): Promise<boolean> {
  try {
    return await jsm.streams.delete(name);
  } catch (err) {
    if (isNotFound(err)) return false;
    throw jetStreamError(err, `delete JetStream stream ${name}`);
  }
}
