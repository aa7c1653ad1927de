/**
 * @module brokers/kafka
 * {@link KafkaAdminClient} over kafkajs for one cluster and one set of credentials, with
 * Strimzi-style batching: concurrent calls of one operation within `lingerMs` become one admin
 * request (see `kafka-batches.ts` for how each topic's outcome is routed back).
 *
 * Managed topic settings flow Kube → Kafka only, as with Strimzi's topic operator: kafkajs has no
 * IncrementalAlterConfigs, so {@link BatchingKafkaAdmin.alterTopicConfig} sends the complete set
 * of settings Sluice manages, and every dynamic setting left out (including one an administrator
 * set by hand) returns to the broker default.
 *
 * Failure in seconds: short connect and request timeouts, few retries, and a deadline on every
 * batch; an unreachable cluster throws {@link BrokerUnavailableError}.
 *
 * Read-after-write: Kafka applies admin changes in its controller and brokers learn them
 * asynchronously (seconds under load), so a describe right after a create, alter, partition raise
 * or delete may still show the old state. Reconcilers converge on the next pass; they should not
 * treat such a read as an error.
 */
import { Kafka, type Admin } from 'kafkajs';
import { ConfigError } from '../../runtime/errors.js';
import { Batcher, type BatchRunner, type Settled } from './batcher.js';
import { BrokerUnavailableError } from './errors.js';
import { kafkaConfig, type KafkaAdminOptions } from './kafka-config.js';
import { isUnavailable, toSluiceError } from './kafka-errors.js';
import { alterBatch, createBatch, deleteBatch, describeBatch, partitionsBatch } from './kafka-batches.js';
import {
  dynamicConfigs,
  TOPIC_RESOURCE,
  type AdminPort,
  type PartitionChange,
  type TopicConfigChange,
} from './kafka-metadata.js';
import type { KafkaAdminClient, KafkaTopicSpec, KafkaTopicState } from './types.js';

/** The operations callers use. */
export type KafkaOperation =
  'describeTopic' | 'createTopic' | 'alterTopicConfig' | 'createPartitions' | 'deleteTopic';
/** The admin requests Sluice sends. */
export type KafkaAdminRequest =
  | 'createTopics'
  | 'validateTopics'
  | 'fetchTopicMetadata'
  | 'describeConfigs'
  | 'alterConfigs'
  | 'createPartitions'
  | 'deleteTopics';

/** Counters that show how calls were batched. */
export interface KafkaAdminStats {
  /** Calls made by callers, per operation. */
  readonly calls: Readonly<Record<KafkaOperation, number>>;
  /** Batches run, per operation. */
  readonly batches: Readonly<Record<KafkaOperation, number>>;
  /** Admin requests sent, per request type (each may also refresh metadata inside kafkajs). */
  readonly requests: Readonly<Record<KafkaAdminRequest, number>>;
  /** Requests on the wire, per Kafka API name (`CreateTopics`, `Metadata`, ...), as kafkajs reports them. */
  readonly wire: Readonly<Record<string, number>>;
  /** Time spent on the wire (sent to answered), in ms, per Kafka API name. */
  readonly wireMs: Readonly<Record<string, number>>;
}

/** A {@link KafkaAdminClient} that also reports its batching. */
export interface KafkaAdmin extends KafkaAdminClient {
  stats(): KafkaAdminStats;
  /** Disconnects; queued calls fail with {@link BrokerUnavailableError}, later calls too. */
  close(): Promise<void>;
}

const OPERATIONS: readonly KafkaOperation[] = [
  'describeTopic',
  'createTopic',
  'alterTopicConfig',
  'createPartitions',
  'deleteTopic',
];
const REQUESTS: readonly KafkaAdminRequest[] = [
  'createTopics',
  'validateTopics',
  'fetchTopicMetadata',
  'describeConfigs',
  'alterConfigs',
  'createPartitions',
  'deleteTopics',
];

function zeros<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

/** Creates a batching admin client for one cluster; it connects on first use. */
export function createKafkaAdmin(opts: KafkaAdminOptions): KafkaAdmin {
  return new BatchingKafkaAdmin(opts);
}

