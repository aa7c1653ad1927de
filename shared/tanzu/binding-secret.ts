/**
 * @module tanzu/binding-secret
 * The Service Binding Secrets (servicebinding.io) Sluice publishes for a topic: a ClusterStream's
 * in the operator's namespace, and a copy for the bound Stream in the Stream's namespace.
 *
 * Entries: `type` (`kafka` | `nats` | `rabbitmq`), `provider` (`sluice`), `host`, `port` (of the first server),
 * `topic`; Kafka adds `bootstrap-servers` and its Quarkus spelling `bootstrapServers`, and
 * `securityProtocol`; NATS adds `url` and the well-known `uri` (both the server URLs), `subject`
 * and `stream`; RabbitMQ adds `addresses` (the `host:port` list), `virtual-host`, `exchange`,
 * `queues` (comma-separated) and, for one queue, `queue`. Credentials are written back from what the broker binding yielded: `username` and
 * `user`, `password`, `saslMechanism`, `token`, `certificates` (CA), `certificate` with
 * `private-key`. The result reads back through `parseBindingSecret` to the same credentials.
 *
 * The Secret's `.type` is `servicebinding.io/<type>`; `data` is base64 (never `stringData`, so
 * that applying an unchanged Secret writes nothing).
 */
import { splitHostPort } from '../brokers/address.js';
import type { BrokerCredentials } from '../brokers/types.js';
import type { KubeObject, OwnerReference } from '../../runtime/kube/types.js';
import { BINDING_PROVIDER } from './names.js';
import type { TopicEndpoint } from './topic-endpoint.js';

const SASL_NAMES: Record<NonNullable<BrokerCredentials['saslMechanism']>, string> = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
};

/** `host` and `port` of the first server, from `host:port` or a `scheme://host:port` URL. */
function firstHostPort(servers: readonly string[]): { host: string; port: string } | undefined {
  const first = servers[0];
  if (first === undefined) return undefined;
  const authority = first.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '').replace(/\/.*$/, '');
  const hp = splitHostPort(authority);
  return hp === undefined ? undefined : { host: hp.host, port: String(hp.port) };
}

function credentialEntries(endpoint: TopicEndpoint, c: BrokerCredentials): Record<string, string> {
  const out: Record<string, string> = {};
  if (c.username !== undefined) {
    out.username = c.username;
    out.user = c.username;
  }
  if (c.password !== undefined) out.password = c.password;
  if (c.token !== undefined) out.token = c.token;
  if (c.tls?.ca !== undefined) out.certificates = c.tls.ca;
  if (c.tls?.cert !== undefined) out.certificate = c.tls.cert;
  if (c.tls?.key !== undefined) out['private-key'] = c.tls.key;
  if (endpoint.protocol === 'kafka') {
    const sasl = c.saslMechanism !== undefined;
    const tls = c.tls !== undefined;
    out.securityProtocol = sasl ? (tls ? 'SASL_SSL' : 'SASL_PLAINTEXT') : tls ? 'SSL' : 'PLAINTEXT';
    if (c.saslMechanism !== undefined) out.saslMechanism = SASL_NAMES[c.saslMechanism];
  }
  return out;
}

/**
 * The entries of the binding Secret of a topic.
 * @param credentials what the broker's own binding Secret yielded, if it had one.
 * @example bindingEntries({ protocol: 'kafka', servers: ['k:9092'], topic: 'orders' })
 * // { type: 'kafka', provider: 'sluice', 'bootstrap-servers': 'k:9092', bootstrapServers: 'k:9092',
 * //   host: 'k', port: '9092', topic: 'orders', securityProtocol: 'PLAINTEXT' }
 */
export function bindingEntries(
  endpoint: TopicEndpoint,
  credentials: BrokerCredentials = {},
): Record<string, string> {
  const hp = firstHostPort(endpoint.servers);
  const servers = endpoint.servers.join(',');
  const address: Record<string, string> =
    endpoint.protocol === 'kafka'
      ? { 'bootstrap-servers': servers, bootstrapServers: servers }
      : endpoint.protocol === 'nats'
        ? { url: servers, uri: servers, subject: endpoint.topic, stream: endpoint.stream }
        : {
            addresses: servers,
            'virtual-host': endpoint.vhost,
            exchange: endpoint.topic,
            queues: endpoint.queues.join(','),
            ...(endpoint.queues.length === 1 ? { queue: endpoint.queues[0] ?? '' } : {}),
          };
  return {
    type: endpoint.protocol,
    provider: BINDING_PROVIDER,
    ...address,
    ...(hp === undefined ? {} : { host: hp.host, port: hp.port }),
    topic: endpoint.topic,
    ...credentialEntries(endpoint, credentials),
  };
}

/** Encodes entries as a Secret's `data` (base64), keys sorted so the object is stable. */
export function encodeSecretData(entries: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(entries).sort()) {
    out[key] = Buffer.from(entries[key] ?? '', 'utf8').toString('base64');
  }
  return out;
}

/** Decodes a Secret's `data` (base64) into text entries; non-string values are skipped. */
export function decodeSecretData(secret: KubeObject | undefined): Record<string, string> {
  const data = (secret as { data?: unknown } | undefined)?.data;
  const out: Record<string, string> = {};
  if (typeof data !== 'object' || data === null) return out;
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if (typeof value === 'string') out[key] = Buffer.from(value, 'base64').toString('utf8');
  }
  return out;
}

/** What a binding Secret is made of. */
export interface BindingSecretInput {
  readonly name: string;
  readonly namespace: string;
  /** `kafka` or `nats`: the Secret type becomes `servicebinding.io/<type>`. */
  readonly type: string;
  readonly entries: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly owner: OwnerReference;
}

/** A Service Binding Secret, ready for server-side apply. */
export function bindingSecret(input: BindingSecretInput): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: { ...input.labels },
      ownerReferences: [input.owner],
    },
    type: `servicebinding.io/${input.type}`,
    data: encodeSecretData(input.entries),
  };
}
