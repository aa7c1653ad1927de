/**
 * @module functions/cluster-stream/broker
 * Reaching the broker of a ClusterStream: its credentials come from the binding Secret (Service
 * Binding keys) in the namespace of the Stream it was provisioned for, else in the operator's
 * namespace; its servers from the spec, the binding or the operator's defaults; and deleting its
 * topic, which both reclaim paths need.
 */
import { Builtin, RetryableError, type KubeObject } from '../../runtime/index.js';
import {
  parseBindingSecret,
  type BrokerCredentials,
  type BrokerSettingsDriftContext,
} from '../../shared/index.js';
import { chooseServers, type TopicPlan } from './spec.js';
import { deleteNatsStream } from './nats-stream.js';
import { deleteRabbitExchange } from './rabbitmq-exchange.js';

/** Said with `BindingNotFound` under `protocolAdapterName: rabbitmq-operator`. */
const RABBIT_OPERATOR_HINT =
  '; with protocolAdapterName rabbitmq-operator Sluice deploys no RabbitMQ cluster: the RabbitMQ cluster operator ' +
  'writes this Secret for a RabbitmqCluster you create, or create it yourself';

/** Where and how to connect. */
export interface BrokerConnection {
  readonly servers: readonly string[];
  readonly credentials: BrokerCredentials;
}

/**
 * Reads the binding Secret (if any) and picks the servers. The Secret is looked up in
 * `plan.bindingNamespace` (a Stream's namespace, only on a ClusterStream Sluice provisioned for
 * that Stream), then in the operator's namespace: the first that has it wins.
 * @throws RetryableError `BindingNotFound` while the Secret does not exist (it may be created
 *   later; the message names every namespace looked in); TerminalError `InvalidBinding` /
 *   `NoBrokerConfigured` when it cannot work.
 */
export async function connectionFor(
  plan: TopicPlan,
  ctx: BrokerSettingsDriftContext,
): Promise<BrokerConnection> {
  let credentials: BrokerCredentials = {};
  let fromBinding: readonly string[] | undefined;
  const name = plan.binding;
  if (name !== undefined) {
    const namespaces = [...new Set([plan.bindingNamespace ?? ctx.config.namespace, ctx.config.namespace])];
    let secret: KubeObject | undefined;
    for (const namespace of namespaces) {
      secret = await ctx.kube.get(Builtin.Secret, namespace, name);
      if (secret) break;
    }
    if (!secret) {
      const [first, ...rest] = namespaces.map((ns) => `${ns}/${name}`);
      throw new RetryableError(
        'BindingNotFound',
        `the broker binding Secret ${first ?? ''} does not exist${rest.length ? ` (nor does ${rest.join(', ')})` : ''}${plan.rabbitOperator ? RABBIT_OPERATOR_HINT : ''}`,
      );
    }
    const parsed = parseBindingSecret(secret, plan.protocol);
    credentials = parsed.credentials;
    fromBinding = parsed.servers;
  }
  return { servers: chooseServers(plan, fromBinding, ctx.config), credentials };
}

/**
 * Deletes the topic (Kafka), the JetStream stream (NATS) or the exchange and its queues
 * (RabbitMQ). Callers decide first that this ClusterStream may (see `shared/ownership/deletion.ts`).
 * @returns false when it was already gone.
 */
export async function deleteTopic(
  plan: TopicPlan,
  { servers, credentials }: BrokerConnection,
  ctx: BrokerSettingsDriftContext,
): Promise<boolean> {
  if (plan.protocol === 'kafka') return ctx.brokers.kafka(servers, credentials).deleteTopic(plan.topic);
  if (plan.protocol === 'rabbitmq') {
    const partitions = plan.rabbit?.partitions ?? 1;
    return deleteRabbitExchange(ctx.brokers.rabbitmq(servers, credentials), plan.topic, partitions);
  }
  const { jsm } = await ctx.brokers.jetstream(servers, credentials);
  return deleteNatsStream(jsm, plan.stream);
}

/** `Kafka topic X`, `NATS stream X` or `RabbitMQ exchange X`, for messages. */
export function describeTopic(plan: TopicPlan): string {
  switch (plan.protocol) {
    case 'kafka':
      return `Kafka topic ${plan.topic}`;
    case 'nats':
      return `NATS stream ${plan.stream}`;
    case 'rabbitmq':
      return `RabbitMQ exchange ${plan.topic}`;
  }
}