/** The implementation behind {@link createKafkaAdmin}. */
export class BatchingKafkaAdmin implements KafkaAdmin {
  private readonly admin: Admin;
  private readonly label: string;
  private readonly operationTimeoutMs: number;
  private readonly topicTimeoutMs: number;
  private readonly calls = zeros(OPERATIONS);
  private readonly requests = zeros(REQUESTS);
  private readonly wire: Record<string, number> = {};
  private readonly wireMs: Record<string, number> = {};
  private readonly describes: Batcher<string, KafkaTopicState | undefined>;
  private readonly creates: Batcher<KafkaTopicSpec, 'created' | 'exists'>;
  private readonly alters: Batcher<TopicConfigChange, void>;
  private readonly partitions: Batcher<PartitionChange, void>;
  private readonly deletes: Batcher<string, boolean>;
  private connected: Promise<void> | undefined;
  private closed = false;
  private knownClusterId: Promise<string> | undefined;

  constructor(opts: KafkaAdminOptions) {
    this.label = [...opts.brokers].join(',');
    this.operationTimeoutMs = opts.operationTimeoutMs ?? 30_000;
    this.topicTimeoutMs = opts.topicTimeoutMs ?? 10_000;
    this.admin = new Kafka(kafkaConfig(opts)).admin();
    this.admin.on(this.admin.events.REQUEST, (e) => {
      const api = e.payload.apiName;
      this.wire[api] = (this.wire[api] ?? 0) + 1;
      this.wireMs[api] = (this.wireMs[api] ?? 0) + e.payload.duration;
    });
    const batching = {
      lingerMs: opts.lingerMs ?? 20,
      maxBatch: opts.maxBatch ?? 500,
      maxInFlight: opts.maxInFlight ?? 4,
    };
    if (!(batching.lingerMs >= 0)) throw new ConfigError('lingerMs must be 0 or more');
    if (!(batching.maxBatch >= 1)) throw new ConfigError('maxBatch must be at least 1');
    if (!(batching.maxInFlight >= 1)) throw new ConfigError('maxInFlight must be at least 1');
    if (!(this.operationTimeoutMs > 0)) throw new ConfigError('operationTimeoutMs must be greater than 0');
    const byName = (s: string): string => s;
    const byTopic = (i: { name: string }): string => i.name;
    this.describes = new Batcher(this.runner('describeTopic', describeBatch), byName, batching);
    this.creates = new Batcher(this.runner('createTopic', createBatch), byTopic, batching);
    this.alters = new Batcher(this.runner('alterTopicConfig', alterBatch), byTopic, batching);
    this.partitions = new Batcher(this.runner('createPartitions', partitionsBatch), byTopic, batching);
    this.deletes = new Batcher(this.runner('deleteTopic', deleteBatch), byName, batching);
  }

  clusterId(): Promise<string> {
    this.knownClusterId ??= this.bounded('clusterId', async () => {
      const { clusterId } = await this.admin.describeCluster();
      return clusterId;
    }).catch((err: unknown) => {
      this.knownClusterId = undefined;
      throw err;
    });
    return this.knownClusterId;
  }

  describeTopic(name: string): Promise<KafkaTopicState | undefined> {
    this.calls.describeTopic++;
    return this.describes.submit(name);
  }

  /**
   * Creates the topic, or reports `exists` (the controller's answer, authoritative even when a
   * broker's metadata lags). Calling this first, then describing only on `exists`, costs fewer
   * requests than describing first: a describe of a missing topic needs extra metadata requests.
   * `exists` is also reported for a topic created in the same batch as one that existed (kafkajs
   * does not say which existed); adopting and comparing is safe for both.
   */
  createTopic(spec: KafkaTopicSpec): Promise<'created' | 'exists'> {
    this.calls.createTopic++;
    return this.creates.submit(spec);
  }

  /**
   * Makes `set` the topic's complete dynamic configuration: the `reset` keys, and every other
   * dynamic setting not in `set`, return to their defaults (AlterConfigs replaces the whole set).
   * A key in both `set` and `reset` is set.
   */
  alterTopicConfig(
    name: string,
    set: Readonly<Record<string, string>>,
    _reset: readonly string[],
  ): Promise<void> {
    this.calls.alterTopicConfig++;
    return this.alters.submit({ name, config: { ...set } });
  }

