/**
 * @module functions/cluster-stream/kafka-topic
 * A look at a Kafka topic and what it takes to bring it to what a ClusterStream asks: create it or
 * adopt an existing one, put its settings back to the spec (drift heals), raise its partitions.
 * Looking changes nothing on the broker (except the create-first of a topic the ClusterStream
 * never used, which the reconciler asks only as the topic's confirmed owner); the changes wait in
 * {@link TopicPass.apply} until the reconciler has confirmed that this ClusterStream owns the topic.
 * What Kafka cannot do (remove partitions, change the replication factor of an existing topic) is
 * reported, never attempted, and leaves the topic unchanged.
 */
import type { KafkaAdminClient, KafkaTopicSpec, KafkaTopicState, SettingChange } from '../../shared/index.js';
import { isEmptyChange, kafkaTopicDiff } from './desired.js';

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

/** What changing the broker did. */
export interface AppliedPass {
  readonly actions: readonly BrokerAction[];
  /** Partitions on the broker afterwards, when known. */
  readonly partitions?: number;
}

/** One look at a topic (or JetStream stream), and the changes that would bring it to the spec. */
export interface TopicPass {
  /** The object was there before this pass (created by someone else, or by an earlier pass). */
  readonly existed: boolean;
  /** The object is not there, and this pass did not create it. */
  readonly missing: boolean;
  readonly partitions?: number;
  /** Where the object differs from the spec (settings left alone excepted), before any change. */
  readonly changes: readonly SettingChange[];
  readonly refusals: readonly Refusal[];
  /** What the look itself did (a create-first). */
  readonly actions: readonly BrokerAction[];
  /** Makes the changes (creating a missing object); only for the object's confirmed owner. */
  apply(): Promise<AppliedPass>;
}

/** How {@link inspectKafkaTopic} starts and what it leaves alone. */
export interface InspectOptions {
  /**
   * The topic is probably not there yet (the ClusterStream never used one) and this ClusterStream
   * owns it: ask Kafka to create it first and describe it only if it already exists. A topic
   * created so has exactly the wanted settings, so the first pass over a new topic sends one
   * CreateTopics and no describe. Otherwise the topic is described first (resyncs, drift checks),
   * as creating an existing topic is a refused request.
   */
  readonly createFirst?: boolean;
  /** Settings left as the broker has them once the topic exists. */
  readonly ignored?: ReadonlySet<string>;
}

function createdAction(want: KafkaTopicSpec): BrokerAction {
  return {
    reason: 'TopicCreated',
    message: `created Kafka topic ${want.name} with ${want.partitions} partition(s), replication factor ${want.replicationFactor}`,
  };
}

const NOTHING = (): Promise<AppliedPass> => Promise.resolve({ actions: [] });

function refusalsOf(want: KafkaTopicSpec, state: KafkaTopicState, refuse: boolean): Refusal[] {
  const refusals: Refusal[] = [];
  if (refuse) {
    refusals.push({
      reason: 'NotSupported',
      message:
        `spec.partitions asks for ${want.partitions} but topic ${want.name} has ${state.partitions}: ` +
        `Kafka cannot remove partitions, the topic was left unchanged`,
    });
  }
  if (state.replicationFactor !== want.replicationFactor) {
    refusals.push({
      reason: 'NotSupported',
      message:
        `spec.replicationFactor asks for ${want.replicationFactor} but topic ${want.name} has ${state.replicationFactor}: ` +
        `Sluice sets it only when it creates a topic, the topic was left unchanged`,
    });
  }
  return refusals;
}

/** The pass over an existing topic `state`. */
function passOver(
  admin: KafkaAdminClient,
  want: KafkaTopicSpec,
  state: KafkaTopicState,
  ignored: ReadonlySet<string>,
): TopicPass {
  const diff = kafkaTopicDiff(want, state, ignored);
  return {
    existed: true,
    missing: false,
    partitions: state.partitions,
    changes: diff.changes,
    refusals: refusalsOf(want, state, diff.partitions === 'refuse'),
    actions: [],
    async apply() {
      const actions: BrokerAction[] = [];
      if (!isEmptyChange(diff.change)) {
        await admin.alterTopicConfig(want.name, diff.send, diff.change.reset);
        const keys = [...Object.keys(diff.change.set), ...diff.change.reset].sort();
        actions.push({
          reason: 'TopicConfigured',
          message: `set topic settings of ${want.name}: ${keys.join(', ')}`,
        });
      }
      if (diff.partitions !== 'raise') return { actions, partitions: state.partitions };
      await admin.createPartitions(want.name, want.partitions);
      actions.push({
        reason: 'PartitionsIncreased',
        message: `raised the partitions of ${want.name} from ${state.partitions} to ${want.partitions}`,
      });
      return { actions, partitions: want.partitions };
    },
  };
}

/**
 * Looks at the topic. Kafka answers `created` only if it took every setting as given, so a topic
 * just created is observed as wanted: describing it again would only show the same thing later
 * (brokers learn new topics asynchronously, see `shared/brokers/kafka.ts`). Errors are the admin
 * client's (`BrokerUnavailableError`, a terminal `InvalidTopicConfig` when Kafka refuses a
 * setting, ...).
 */
export async function inspectKafkaTopic(
  admin: KafkaAdminClient,
  want: KafkaTopicSpec,
  opts: InspectOptions = {},
): Promise<TopicPass> {
  const ignored = opts.ignored ?? new Set<string>();
  if (opts.createFirst) {
    if ((await admin.createTopic(want)) === 'created') {
      const actions = [createdAction(want)];
      return {
        existed: false,
        missing: false,
        partitions: want.partitions,
        changes: [],
        refusals: [],
        actions,
        apply: NOTHING,
      };
    }
    // It exists (the controller says so even when a broker's metadata lags behind).
    return passOver(admin, want, (await admin.describeTopic(want.name)) ?? { ...want }, ignored);
  }
  const state = await admin.describeTopic(want.name);
  if (state) return passOver(admin, want, state, ignored);
  return {
    existed: false,
    missing: true,
    changes: [],
    refusals: [],
    actions: [],
    async apply() {
      if ((await admin.createTopic(want)) !== 'created') return { actions: [] };
      return { actions: [createdAction(want)], partitions: want.partitions };
    },
  };
}
