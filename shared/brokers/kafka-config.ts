/**
 * @module brokers/kafka-config
 * The options of a Kafka admin client and the kafkajs configuration they give: SASL and TLS from
 * the credentials, short timeouts and few retries, and a socket factory that dials rewritten
 * addresses while TLS verifies the original host name.
 */
import net from 'node:net';
import tls from 'node:tls';
import { logLevel, type ISocketFactory, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { Logger } from '../../runtime/log.js';
import { joinHostPort, splitHostPort } from './address.js';
import type { BrokerCredentials } from './types.js';

/** Tuning of a Kafka admin client; every field is optional and has a default. */
export interface KafkaTuning {
  /** The client id Kafka sees. @defaultValue `sluice` */
  readonly clientId?: string;
  /** How long the first call of a batch waits for others, in ms. @defaultValue 20 */
  readonly lingerMs?: number;
  /** The most topics in one admin request. @defaultValue 500 */
  readonly maxBatch?: number;
  /** Admin requests of one operation in flight at once. @defaultValue 4 */
  readonly maxInFlight?: number;
  /** TCP (and TLS) connect timeout per attempt, in ms. @defaultValue 3000 */
  readonly connectionTimeoutMs?: number;
  /** Timeout of one request on the wire, in ms. @defaultValue 10000 */
  readonly requestTimeoutMs?: number;
  /** kafkajs retries of a failed request (100 ms doubling, at most 1 s apart). @defaultValue 2 */
  readonly retries?: number;
  /** Deadline for a whole batch (connect, requests, retries), in ms. @defaultValue 30000 */
  readonly operationTimeoutMs?: number;
  /** How long the controller may take to create or delete topics, in ms. @defaultValue 10000 */
  readonly topicTimeoutMs?: number;
}

/** Everything {@link createKafkaAdmin} needs. */
export interface KafkaAdminOptions extends KafkaTuning {
  /** Bootstrap addresses, `host:port`, as written in the resource. */
  readonly brokers: readonly string[];
  readonly credentials?: BrokerCredentials;
  /**
   * Rewrites a `host:port` just before it is dialed, bootstrap and advertised brokers alike; TLS
   * still verifies the original host name. @defaultValue no rewrite
   */
  readonly resolve?: (hostPort: string) => string;
  /** Receives kafkajs's own log lines at debug level. @defaultValue none */
  readonly logger?: Logger;
}

/** The kafkajs configuration for the options: SASL and TLS from the credentials, short timeouts. */
export function kafkaConfig(opts: KafkaAdminOptions): KafkaConfig {
  const { credentials, logger } = opts;
  const sasl = saslOptions(credentials);
  const ssl = credentials?.tls === undefined ? undefined : tlsOptions(credentials.tls);
  return {
    brokers: [...opts.brokers],
    clientId: opts.clientId ?? 'sluice',
    connectionTimeout: opts.connectionTimeoutMs ?? 3000,
    authenticationTimeout: opts.connectionTimeoutMs ?? 3000,
    requestTimeout: opts.requestTimeoutMs ?? 10_000,
    enforceRequestTimeout: true,
    retry: { retries: opts.retries ?? 2, initialRetryTime: 100, maxRetryTime: 1000 },
    socketFactory: socketFactory(opts.resolve ?? ((hp) => hp)),
    logLevel: logger === undefined ? logLevel.NOTHING : logLevel.WARN,
    ...(logger === undefined
      ? {}
      : { logCreator: () => (entry) => logger.debug({ kafkajs: entry.namespace }, entry.log.message) }),
    ...(sasl === undefined ? {} : { sasl }),
    ...(ssl === undefined ? {} : { ssl }),
  };
}

function saslOptions(credentials: BrokerCredentials | undefined): SASLOptions | undefined {
  if (credentials?.username === undefined || credentials.password === undefined) return undefined;
  const { username, password } = credentials;
  return { mechanism: credentials.saslMechanism ?? 'plain', username, password };
}

function tlsOptions(material: NonNullable<BrokerCredentials['tls']>): tls.ConnectionOptions {
  return {
    ...(material.ca === undefined ? {} : { ca: material.ca }),
    ...(material.cert === undefined ? {} : { cert: material.cert }),
    ...(material.key === undefined ? {} : { key: material.key }),
  };
}

/** Dials the rewritten address; TLS keeps the original host name for SNI and verification. */
function socketFactory(resolve: (hostPort: string) => string): ISocketFactory {
  return ({ host, port, ssl, onConnect }) => {
    const target = splitHostPort(resolve(joinHostPort({ host, port }))) ?? { host, port };
    const socket =
      typeof ssl === 'object' && ssl !== null
        ? tls.connect(
            { host: target.host, port: target.port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl },
            onConnect,
          )
        : net.connect({ host: target.host, port: target.port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    return socket;
  };
}