  /** Raises the partition count to `count`; asking for the current count is a no-op. */
  createPartitions(name: string, count: number): Promise<void> {
    this.calls.createPartitions++;
    return this.partitions.submit({ name, count });
  }

  deleteTopic(name: string): Promise<boolean> {
    this.calls.deleteTopic++;
    return this.deletes.submit(name);
  }

  stats(): KafkaAdminStats {
    const batches: Record<KafkaOperation, number> = {
      describeTopic: this.describes.batches,
      createTopic: this.creates.batches,
      alterTopicConfig: this.alters.batches,
      createPartitions: this.partitions.batches,
      deleteTopic: this.deletes.batches,
    };
    return {
      calls: { ...this.calls },
      batches,
      requests: { ...this.requests },
      wire: { ...this.wire },
      wireMs: { ...this.wireMs },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = new BrokerUnavailableError(`the Kafka client for ${this.label} was closed`);
    for (const b of [this.describes, this.creates, this.alters, this.partitions, this.deletes])
      b.close(error);
    await this.admin.disconnect().catch(() => undefined);
  }

  private connect(): Promise<void> {
    this.connected ??= this.admin.connect().catch((err: unknown) => {
      this.connected = undefined;
      throw err;
    });
    return this.connected;
  }

  /** Wraps a batch function: connects first, bounds the whole batch, maps batch-wide errors. */
  private runner<I, O>(
    op: KafkaOperation,
    fn: (port: AdminPort, items: readonly I[]) => Promise<Settled<O>[]>,
  ): BatchRunner<I, O> {
    return (items) => this.bounded(op, () => fn(this.port, items));
  }

  /** Runs `call` once connected, within the operation deadline, with errors mapped. */
  private async bounded<T>(op: string, call: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new BrokerUnavailableError(
              `Kafka ${this.label} did not complete ${op} within ${this.operationTimeoutMs} ms`,
            ),
          ),
        this.operationTimeoutMs,
      );
    });
    try {
      return await Promise.race([this.connect().then(call), deadline]);
    } catch (err) {
      if (isUnavailable(err)) this.connected = undefined;
      throw toSluiceError(err, `${op} on Kafka ${this.label}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private count<T>(request: KafkaAdminRequest, call: () => Promise<T>): Promise<T> {
    this.requests[request]++;
    return call();
  }

  private readonly port: AdminPort = {
    createTopics: (topics, validateOnly = false) =>
      this.count(validateOnly ? 'validateTopics' : 'createTopics', () =>
        this.admin.createTopics({
          validateOnly,
          topics: topics.map((t) => ({
            topic: t.name,
            numPartitions: t.partitions,
            replicationFactor: t.replicationFactor,
            configEntries: Object.entries(t.config).map(([name, value]) => ({ name, value })),
          })),
          // kafkajs's leader wait fails the whole batch when a broker has not learnt a new topic yet.
          waitForLeaders: false,
          timeout: this.topicTimeoutMs,
        }),
      ),
    fetchTopicMetadata: (names) =>
      this.count('fetchTopicMetadata', async () => {
        const meta = await this.admin.fetchTopicMetadata(
          names === undefined ? undefined : { topics: [...names] },
        );
        return meta.topics;
      }),
    describeConfigs: (names) =>
      this.count('describeConfigs', async () => {
        const res = await this.admin.describeConfigs({
          resources: names.map((name) => ({ type: TOPIC_RESOURCE, name })),
          includeSynonyms: false,
        });
        return dynamicConfigs(res.resources);
      }),
    alterConfigs: (items) =>
      this.count('alterConfigs', async () => {
        await this.admin.alterConfigs({
          validateOnly: false,
          resources: items.map((i) => ({
            type: TOPIC_RESOURCE,
            name: i.name,
            configEntries: Object.entries(i.config).map(([name, value]) => ({ name, value })),
          })),
        });
      }),
    createPartitions: (items) =>
      this.count('createPartitions', async () => {
        await this.admin.createPartitions({
          topicPartitions: items.map((i) => ({ topic: i.name, count: i.count })),
          timeout: this.topicTimeoutMs,
        });
      }),
    deleteTopics: (names) =>
      this.count('deleteTopics', () =>
        this.admin.deleteTopics({ topics: [...names], timeout: this.topicTimeoutMs }),
      ),
  };
}
