/**
 * @module cli/streams/store
 * Reaching a StreamStore's nats-server from the command line, through the same broker clients
 * and endpoint overrides as the operator: the store is dialed at `<store>.<ns>.svc:4222`, which
 * `SLUICE_ENDPOINT_OVERRIDES` may rewrite (out of the cluster, where Service names do not resolve).
 */
import { NatsError, type JetStreamClient, type JetStreamManager, type StreamInfo } from 'nats';
import { storeAddress } from '../../functions/tawon-stream/jetstream.js';
import { messageOf } from '../../runtime/index.js';
import type { OperatorSettings } from '../../shared/settings.js';
import { createBrokerClients, type PooledBrokerClients } from '../../shared/index.js';
import { CliError } from './errors.js';
import type { StreamView } from './stream-object.js';

/** JetStream's error code for "stream not found". */
export const STREAM_NOT_FOUND = 10059;

/** A live connection to one store. */
export interface StoreConnection {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** `<store>.<ns>.svc:4222` */
  readonly address: string;
}

/** The command's broker clients: short connect timeout, named `sluice-cli` on the server. */
export function cliBrokers(config: Pick<OperatorSettings, 'endpointOverrides'>): PooledBrokerClients {
  return createBrokerClients({
    endpointOverrides: config.endpointOverrides,
    idleMs: 24 * 3600_000,
    nats: { name: 'sluice-cli', connectTimeoutMs: 4000, requestTimeoutMs: 5000 },
  });
}

/** A sentence saying where the store was dialed and how to point the CLI elsewhere. */
export function unreachableHint(brokers: PooledBrokerClients, store: string, namespace: string): string {
  const address = storeAddress(store, namespace);
  const dialed = brokers.resolve(address);
  const via = dialed === address ? '' : ` (dialed ${dialed} through SLUICE_ENDPOINT_OVERRIDES)`;
  return (
    `StreamStore ${store} in namespace ${namespace} is unreachable at nats://${address}${via}; ` +
    `from outside the cluster, forward it (kubectl port-forward -n ${namespace} svc/${store} 4222:4222) and set ` +
    `SLUICE_ENDPOINT_OVERRIDES=${address}=127.0.0.1:4222`
  );
}

/**
 * Connects to the store.
 * @throws CliError naming the endpoint and the override variable when it cannot be reached.
 */
export async function connectStore(
  brokers: PooledBrokerClients,
  store: string,
  namespace: string,
): Promise<StoreConnection> {
  const address = storeAddress(store, namespace);
  try {
    const { nc, jsm } = await brokers.jetstream([`nats://${address}`]);
    return { js: nc.jetstream(), jsm, address };
  } catch (err) {
    throw new CliError(`${unreachableHint(brokers, store, namespace)}: ${messageOf(err)}`, { cause: err });
  }
}

/** The JetStream stream's information; `undefined` when it is not on the server. */
export async function jetStreamInfo(conn: StoreConnection, name: string): Promise<StreamInfo | undefined> {
  try {
    return await conn.jsm.streams.info(name);
  } catch (err) {
    if (err instanceof NatsError && err.api_error?.err_code === STREAM_NOT_FOUND) return undefined;
    throw new CliError(`read JetStream stream ${name} on nats://${conn.address}: ${messageOf(err)}`, {
      cause: err,
    });
  }
}

/** The connection and stream information for reading a Stream's messages. */
export interface OpenedStream {
  readonly conn: StoreConnection;
  readonly info: StreamInfo;
}

/**
 * Connects to the Stream's store and checks that its JetStream stream is there.
 * @throws CliError when the Stream names no store, the store is unreachable, or the JetStream
 *   stream does not exist (yet), with the Stream's readiness.
 */
export async function openStream(
  brokers: PooledBrokerClients,
  view: StreamView,
  readiness: string,
): Promise<OpenedStream> {
  if (!view.store) throw new CliError(`Stream ${view.name} names no store (spec.store.name)`);
  const conn = await connectStore(brokers, view.store, view.namespace);
  const info = await jetStreamInfo(conn, view.jetStream);
  if (!info) {
    throw new CliError(
      `JetStream stream ${view.jetStream} of Stream ${view.name} is not on StreamStore ${view.store}: ${readiness}`,
    );
  }
  return { conn, info };
}
