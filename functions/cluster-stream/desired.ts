/**
 * @module functions/cluster-stream/desired
 * Pure decisions of the ClusterStream reconciler: the topic-setting and partition changes a Kafka
 * topic needs, the binding Secret that describes the topic, and the status to write.
 */
import {
  conditionsOf,
  controllerRef,
  managedLabels,
  setConditions,
  type ConditionInput,
  type ConditionStatus,
  type KubeObject,
} from '../../runtime/index.js';
import {
  ClusterStreamKind,
  DEFAULT_VALUE,
  type BrokerCredentials,
  type ClaimStatus,
  type KafkaTopicSpec,
  type KafkaTopicState,
  type SettingChange,
} from '../../shared/index.js';
import {
  bindingEntries,
  bindingSecret,
  clusterStreamBindingName,
  labelValue,
  type ClusterStream,
  type ClusterStreamPhase,
  type ClusterStreamStatus,
  type StorageAddress,
  type TopicEndpoint,
} from '../../shared/index.js';

/** The alteration that brings a topic's dynamic settings to `want`. */
export interface ConfigChange {
  /** Settings to set (missing or different on the broker). */
  readonly set: Readonly<Record<string, string>>;
  /** Settings the broker has that the spec does not: reset to the broker default (drift heals). */
  readonly reset: readonly string[];
}

/**
 * What changes the topic settings need. Kafka → Kube only, as Strimzi's topic operator: a setting
 * changed on the broker behind Sluice's back is put back, one set outside the spec is reset.
 * Settings in `ignored` (managed by others) are neither set nor reset.
 */
export function kafkaConfigChange(
  want: Readonly<Record<string, string>>,
  have: Readonly<Record<string, string>>,
  ignored: ReadonlySet<string> = new Set(),
): ConfigChange {
  const set: Record<string, string> = {};
  for (const key of Object.keys(want).sort()) {
    const value = want[key];
    if (value !== undefined && have[key] !== value && !ignored.has(key)) set[key] = value;
  }
  const reset = Object.keys(have)
    .filter((k) => !(k in want) && !ignored.has(k))
    .sort();
  return { set, reset };
}

/** Where a Kafka topic differs from the spec, and what an alteration sends. */
export interface KafkaDiff {
  readonly change: ConfigChange;
  /**
   * The complete dynamic configuration to send (AlterConfigs replaces the whole set): the spec's
   * settings, and the broker's own values of the ignored ones so that they stay as they are.
   */
  readonly send: Readonly<Record<string, string>>;
  readonly partitions: PartitionPlan;
  /** Each differing setting with its value on the broker and in the spec. */
  readonly changes: readonly SettingChange[];
}

/** Compares a topic with the spec; `ignored` settings are left as the broker has them. */
export function kafkaTopicDiff(
  want: KafkaTopicSpec,
  have: KafkaTopicState,
  ignored: ReadonlySet<string>,
): KafkaDiff {
  const change = kafkaConfigChange(want.config, have.config, ignored);
  const send: Record<string, string> = {};
  for (const [key, value] of Object.entries(want.config)) if (!ignored.has(key)) send[key] = value;
  for (const [key, value] of Object.entries(have.config)) if (ignored.has(key)) send[key] = value;
  const changes: SettingChange[] = [
    ...Object.entries(change.set).map(([setting, value]) => ({
      setting,
      broker: have.config[setting] ?? DEFAULT_VALUE,
      spec: value,
    })),
    ...change.reset.map((setting) => ({
      setting,
      broker: have.config[setting] ?? DEFAULT_VALUE,
      spec: DEFAULT_VALUE,
    })),
  ];
  const partitions = partitionPlan(want.partitions, have.partitions);
  if (partitions === 'raise') {
    changes.push({ setting: 'partitions', broker: String(have.partitions), spec: String(want.partitions) });
  }
  changes.sort((a, b) => a.setting.localeCompare(b.setting));
  return { change, send, partitions, changes };
}

/** Whether a change has anything to do. */
export function isEmptyChange(c: ConfigChange): boolean {
  return Object.keys(c.set).length === 0 && c.reset.length === 0;
}

/** What to do about the partition count: Kafka can add partitions, never remove them. */
export type PartitionPlan = 'keep' | 'raise' | 'refuse';

export function partitionPlan(want: number, have: number): PartitionPlan {
  return want === have ? 'keep' : want > have ? 'raise' : 'refuse';
}

/** The labels of the objects Sluice derives from a ClusterStream. */
export function clusterStreamLabels(cs: ClusterStream): Record<string, string> {
  return managedLabels('clusterstream', labelValue(cs.metadata.name ?? ''), 'binding');
}

/**
 * The Service Binding Secret of the ClusterStream's topic, in the operator's namespace, owned by
 * the ClusterStream (a cluster-scoped owner may own namespaced objects), so it goes with it.
 * `keys` adds the ClusterStream's key attributes, comma-separated.
 */
export function clusterStreamSecret(
  cs: ClusterStream,
  endpoint: TopicEndpoint,
  credentials: BrokerCredentials,
  namespace: string,
): KubeObject {
  const keys = cs.spec.keys ?? [];
  return bindingSecret({
    name: clusterStreamBindingName(cs.metadata.name ?? ''),
    namespace,
    type: endpoint.protocol,
    entries: { ...bindingEntries(endpoint, credentials), ...(keys.length ? { keys: keys.join(',') } : {}) },
    labels: clusterStreamLabels(cs),
    owner: controllerRef(ClusterStreamKind, cs),
  });
}

/** What one reconcile observed, to be written as status. */
export interface StatusInput {
  readonly phase: ClusterStreamPhase;
  readonly ready: { readonly status: ConditionStatus; readonly reason: string; readonly message: string };
  /** The `Managed` condition; the last one written stays when absent. */
  readonly managed?: ConditionInput;
  readonly claim?: ClaimStatus;
  readonly binding?: string;
  readonly storageAddress?: StorageAddress;
  readonly topicName?: string;
  readonly partitions?: number;
}

/**
 * The status to write: every field from `input`, the Ready (and Managed) conditions set with the
 * generation they were computed from (a transition time kept when its status did not change).
 */
export function clusterStreamStatus(cs: ClusterStream, input: StatusInput, now: Date): ClusterStreamStatus {
  const generation = cs.metadata.generation;
  const observed = generation === undefined ? {} : { observedGeneration: generation };
  const conditions = setConditions(
    conditionsOf(cs.status),
    [
      { type: 'Ready', ...input.ready, ...observed },
      ...(input.managed ? [{ ...input.managed, ...observed }] : []),
    ],
    now,
  );
  return {
    phase: input.phase,
    ...(input.binding === undefined ? {} : { binding: { name: input.binding } }),
    ...(input.storageAddress === undefined ? {} : { storageAddress: input.storageAddress }),
    conditions,
    ...observed,
    ...(input.topicName === undefined ? {} : { topicName: input.topicName }),
    ...(input.partitions === undefined ? {} : { partitions: input.partitions }),
    ...(input.claim === undefined ? {} : { claim: input.claim }),
  };
}
