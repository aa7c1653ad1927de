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
import { BrokerUnavailableError, type BrokerContext } from '../../shared/index.js';
import { driftOf, mutableConfig, type ManagedConfig } from './desired.js';

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
  ctx: BrokerContext,
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

/** What {@link ensureStream} did. */
export type EnsureOutcome =
  | { readonly action: 'created'; readonly info: StreamInfo }
  | { readonly action: 'updated'; readonly info: StreamInfo; readonly drift: readonly string[] }
  | { readonly action: 'unchanged'; readonly info: StreamInfo };

/** The stream's information, or `undefined` when it does not exist. */
export async function streamInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw jetStreamError(err, `read JetStream stream ${name}`);
  }
}

/** Creates the stream, or updates it in place where its managed fields differ. */
export async function ensureStream(jsm: JetStreamManager, want: ManagedConfig): Promise<EnsureOutcome> {
  const current = await streamInfo(jsm, want.name);
  try {
    if (!current) return { action: 'created', info: await jsm.streams.add(want) };
    const drift = driftOf(current.config, want);
    if (drift.length === 0) return { action: 'unchanged', info: current };
    const info = await jsm.streams.update(want.name, mutableConfig(want));
    return { action: 'updated', info, drift };
  } catch (err) {
    throw jetStreamError(err, `${current ? 'update' : 'create'} JetStream stream ${want.name}`);
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
