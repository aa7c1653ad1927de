/**
 * @module brokers/kafka-metadata
 * The admin requests a batch may send ({@link AdminPort}), topic-name rules, and the reading of
 * topic metadata and settings that the batch functions share.
 */
import type { ConfigResourceTypes, ITopicMetadata } from 'kafkajs';
import { delay } from '../../runtime/util.js';
import { kafkaErrorType } from './kafka-errors.js';
import type { KafkaTopicSpec } from './types.js';

/** The admin requests a batch may send; each call is one request to Kafka (counted by the caller). */
export interface AdminPort {
  /**
   * Creates the topics (or, with `validateOnly`, only checks that they could be created); `false`
   * when every topic that failed already existed (kafkajs does not say which).
   */
  createTopics(topics: readonly KafkaTopicSpec[], validateOnly?: boolean): Promise<boolean>;
  /** Metadata of the named topics, or of every topic when `names` is absent. */
  fetchTopicMetadata(names?: readonly string[]): Promise<ITopicMetadata[]>;
  /** Dynamic topic settings per topic. */
  describeConfigs(names: readonly string[]): Promise<Map<string, Record<string, string>>>;
  alterConfigs(items: readonly TopicConfigChange[]): Promise<void>;
  createPartitions(items: readonly PartitionChange[]): Promise<void>;
  deleteTopics(names: readonly string[]): Promise<void>;
}

/** A full replacement of a topic's dynamic settings. */
export interface TopicConfigChange {
  readonly name: string;
  readonly config: Readonly<Record<string, string>>;
}

/** A new partition count for a topic. */
export interface PartitionChange {
  readonly name: string;
  readonly count: number;
}

/** Whether `name` is a legal Kafka topic name (1-249 of `[A-Za-z0-9._-]`, not `.` or `..`). */
export function isTopicName(name: string): boolean {
  return /^[A-Za-z0-9._-]{1,249}$/.test(name) && name !== '.' && name !== '..';
}

/** DescribeConfigs `configSource` of a setting made on the topic itself (DYNAMIC_TOPIC_CONFIG). */
const DYNAMIC_TOPIC_CONFIG = 1;

/** Reads `describeConfigs` resources into name → dynamic topic settings (sensitive ones left out). */
export function dynamicConfigs(
  resources: readonly {
    resourceName: string;
    configEntries: readonly {
      configName: string;
      configValue: string | null;
      isDefault: boolean;
      configSource?: number;
      isSensitive: boolean;
    }[];
  }[],
): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const r of resources) {
    const config: Record<string, string> = {};
    for (const e of r.configEntries) {
      const dynamic = e.configSource === undefined ? !e.isDefault : e.configSource === DYNAMIC_TOPIC_CONFIG;
      if (dynamic && !e.isSensitive && typeof e.configValue === 'string')
        config[e.configName] = e.configValue;
    }
    out.set(r.resourceName, config);
  }
  return out;
}

/**
 * The config resource type of a topic (ConfigResourceTypes.TOPIC); a literal because kafkajs is
 * CommonJS and Node cannot see that enum as a named ESM export.
 */
export const TOPIC_RESOURCE = 2 as ConfigResourceTypes;

/** Single-topic metadata requests in flight at once while probing a batch for missing topics. */
const PROBE_CONCURRENCY = 64;

async function probe(port: AdminPort, name: string): Promise<ITopicMetadata[]> {
  try {
    return await port.fetchTopicMetadata([name]);
  } catch (err) {
    if (kafkaErrorType(err) === 'UNKNOWN_TOPIC_OR_PARTITION') return [];
    throw err;
  }
}

/** Maps with at most `limit` calls pending; results in input order. */
async function mapLimit<I, O>(items: readonly I[], limit: number, fn: (item: I) => Promise<O>): Promise<O[]> {
  const out: O[] = new Array<O>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as I);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

/** Metadata of those of `names` that exist: one request when all exist, else one more per topic. */
export async function existingTopics(
  port: AdminPort,
  names: readonly string[],
): Promise<Map<string, ITopicMetadata>> {
  const wanted = [...new Set(names.filter(isTopicName))];
  const found = new Map<string, ITopicMetadata>();
  if (wanted.length === 0) return found;
  let topics: ITopicMetadata[];
  try {
    topics = await port.fetchTopicMetadata(wanted);
  } catch (err) {
    if (kafkaErrorType(err) !== 'UNKNOWN_TOPIC_OR_PARTITION') throw err;
    if (wanted.length === 1) return found;
    // At least one is missing and Kafka does not say which: ask per topic (small requests, in
    // parallel) rather than list every topic of the cluster, which grows with the cluster.
    topics = (await mapLimit(wanted, PROBE_CONCURRENCY, (name) => probe(port, name))).flat();
  }
  const set = new Set(wanted);
  for (const t of topics) if (set.has(t.name)) found.set(t.name, t);
  return found;
}

/** How long a create waits for its topics to show in the metadata before it answers anyway. */
const VISIBLE_WAIT_MS = 5_000;

/**
 * Waits until every named topic shows in the metadata with a leader for each partition, so that a
 * describe right after a create sees the topic (the controller answers CreateTopics before the
 * brokers have learnt it). One metadata request when the topics are already there, which is the
 * common case; then a few more, 25 ms apart and doubling. After {@link VISIBLE_WAIT_MS}, or on an
 * error other than "not known yet", it returns anyway: the topics were created, and a describe
 * that misses them reports them missing, which a reconciler retries.
 */
export async function awaitVisible(port: AdminPort, names: readonly string[]): Promise<void> {
  const deadline = Date.now() + VISIBLE_WAIT_MS;
  let pending = [...names];
  let delayMs = 25;
  while (pending.length > 0) {
    try {
      const meta = await port.fetchTopicMetadata(pending);
      const led = new Set(
        meta
          .filter((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))
          .map((t) => t.name),
      );
      pending = pending.filter((n) => !led.has(n));
    } catch (err) {
      const type = kafkaErrorType(err);
      if (type !== 'UNKNOWN_TOPIC_OR_PARTITION' && type !== 'LEADER_NOT_AVAILABLE') return;
    }
    if (pending.length === 0 || Date.now() + delayMs > deadline) return;
    await delay(delayMs);
    delayMs = Math.min(delayMs * 2, 400);
  }
}
