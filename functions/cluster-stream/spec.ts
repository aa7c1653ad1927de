/**
 * @module functions/cluster-stream/spec
 * Parsing a ClusterStream and checking that its spec can work, before any broker is dialled.
 * The spec classes themselves live in `shared/tanzu/cluster-stream.ts`, because the Stream
 * reconciler reads ClusterStreams too.
 *
 * Checks, each a {@link TerminalError} with a clear reason (`Ready=False`, no retry):
 * - `storage.server.protocol` is `kafka`, `nats` or `rabbitmq` (case-insensitive), else `ProtocolNotSupported`; so must
 *   be `storage.attributes.protocolAdapterName` when given (the Streaming Runtime's adapter pick),
 *   except `rabbitmq-operator` on RabbitMQ with a binding (Sluice deploys no cluster: the binding
 *   names an existing one);
 * - `storage.server.url`, when given, is bootstrap servers (Kafka), server URLs (NATS) or
 *   `host:port` / `amqp://` addresses (RabbitMQ): `InvalidSpec`;
 * - `name` is a legal topic (Kafka), literal subject (NATS) or exchange name (RabbitMQ): `InvalidSpec`;
 * - RabbitMQ: `config` holds only the queue arguments `rabbitmq-config.ts` lists (`InvalidSpec`);
 * - NATS: `partitions` stays 1 (`NotSupported`: JetStream streams have no partitions) and every
 *   `config` key is a JetStream setting (`InvalidSpec`);
 * - `name` still equals `status.topicName` once the topic exists (`NotSupported`: no broker renames).
 */
import { TerminalError, type KubeObject } from '../../runtime/index.js';
import {
  AUTO_PROVISIONED_LABEL,
  BINDING_NAMESPACE_ANNOTATION,
  PROVISIONED_FOR_ANNOTATION,
  defaultBrokerOf,
  isSupportedProtocol,
  natsStreamName,
  parseClusterStream,
  parseServers,
  SUPPORTED_PROTOCOLS,
  topicNameProblem,
  type ClusterStream,
  type Protocol,
  type OperatorSettings,
} from '../../shared/index.js';
import { natsSettings, type NatsSettings } from './nats-config.js';
import { rabbitWant, type RabbitWant } from './rabbitmq-config.js';

export type { ClusterStream } from '../../shared/index.js';

/** Parses a ClusterStream; a malformed spec throws `TerminalError('InvalidSpec')`. */
export function parse(obj: KubeObject): ClusterStream {
  return parseClusterStream(obj);
}

/** What the spec asks of the broker, once checked. */
export interface TopicPlan {
  readonly protocol: Protocol;
  /** Topic (Kafka) or subject (NATS). */
  readonly topic: string;
  /** The JetStream stream name (NATS). */
  readonly stream: string;
  /** Servers from `storage.server.url`; `undefined` when it is empty. */
  readonly servers: readonly string[] | undefined;
  /** The binding Secret with the broker's credentials (see {@link bindingNamespaceOf} for where). */
  readonly binding: string | undefined;
  /**
   * The Stream namespace where `binding` is looked up before the operator's; `undefined`: the
   * operator's namespace only.
   */
  readonly bindingNamespace: string | undefined;
  /** NATS stream settings from `config` (NATS only). */
  readonly nats: NatsSettings | undefined;
  /** The RabbitMQ exchange and queues (RabbitMQ only). */
  readonly rabbit: RabbitWant | undefined;
  /** `protocolAdapterName: rabbitmq-operator`: the broker is one Sluice did not deploy, named by the binding. */
  readonly rabbitOperator: boolean;
}

function protocolOf(cs: ClusterStream): Protocol {
  const raw = cs.spec.storage.server?.protocol?.trim();
  if (!raw) {
    throw new TerminalError(
      'ProtocolNotSupported',
      `spec.storage.server.protocol is not set: Sluice provisions ${SUPPORTED_PROTOCOLS.join(' and ')}`,
    );
  }
  const protocol = raw.toLowerCase();
  if (!isSupportedProtocol(protocol)) {
    throw new TerminalError(
      'ProtocolNotSupported',
      `protocol ${JSON.stringify(raw)} is not supported: Sluice provisions ${SUPPORTED_PROTOCOLS.join(' and ')} topics`,
    );
  }
  const adapter = cs.spec.storage.attributes?.protocolAdapterName?.trim();
  if (adapter && isRabbitOperatorAdapter(cs) && protocol === 'rabbitmq') {
    // The Streaming Runtime's adapter deployed a RabbitmqCluster; Sluice deploys none, and can
    // only use a broker that a binding names (the cluster operator's `<cluster>-default-user`).
    if (cs.spec.storage.server?.binding?.trim()) return protocol;
    throw new TerminalError(
      'ProtocolNotSupported',
      `storage.attributes.protocolAdapterName ${JSON.stringify(adapter)}: Sluice deploys no RabbitMQ cluster; ` +
        `name the Secret of an existing one (for a RabbitmqCluster, its <cluster>-default-user) in the Stream's binding ` +
        `or in storage.server.binding, or remove the attribute to use the operator's RabbitMQ`,
    );
  }
  if (adapter && adapter.toLowerCase() !== protocol) {
    throw new TerminalError(
      'ProtocolNotSupported',
      `storage.attributes.protocolAdapterName ${JSON.stringify(adapter)} is not supported: Sluice provisions ${protocol} topics itself`,
    );
  }
  return protocol;
}

