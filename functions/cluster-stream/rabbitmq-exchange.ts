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

/** What the broker has of an exchange's queues. */
interface Observed {
  /** The single queue `<name>` exists. */
  readonly single: boolean;
  /** The partition indexes `i` whose queue `<name>-i` exists. */
  readonly present: ReadonlySet<number>;
  /** 1 for the single queue, else the highest present partition index plus one (0: none). */
  readonly partitions: number;
}

/**
 * Looks for the single queue and the partitions: each index the spec names, then any beyond it
 * that exist (a super stream that had more partitions). One passive declare per queue.
 */
async function observe(admin: RabbitAdminClient, exchange: string, wanted: number): Promise<Observed> {
  const single = await admin.queueExists(exchange);
  const present = new Set<number>();
  for (let i = 0; i < wanted && wanted > 1; i++)
    if (await admin.queueExists(`${exchange}-${i}`)) present.add(i);
  for (let i = Math.max(wanted, 1); await admin.queueExists(`${exchange}-${i}`); i++) present.add(i);
  const highest = Math.max(-1, ...present);
  return { single, present, partitions: single ? 1 : highest + 1 };
}

function refusal(message: string): Refusal {
  return { reason: 'NotSupported', message };
}

/** Looks at the exchange and its queues; errors are the admin client's. */
export async function inspectRabbitExchange(admin: RabbitAdminClient, want: RabbitWant): Promise<TopicPass> {
  const exchangeExists = await admin.exchangeExists(want.exchange);
  const seen = await observe(admin, want.exchange, want.partitions);
  const have = seen.partitions;
  const declareAll = async (queues: RabbitWant['queues']): Promise<void> => {
    await admin.declareExchange(want.exchange, want.exchangeType);
    for (const q of queues) await admin.declareQueue(want.exchange, q);
  };
  if (!exchangeExists && !seen.single && seen.present.size === 0) {
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
  const layoutClash = want.partitions === 1 ? seen.present.size > 0 && !seen.single : seen.single;
  if (layoutClash) {
    refusals.push(
      refusal(
        `spec.partitions asks for ${want.partitions} but RabbitMQ exchange ${want.exchange} has ${seen.single ? 'a single stream' : `a super stream of ${have} partitions`}: ` +
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
  const exists = (i: number): boolean => (want.partitions === 1 ? seen.single : seen.present.has(i));
  const existing = layoutClash ? [] : want.queues.filter((_, i) => exists(i));
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
  const missing = refusals.length > 0 ? [] : want.queues.filter((_, i) => !exists(i));
  // Partitions beyond the broker's highest are a raise; a hole below it is a lost queue.
  const raised = missing.filter((q) => want.queues.indexOf(q) >= have);
  const lost = missing.filter((q) => !raised.includes(q));
  const changes: SettingChange[] = [
    ...(exchangeExists
      ? []
      : [{ setting: `exchange ${want.exchange}`, broker: 'absent', spec: want.exchangeType }]),
    ...lost.map((q) => ({ setting: `queue ${q.name}`, broker: 'absent', spec: want.queueType })),
    ...(have > 0 && raised.length > 0
      ? [{ setting: 'partitions', broker: String(have), spec: String(want.partitions) }]
      : raised.map((q) => ({ setting: `queue ${q.name}`, broker: 'absent', spec: want.queueType }))),
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
      if (have > 0 && raised.length > 0) {
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
  const have = (await observe(admin, exchange, partitions)).partitions;
  const count = Math.max(have, partitions > 1 ? partitions : 0);
  const queues = [exchange, ...Array.from({ length: count }, (_, i) => `${exchange}-${i}`)];
  return admin.deleteObjects(exchange, queues);
}
