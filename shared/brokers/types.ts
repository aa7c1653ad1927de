/**
 * @module brokers/types
 * What reconcilers use to reach the message brokers: pooled admin clients for Kafka (kafkajs),
 * NATS JetStream (nats) and RabbitMQ (amqplib), keyed by address and credentials, closed when idle.
 *
 * Credentials come from Service Binding Secrets (see `binding.ts`) and are never logged, put in
 * an Event, a status or a job payload.
 */
import type { JetStreamManager, NatsConnection } from 'nats';
import { token } from '../../runtime/controller/tokens.js';
import type { RabbitAdminClient } from './rabbitmq.js';

/** Connection material read from a Service Binding Secret. */
export interface BrokerCredentials {
  readonly username?: string;
  readonly password?: string;
  /** Kafka SASL mechanism. */
  readonly saslMechanism?: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  /** NATS token. */
  readonly token?: string;
  /** RabbitMQ virtual host. @defaultValue `/` */
  readonly vhost?: string;
  /** TLS, when the binding asks for it: PEM CA, and optional client certificate and key. */
  readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string };
}

/** A topic as Sluice wants it. */
export interface KafkaTopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Topic-level settings (for example `retention.ms`), only those Sluice manages. */
  readonly config: Readonly<Record<string, string>>;
}

/** A topic as the broker has it. */
export interface KafkaTopicState {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Every non-default topic setting (source DYNAMIC_TOPIC_CONFIG). */
  readonly config: Readonly<Record<string, string>>;
}

/**
 * Admin operations on one Kafka cluster. Calls made concurrently in one process are batched into
 * one admin request per operation (a short linger), so creating thousands of topics is fast.
 * Errors: a broker that cannot be reached throws {@link BrokerUnavailableError}.
 */
export interface KafkaAdminClient {
  /**
   * The id the cluster reports (KRaft's or ZooKeeper's cluster id): what identifies the cluster
   * whatever address it was reached through. Asked once per client, then remembered.
   */
  clusterId(): Promise<string>;
  /** `undefined` when the topic does not exist. */
  describeTopic(name: string): Promise<KafkaTopicState | undefined>;
  /** Creates the topic; `exists` when it was already there (it is then adopted, unchanged). */
  createTopic(spec: KafkaTopicSpec): Promise<'created' | 'exists'>;
  /** Sets the given settings and resets to default the managed ones left out (incremental alter). */
  alterTopicConfig(
    name: string,
    set: Readonly<Record<string, string>>,
    reset: readonly string[],
  ): Promise<void>;
  /** Raises the partition count (Kafka cannot lower it). */
  createPartitions(name: string, count: number): Promise<void>;
  /** Deletes the topic; false when it did not exist. */
  deleteTopic(name: string): Promise<boolean>;
}

/** Pooled clients, one per broker address and credentials. */
export interface BrokerClients {
  kafka(brokers: readonly string[], credentials?: BrokerCredentials): KafkaAdminClient;
  /** A JetStream manager (and its connection) for the given servers. */
  jetstream(
    servers: readonly string[],
    credentials?: BrokerCredentials,
  ): Promise<{ jsm: JetStreamManager; nc: NatsConnection }>;
  /** Admin operations on the RabbitMQ virtual host of `credentials` (default `/`) at the first of `servers` (`host:port`). */
  rabbitmq(servers: readonly string[], credentials?: BrokerCredentials): RabbitAdminClient;
  /** Rewrites a `host:port` the operator would dial, through `SLUICE_ENDPOINT_OVERRIDES`. */
  resolve(hostPort: string): string;
  close(): Promise<void>;
}

/** The broker clients, as a context property (`ctx.brokers`). */
export const BROKER_CLIENTS = token<BrokerClients>('the broker clients (Kafka admin, NATS JetStream)');
