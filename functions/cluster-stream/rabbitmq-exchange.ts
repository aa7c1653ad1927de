/**
 * @module functions/cluster-stream/rabbitmq-exchange
 * A look at the RabbitMQ exchange of a ClusterStream and its queues (see `rabbitmq-config.ts` for
 * the layout), and what it takes to bring them to the spec. As for Kafka and NATS, looking changes
 * nothing: creating the exchange, a missing queue or a new partition waits in
 * {@link TopicPass.apply} until the reconciler has confirmed that this ClusterStream owns the
 * exchange. Bindings are declared again on every apply (idempotent): AMQP cannot list them.
 *
 * What RabbitMQ cannot do is reported as a refusal, never attempted, and leaves the broker as it
 * is: changing a queue's arguments (an existing queue declared with other arguments answers 406,
 * which changes nothing), removing partitions, or turning a single stream into a super stream and
 * back (the exchange type differs).
 */
import type { RabbitAdminClient, SettingChange } from '../../shared/index.js';
import type { BrokerAction, Refusal, TopicPass } from './kafka-topic.js';
import type { RabbitWant } from './rabbitmq-config.js';

/** How many partitions the broker has: 1 for the single queue, else the consecutive `<name>-i`. */
async function observedPartitions(
  admin: RabbitAdminClient,
  exchange: string,
  atLeast: number,
): Promise<number> {
  if (await admin.queueExists(exchange)) return 1;
  let count = 0;
  while (count < Math.max(atLeast, 1) + 1000 && (await admin.queueExists(`${exchange}-${count}`))) count++;
  return count;
}

function refusal(message: string): Refusal {
  return { reason: 'NotSupported', message };
}

/** Looks at the exchange and its queues; errors are the admin client's. */
export async function inspectRabbitExchange(admin: RabbitAdminClient, want: RabbitWant): Promise<TopicPass> {
  const exchangeExists = await admin.exchangeExists(want.exchange);
  const have = await observedPartitions(admin, want.exchange, want.partitions);
  const declareAll = async (queues: RabbitWant['queues']): Promise<void> => {
    await admin.declareExchange(want.exchange, want.exchangeType);
    for (const q of queues) await admin.declareQueue(want.exchange, q);
  };
  if (!exchangeExists && have === 0) {
    return {
      existed: false,
      missing: true,
      changes: [],
      refusals: [],
      actions: [],
      async apply() {
        await declareAll(want.queues);
        return {
          actions: [
            {
              reason: 'TopicCreated',
              message: `created RabbitMQ ${want.exchangeType} exchange ${want.exchange} and ${want.queueType} queue(s) ${want.queues.map((q) => q.name).join(', ')}`,
            },
          ],
          partitions: want.partitions,
        };
      },
    };
  }
  const refusals: Refusal[] = [];
  const single = have === 1 && (await admin.queueExists(want.exchange));
  const layoutClash = have > 0 && (want.partitions === 1) !== single;
  if (layoutClash) {
    refusals.push(
      refusal(
        `spec.partitions asks for ${want.partitions} but RabbitMQ exchange ${want.exchange} has ${single ? 'a single stream' : `a super stream of ${have} partitions`}: ` +
          `Sluice cannot turn one into the other, the exchange was left unchanged`,
      ),
    );
  } else if (have > want.partitions) {
    refusals.push(
      refusal(
        `spec.partitions asks for ${want.partitions} but RabbitMQ exchange ${want.exchange} has ${have}: partitions cannot be removed, the exchange was left unchanged`,
      ),
    );
  }
  const existing = layoutClash ? [] : want.queues.slice(0, Math.min(have, want.partitions));
  for (const q of existing) {
    if ((await admin.compareQueue(q)) === 'different') {
      refusals.push(
        refusal(
          `RabbitMQ queue ${q.name} exists with other arguments than the spec asks (${Object.entries(
            q.arguments,
          )
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')}): RabbitMQ cannot change a queue's arguments, the queue was left unchanged`,
        ),
      );
    }
  }
  const missing = refusals.length > 0 ? [] : want.queues.slice(have);
  const changes: SettingChange[] = [
    ...(exchangeExists
      ? []
      : [{ setting: `exchange ${want.exchange}`, broker: 'absent', spec: want.exchangeType }]),
    ...(have > 0 && missing.length > 0
      ? [{ setting: 'partitions', broker: String(have), spec: String(want.partitions) }]
      : missing.map((q) => ({ setting: `queue ${q.name}`, broker: 'absent', spec: want.queueType }))),
  ];
  return {
    existed: true,
    missing: false,
    partitions: have,
    changes: refusals.length > 0 ? [] : changes,
    refusals,
    actions: [],
    async apply() {
      if (refusals.length > 0) return { actions: [], partitions: have };
      // Existing queues are declared again with their bindings: a binding removed on the broker heals.
      await declareAll([...existing, ...missing]);
      const actions: BrokerAction[] = [];
      if (have > 0 && missing.length > 0) {
        actions.push({
          reason: 'PartitionsIncreased',
          message: `raised the partitions of RabbitMQ super stream ${want.exchange} from ${have} to ${want.partitions}`,
        });
      } else if (changes.length > 0) {
        actions.push({
          reason: 'TopicConfigured',
          message: `declared ${changes.map((c) => c.setting).join(', ')} of RabbitMQ exchange ${want.exchange}`,
        });
      }
      return { actions, partitions: want.partitions };
    },
  };
}

/**
 * Deletes the exchange and its queues: the single queue, and every partition the broker has or
 * the spec names.
 * @returns false when none of them existed.
 */
export async function deleteRabbitExchange(
  admin: RabbitAdminClient,
  exchange: string,
  partitions: number,
): Promise<boolean> {
  const have = await observedPartitions(admin, exchange, partitions);
  const count = Math.max(have, partitions > 1 ? partitions : 0);
  const queues = [exchange, ...Array.from({ length: count }, (_, i) => `${exchange}-${i}`)];
  return admin.deleteObjects(exchange, queues);
}