/** Whether `storage.attributes.protocolAdapterName` is the Streaming Runtime's `rabbitmq-operator`. */
export function isRabbitOperatorAdapter(cs: ClusterStream): boolean {
  return cs.spec.storage.attributes?.protocolAdapterName?.trim().toLowerCase() === 'rabbitmq-operator';
}

/**
 * The namespace of the Stream whose `spec.binding` this ClusterStream carries, when Sluice
 * provisioned it for that Stream: the {@link BINDING_NAMESPACE_ANNOTATION} counts only together
 * with the auto-provisioned label and a {@link PROVISIONED_FOR_ANNOTATION} naming a Stream of that
 * same namespace (both set by Sluice at creation; users who own Streams cannot write
 * ClusterStreams). On any other ClusterStream, an administrator's, it is ignored and the binding
 * is read from the operator's namespace, so no Stream can point one at its own or another
 * namespace's Secret.
 */
export function bindingNamespaceOf(cs: KubeObject): string | undefined {
  const namespace = cs.metadata.annotations?.[BINDING_NAMESPACE_ANNOTATION]?.trim();
  if (!namespace || cs.metadata.labels?.[AUTO_PROVISIONED_LABEL] !== 'true') return undefined;
  const provisionedFor = cs.metadata.annotations?.[PROVISIONED_FOR_ANNOTATION] ?? '';
  return provisionedFor.startsWith(`${namespace}/`) ? namespace : undefined;
}

/**
 * Checks the spec and says what it asks of the broker.
 * @param config the operator's settings: which binding is the default for an empty `url`.
 * @throws TerminalError as the module documentation lists.
 */
export function planTopic(
  cs: ClusterStream,
  config: Pick<
    OperatorSettings,
    'kafkaBrokers' | 'kafkaBinding' | 'natsUrl' | 'natsBinding' | 'rabbitmqUrl' | 'rabbitmqBinding'
  >,
): TopicPlan {
  const protocol = protocolOf(cs);
  const topic = cs.spec.name;
  const nameProblem = topicNameProblem(protocol, topic);
  if (nameProblem)
    throw new TerminalError('InvalidSpec', `spec.name ${JSON.stringify(topic)}: ${nameProblem}`);
  const previous = cs.status?.topicName;
  if (previous && previous !== topic) {
    throw new TerminalError(
      'NotSupported',
      `spec.name cannot change from ${previous} to ${topic}: a broker cannot rename a topic; ` +
        `put the name back, or create another ClusterStream for the new topic`,
    );
  }
  const url = cs.spec.storage.server?.url?.trim() ?? '';
  let servers: string[] | undefined;
  if (url) {
    const parsed = parseServers(protocol, url);
    if ('problem' in parsed)
      throw new TerminalError('InvalidSpec', `spec.storage.server.url ${parsed.problem}`);
    servers = parsed.servers;
  }
  if (protocol === 'nats' && cs.spec.partitions !== 1) {
    throw new TerminalError(
      'NotSupported',
      `spec.partitions is ${cs.spec.partitions}: NATS JetStream streams have no partitions; leave it at 1`,
    );
  }
  const explicitBinding = cs.spec.storage.server?.binding?.trim() || undefined;
  const defaultBinding = defaultBrokerOf(config, protocol).binding;
  return {
    protocol,
    topic,
    stream: natsStreamName(topic),
    servers,
    binding: explicitBinding ?? (servers === undefined ? defaultBinding : undefined),
    bindingNamespace: explicitBinding === undefined ? undefined : bindingNamespaceOf(cs),
    nats: protocol === 'nats' ? natsSettings(cs.spec.config) : undefined,
    rabbitOperator: protocol === 'rabbitmq' && isRabbitOperatorAdapter(cs),
    rabbit:
      protocol === 'rabbitmq'
        ? rabbitWant(topic, cs.spec.partitions, cs.spec.replicationFactor, cs.spec.config)
        : undefined,
  };
}

/**
 * The servers to dial: the spec's, else those of the binding Secret, else the operator's default
 * for the protocol.
 * @throws TerminalError `NoBrokerConfigured` when there are none.
 */
export function chooseServers(
  plan: TopicPlan,
  fromBinding: readonly string[] | undefined,
  config: Pick<
    OperatorSettings,
    'kafkaBrokers' | 'kafkaBinding' | 'natsUrl' | 'natsBinding' | 'rabbitmqUrl' | 'rabbitmqBinding'
  >,
): readonly string[] {
  if (plan.servers) return plan.servers;
  if (fromBinding && fromBinding.length > 0) return fromBinding;
  const { servers: defaults, variable } = defaultBrokerOf(config, plan.protocol);
  if (defaults.length === 0) {
    throw new TerminalError(
      'NoBrokerConfigured',
      `spec.storage.server.url is empty and the operator has no default ${plan.protocol} broker (${variable})`,
    );
  }
  return defaults;
}
