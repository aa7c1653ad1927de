/**
 * @module ownership/broker-object
 * Which broker object a Kubernetes object wants, and the name of its claim. Pure.
 *
 * A broker object is identified by the protocol, the broker's identity and the object's name:
 * - Kafka: the cluster id the brokers report (`kafka:<id>`), so that two ClusterStreams that reach
 *   one cluster through different bootstrap addresses still want the same topic;
 * - RabbitMQ: the cluster's own name (`cluster_name`, reported when a client connects) and the
 *   virtual host (`rabbitmq:<cluster>/<vhost>`); the object is the exchange, whose queues go with it;
 * - NATS: the servers as configured (scheme, letter case and the default port 4222 normalised,
 *   sorted), as nats-server 2.9 has no stable identity of its own. Two spellings of one server
 *   (an IP and a DNS name) are not recognised as one broker.
 *
 * The claim's name is `<protocol>-` and 40 hex digits of a SHA-256 of the three: deterministic, so
 * every worker process derives the same name for the same broker object and their POSTs collide.
 */
import { createHash } from 'node:crypto';
import type { ClaimProtocol } from './claim-kind.js';

export interface BrokerObject {
  readonly protocol: ClaimProtocol;
  /** `kafka:<cluster id>` or `nats:<host:port,...>`. */
  readonly broker: string;
  /** Topic (Kafka) or JetStream stream (NATS) name. */
  readonly name: string;
  /** `Kafka topic orders`, `JetStream stream ORDERS`: the object, for messages. */
  readonly what: string;
}

/** A Kafka topic on the cluster with id `clusterId`. */
export function kafkaTopicObject(clusterId: string, topic: string): BrokerObject {
  return { protocol: 'kafka', broker: `kafka:${clusterId}`, name: topic, what: `Kafka topic ${topic}` };
}

/** The exchange `exchange` (and its stream queues) on virtual host `vhost` of the RabbitMQ cluster `cluster`. */
export function rabbitExchangeObject(cluster: string, vhost: string, exchange: string): BrokerObject {
  return {
    protocol: 'rabbitmq',
    broker: `rabbitmq:${cluster}/${vhost}`,
    name: exchange,
    what: `RabbitMQ exchange ${exchange}`,
  };
}

/** `host:port` of a NATS server address (`nats://Host:4222`, `tls://host`, `host`), lower case. */
export function natsServerKey(address: string): string {
  const bare = address
    .trim()
    .replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '')
    .replace(/\/+$/, '')
    .toLowerCase();
  if (bare.startsWith('[')) return bare.includes(']:') ? bare : `${bare}:4222`;
  return /:\d+$/.test(bare) ? bare : `${bare}:4222`;
}

/** The identity of the NATS servers `servers`: normalised, sorted, without duplicates. */
export function natsBroker(servers: readonly string[]): string {
  return `nats:${[...new Set(servers.map(natsServerKey))].sort().join(',')}`;
}

/** The JetStream stream `stream` on the NATS servers `servers`. */
export function jetStreamObject(servers: readonly string[], stream: string): BrokerObject {
  return { protocol: 'nats', broker: natsBroker(servers), name: stream, what: `JetStream stream ${stream}` };
}

/** The name of the BrokerClaim of `o`. */
export function claimNameOf(o: Pick<BrokerObject, 'protocol' | 'broker' | 'name'>): string {
  const digest = createHash('sha256').update(`${o.protocol}\n${o.broker}\n${o.name}`).digest('hex');
  return `${o.protocol}-${digest.slice(0, 40)}`;
}
