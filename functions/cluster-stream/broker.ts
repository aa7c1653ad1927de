/**
 * @module functions/cluster-stream/broker
 * Reaching the broker of a ClusterStream: its credentials come from the binding Secret in the
 * operator's namespace (Service Binding keys), its servers from the spec, the binding or the
 * operator's defaults; and deleting its topic, which both reclaim paths need.
 */
import { Builtin, RetryableError } from '../../runtime/index.js';
import {
  parseBindingSecret,
  type BrokerCredentials,
  type BrokerSettingsDriftContext,
} from '../../shared/index.js';
import { chooseServers, type TopicPlan } from './spec.js';
import { deleteNatsStream } from './nats-stream.js';
import { deleteRabbitExchange } from './rabbitmq-exchange.js';

/** Where and how to connect. */
export interface BrokerConnection {
  readonly servers: readonly string[];
  readonly credentials: BrokerCredentials;
}

/**
 * Reads the binding Secret (if any) and picks the servers.
 * @throws RetryableError `BindingNotFound` while the Secret does not exist (it may be created
 *   later); TerminalError `InvalidBinding` / `NoBrokerConfigured` when it cannot work.
 */
export async function connectionFor(
  plan: TopicPlan,
  ctx: BrokerSettingsDriftContext,
): Promise<BrokerConnection> {
  let credentials: BrokerCredentials = {};
  let fromBinding: readonly string[] | undefined;
  if (plan.binding !== undefined) {
    const namespace = ctx.config.namespace;
    const secret = await ctx.kube.get(Builtin.Secret, namespace, plan.binding);
    if (!secret) {
      throw new RetryableError(
        'BindingNotFound',
        `the broker binding Secret ${namespace}/${plan.binding} does not exist`,
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
