/**
 * @module tanzu/storage-address
 * `status.storageAddress` in the Streaming Runtime's shape: `server.<environment>{url, protocol,
 * protocolVersion, description, variables}`. A ClusterStream publishes it; its bound Stream copies it.
 */
import { STORAGE_ENVIRONMENT } from './names.js';
import { splitHostPort } from '../brokers/address.js';
import type { TopicEndpoint } from './topic-endpoint.js';

/** The address of the broker in one environment. */
export interface ServerAddress {
  readonly url: string;
  readonly protocol: string;
  readonly protocolVersion?: string;
  readonly description?: string;
  readonly variables?: Readonly<Record<string, string>>;
}

export interface StorageAddress {
  readonly server: Readonly<Record<string, ServerAddress>>;
}

/**
 * The storage address of a topic. `attributes` (the ClusterStream's `storage.attributes`) become
 * variables; the connection variables Sluice computes win over an attribute of the same name.
 * @param protocolVersion the broker's version when the client learnt it (NATS reports it).
 * @example storageAddressFor({ protocol: 'kafka', servers: ['k:9092'], topic: 'orders' }, {})
 * // { server: { production: { url: 'k:9092', protocol: 'kafka', description: …,
 * //   variables: { brokers: 'k:9092', topic: 'orders' } } } }
 */
export function storageAddressFor(
  endpoint: TopicEndpoint,
  attributes: Readonly<Record<string, string>> = {},
  protocolVersion?: string,
): StorageAddress {
  const url = endpoint.servers.join(',');
  let variables: Record<string, string>;
  let description: string;
  switch (endpoint.protocol) {
    case 'kafka':
      variables = { ...attributes, brokers: url, topic: endpoint.topic };
      description = `Kafka topic ${endpoint.topic}, provisioned by Sluice`;
      break;
    case 'nats':
      variables = { ...attributes, servers: url, subject: endpoint.topic, stream: endpoint.stream };
      description = `NATS JetStream stream ${endpoint.stream} (subject ${endpoint.topic}), provisioned by Sluice`;
      break;
    case 'rabbitmq': {
      const first = splitHostPort(endpoint.servers[0] ?? '');
      variables = {
        ...attributes,
        ...(first === undefined ? {} : { host: first.host, port: String(first.port) }),
        exchange: endpoint.topic,
        queues: endpoint.queues.join(','),
        'virtual-host': endpoint.vhost,
      };
      description = `RabbitMQ exchange ${endpoint.topic} with stream queue(s) ${endpoint.queues.join(', ')}, provisioned by Sluice`;
      break;
    }
  }
  return {
    server: {
      [STORAGE_ENVIRONMENT]: {
        url,
        protocol: endpoint.protocol,
        ...(protocolVersion === undefined ? {} : { protocolVersion }),
        description,
        variables,
      },
    },
  };
}
