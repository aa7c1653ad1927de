/**
 * @module functions/cluster-stream/kafka-topic
 * Brings a Kafka topic to what a ClusterStream asks: create it or adopt an existing one, put its
 * settings back to the spec (drift heals), raise its partitions. What Kafka cannot do (remove
 * partitions, change the replication factor of an existing topic) is reported, never attempted,
 * and leaves the topic unchanged.
 */
import type { KafkaAdminClient, KafkaTopicSpec, KafkaTopicState } from '../../shared/index.js';
import { isEmptyChange, kafkaConfigChange, partitionPlan } from './desired.js';

/** Something done to the broker, worth a Normal Event. */
export interface BrokerAction {
  readonly reason: string;
  readonly message: string;
}

/** Something the spec asks that the broker cannot do; the topic was left as it is. */
export interface Refusal {
  readonly reason: 'NotSupported';
  readonly message: string;
}

/** What one pass over the topic found and did. */
export interface TopicObservation {
  /** The topic was there before this pass (created by someone else, or by an earlier pass). */
  readonly existed: boolean;
  readonly partitions?: number;
  readonly actions: readonly BrokerAction[];
  readonly refusals: readonly Refusal[];
}

/** How {@link ensureKafkaTopic} starts. */
export interface EnsureOptions {
  /**
   * The topic is probably not there yet (the ClusterStream never recorded one): ask Kafka to
   * create it first and describe it only if it already exists. A topic created by this call has
   * exactly the wanted settings, so the first pass over a new topic sends one CreateTopics and no
   * describe. Otherwise the topic is described first (resyncs, drift checks), as creating an
   * existing topic is a refused request. Either way the outcome is the same.
   */
  readonly expectMissing?: boolean;
}

/**
 * The topic as it is, or as it was just created. Kafka answered `created` only if it took every
 * setting as given, so `want` is then the observed state: describing it again would only show
 * the same thing later (brokers learn new topics asynchronously, see `shared/brokers/kafka.ts`).
 */
async function observe(
  admin: KafkaAdminClient,
  want: KafkaTopicSpec,
  expectMissing: boolean,
): Promise<{ state: KafkaTopicState; created: boolean }> {
  if (!expectMissing) {
    const state = await admin.describeTopic(want.name);
    if (state !== undefined) return { state, created: false };
  }
  if ((await admin.createTopic(want)) === 'created') return { state: { ...want }, created: true };
  return { state: (await admin.describeTopic(want.name)) ?? { ...want }, created: false };
}

/**
 * Ensures the topic. Errors are the admin client's (`BrokerUnavailableError`, a terminal
 * `InvalidTopicConfig` when Kafka refuses a setting, ...).
 */
export async function ensureKafkaTopic(
  admin: KafkaAdminClient,
  want: KafkaTopicSpec,
  opts: EnsureOptions = {},
): Promise<TopicObservation> {
  const actions: BrokerAction[] = [];
  const refusals: Refusal[] = [];
  const { state, created } = await observe(admin, want, opts.expectMissing ?? false);
  const existed = !created;
  if (created) {
    actions.push({
      reason: 'TopicCreated',
      message: `created Kafka topic ${want.name} with ${want.partitions} partition(s), replication factor ${want.replicationFactor}`,
    });
  }
  const change = kafkaConfigChange(want.config, state.config);
  if (!isEmptyChange(change)) {
    // AlterConfigs replaces the whole set: send every managed setting, not only the changed ones.
    await admin.alterTopicConfig(want.name, want.config, change.reset);
    const keys = [...Object.keys(change.set), ...change.reset].sort();
    actions.push({
      reason: 'TopicConfigured',
      message: `set topic settings of ${want.name}: ${keys.join(', ')}`,
    });
  }
  let partitions = state.partitions;
  switch (partitionPlan(want.partitions, state.partitions)) {
    case 'raise':
      await admin.createPartitions(want.name, want.partitions);
      actions.push({
        reason: 'PartitionsIncreased',
        message: `raised the partitions of ${want.name} from ${state.partitions} to ${want.partitions}`,
      });
      partitions = want.partitions;
      break;
    case 'refuse':
      refusals.push({
        reason: 'NotSupported',
        message:
          `spec.partitions asks for ${want.partitions} but topic ${want.name} has ${state.partitions}: ` +
          `Kafka cannot remove partitions, the topic was left unchanged`,
      });
      break;
    case 'keep':
      break;
  }
  if (state.replicationFactor !== want.replicationFactor) {
    refusals.push({
      reason: 'NotSupported',
      message:
        `spec.replicationFactor asks for ${want.replicationFactor} but topic ${want.name} has ${state.replicationFactor}: ` +
        `Sluice sets it only when it creates a topic, the topic was left unchanged`,
    });
  }
  return { existed, partitions, actions, refusals };
}
