/**
 * @module functions/cluster-stream/kafka-topic
 * Brings a Kafka topic to what a ClusterStream asks: create it or adopt an existing one, put its
 * settings back to the spec (drift heals), raise its partitions. What Kafka cannot do (remove
 * partitions, change the replication factor of an existing topic) is reported, never attempted,
 * and leaves the topic unchanged.
 */
import type { KafkaAdminClient, KafkaTopicSpec } from '../../shared/index.js';
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

/**
 * Ensures the topic. Errors are the admin client's (`BrokerUnavailableError`, a terminal
 * `InvalidTopicConfig` when Kafka refuses a setting, ...).
 */
export async function ensureKafkaTopic(
  admin: KafkaAdminClient,
  want: KafkaTopicSpec,
): Promise<TopicObservation> {
  const actions: BrokerAction[] = [];
  const refusals: Refusal[] = [];
  let state = await admin.describeTopic(want.name);
  let existed = true;
  if (state === undefined) {
    existed = (await admin.createTopic(want)) === 'exists';
    if (!existed) {
      actions.push({
        reason: 'TopicCreated',
        message: `created Kafka topic ${want.name} with ${want.partitions} partition(s), replication factor ${want.replicationFactor}`,
      });
    }
    state = (await admin.describeTopic(want.name)) ?? { ...want };
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
