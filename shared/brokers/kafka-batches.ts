/**
 * @module brokers/kafka-batches
 * One function per admin operation that serves a whole batch of callers with as few Kafka admin
 * requests as possible, and routes each topic's outcome back to its caller.
 *
 * kafkajs reports per-topic errors only for CreateTopics; for the other requests it throws the
 * first topic error without naming the topic. So a batch that fails with a topic-level error is
 * split in halves until the failing topics are isolated (a few extra requests, only on errors).
 * Describe settles existence from metadata first, so that a missing topic (common: reconcilers
 * describe before they create) does not split its batch.
 */
import { backoffDelay, type BackoffPolicy } from '../../runtime/backoff.js';
import { delay } from '../../runtime/util.js';
import { failed, ok, type Settled } from './batcher.js';
import { InvalidTopicConfigError } from './failures.js';
import { isTopicError, kafkaErrorType, toSluiceError } from './kafka-errors.js';
import {
  awaitVisible,
  existingTopics,
  isTopicName,
  type AdminPort,
  type PartitionChange,
  type TopicConfigChange,
} from './kafka-metadata.js';
import type { KafkaTopicSpec, KafkaTopicState } from './types.js';

/**
 * Runs `attempt` on the batch; when it fails with a topic-level error, splits the batch in halves
 * (in parallel) until single topics remain, which `leaf` settles. Other errors fail the batch.
 */
async function splitOnTopicErrors<I, O>(
  items: readonly I[],
  attempt: (batch: readonly I[]) => Promise<readonly Settled<O>[]>,
  leaf: (item: I, err: unknown) => Promise<Settled<O>>,
): Promise<Settled<O>[]> {
  try {
    return [...(await attempt(items))];
  } catch (err) {
    const [only] = items;
    if (!isTopicError(err)) throw err;
    if (items.length === 1 && only !== undefined) return [await leaf(only, err)];
    const mid = Math.ceil(items.length / 2);
    const halves = await Promise.all([
      splitOnTopicErrors(items.slice(0, mid), attempt, leaf),
      splitOnTopicErrors(items.slice(mid), attempt, leaf),
    ]);
    return halves.flat();
  }
}

/**
 * Creates the topics, one CreateTopics request for the batch; TOPIC_ALREADY_EXISTS → `exists`.
 *
 * kafkajs answers `false` when every topic that failed already existed, without naming them, so
 * one existing topic in a batch would hide which others were created. A batch of several topics
 * is therefore checked first with a validate-only request (Kafka checks without creating), and
 * the real request holds only the topics that did not exist: its answer is exact. A topic created
 * by someone else between the two requests is reported `exists`, as it should be.
 */
export async function createBatch(
  port: AdminPort,
  specs: readonly KafkaTopicSpec[],
): Promise<Settled<'created' | 'exists'>[]> {
  const results = new Map<string, Settled<'created' | 'exists'>>();
  const valid: KafkaTopicSpec[] = [];
  for (const spec of specs) {
    const problem = specProblem(spec);
    if (problem === undefined) valid.push(spec);
    else results.set(spec.name, failed(new InvalidTopicConfigError(spec.name, problem)));
  }
  const existing = valid.length > 1 ? await existingAmong(port, valid) : new Set<string>();
  for (const name of existing) results.set(name, ok('exists'));
  const fresh = valid.filter((s) => !existing.has(s.name));
  if (fresh.length > 0) {
    try {
      const created = await port.createTopics(fresh);
      for (const s of fresh) results.set(s.name, ok(created ? 'created' : 'exists'));
    } catch (err) {
      const perTopic = topicErrors(err);
      if (perTopic === undefined) throw err;
      for (const s of fresh) {
        const e = perTopic.get(s.name);
        if (e === undefined) results.set(s.name, ok('created'));
        else if (kafkaErrorType(e) === 'TOPIC_ALREADY_EXISTS') results.set(s.name, ok('exists'));
        else results.set(s.name, failed(toSluiceError(e, `create topic ${s.name}`, s.name)));
      }
    }
  }
  const created = [...results].filter(([, r]) => r.ok && r.value === 'created').map(([name]) => name);
  if (created.length > 0) await awaitVisible(port, created);
  return specs.map((s) => results.get(s.name) ?? failed(new Error(`internal: no result for ${s.name}`)));
}

/**
 * The topics of `specs` that already exist, by validate-only CreateTopics: one request for the
 * batch, and one per topic only when kafkajs hides which ones exist (some do, and no other error).
 */
async function existingAmong(port: AdminPort, specs: readonly KafkaTopicSpec[]): Promise<Set<string>> {
  const alreadyExists = (e: unknown): boolean => kafkaErrorType(e) === 'TOPIC_ALREADY_EXISTS';
  try {
    if (await port.createTopics(specs, true)) return new Set();
  } catch (err) {
    const perTopic = topicErrors(err);
    if (perTopic === undefined) throw err;
    // Other per-topic errors are left to the real request, which reports them for their topic.
    return new Set([...perTopic].filter(([, e]) => alreadyExists(e)).map(([name]) => name));
  }
  const exists = await Promise.all(
    specs.map((s) =>
      port.createTopics([s], true).then(
        (wouldCreate) => !wouldCreate,
        (err: unknown) => alreadyExists(topicErrors(err)?.get(s.name) ?? err),
      ),
    ),
  );
  return new Set(specs.filter((_, i) => exists[i]).map((s) => s.name));
}

/** Describes the topics: one metadata request (two when some are missing) and one DescribeConfigs. */
export async function describeBatch(
  port: AdminPort,
  names: readonly string[],
): Promise<Settled<KafkaTopicState | undefined>[]> {
  const meta = await existingTopics(port, names);
  const present = [...meta.keys()];
  const settled = await splitOnTopicErrors<string, Record<string, string> | undefined>(
    present,
    async (batch) => {
      if (batch.length === 0) return [];
      const found = await port.describeConfigs(batch);
      return batch.map((n) => ok(found.get(n) ?? {}));
    },
    (name, err) =>
      Promise.resolve(
        kafkaErrorType(err) === 'UNKNOWN_TOPIC_OR_PARTITION'
          ? ok(undefined) // deleted between the two requests
          : failed(toSluiceError(err, `describe topic ${name}`, name)),
      ),
  );
  const configs = new Map(present.map((n, i) => [n, settled[i]]));
  return names.map((name): Settled<KafkaTopicState | undefined> => {
    const m = meta.get(name);
    const c = configs.get(name);
    if (m === undefined || c === undefined) return ok(undefined);
    if (!c.ok) return c;
    if (c.value === undefined) return ok(undefined);
    const replicationFactor = Math.max(0, ...m.partitions.map((p) => p.replicas.length));
    return ok({ name, partitions: m.partitions.length, replicationFactor, config: c.value });
  });
}

/**
 * Deletes the topics; a topic Kafka does not know → `false`.
 *
 * DeleteTopics is not atomic and kafkajs reports only its first error (and retries the whole
 * request on it), so a request mixing existing and missing topics would hide which were deleted.
 * Topics that metadata shows therefore go in one request; the others (missing, or created a
 * moment ago and not yet known to the broker) each get their own request, so that the controller,
 * which is authoritative, answers for each. A race with another deleter can still turn `true`
 * into `false`; either way the topic is gone.
 */
export async function deleteBatch(port: AdminPort, names: readonly string[]): Promise<Settled<boolean>[]> {
  const legal = [...new Set(names.filter(isTopicName))];
  const known = await existingTopics(port, legal);
  const attempt = async (batch: readonly string[]): Promise<Settled<boolean>[]> => {
    if (batch.length > 0) await port.deleteTopics(batch);
    return batch.map(() => ok(true));
  };
  const leaf = (name: string, err: unknown): Promise<Settled<boolean>> =>
    Promise.resolve(
      kafkaErrorType(err) === 'UNKNOWN_TOPIC_OR_PARTITION'
        ? ok(false)
        : failed(toSluiceError(err, `delete topic ${name}`, name)),
    );
  const present = legal.filter((n) => known.has(n));
  const unseen = legal.filter((n) => !known.has(n));
  const [presentResults, unseenResults] = await Promise.all([
    splitOnTopicErrors(present, attempt, leaf),
    Promise.all(unseen.map((n) => splitOnTopicErrors([n], attempt, leaf))),
  ]);
  const byName = new Map<string, Settled<boolean> | undefined>([
    ...present.map((n, i): [string, Settled<boolean> | undefined] => [n, presentResults[i]]),
    ...unseen.map((n, i): [string, Settled<boolean> | undefined] => [n, unseenResults[i]?.[0]]),
  ]);
  return names.map((n) => byName.get(n) ?? ok(false));
}

/** Replaces each topic's dynamic settings in one AlterConfigs request. */
export async function alterBatch(
  port: AdminPort,
  items: readonly TopicConfigChange[],
): Promise<Settled<void>[]> {
  return splitOnTopicErrors<TopicConfigChange, void>(
    items,
    async (batch) => {
      await port.alterConfigs(batch);
      return batch.map(() => ok(undefined));
    },
    (item, err) => Promise.resolve(failed(toSluiceError(err, `alter topic ${item.name}`, item.name))),
  );
}

/** Raises partition counts in one CreatePartitions request; asking for the current count succeeds. */
export async function partitionsBatch(
  port: AdminPort,
  items: readonly PartitionChange[],
): Promise<Settled<void>[]> {
  return splitOnTopicErrors<PartitionChange, void>(
    items,
    async (batch) => {
      await port.createPartitions(batch);
      return batch.map(() => ok(undefined));
    },
    async (item, err) => {
      if (kafkaErrorType(err) === 'INVALID_PARTITIONS') {
        const current = await settledPartitionCount(port, item);
        if (current === item.count) return ok(undefined);
        if (current !== undefined && current > item.count) {
          const problem = `Kafka cannot lower partitions from ${current} to ${item.count}`;
          return failed(new InvalidTopicConfigError(item.name, problem, { cause: err }));
        }
      }
      return failed(toSluiceError(err, `create partitions of topic ${item.name}`, item.name));
    },
  );
}

/** 0.1 s doubling, no jitter: seven waits add up to 12.7 s. */
const SETTLE_BACKOFF: BackoffPolicy = { initialMs: 100, maxMs: 6_400 };

/**
 * The partition count after a refused CreatePartitions. Brokers learn changes from the controller
 * asynchronously (several seconds on a loaded machine), so a count just raised to `count` may
 * still read lower: poll with backoff for up to about 12 s (only on this error path) until it
 * reaches `count`.
 */
async function settledPartitionCount(port: AdminPort, item: PartitionChange): Promise<number | undefined> {
  let current: number | undefined;
  for (let attempt = 0; attempt < 8; attempt++) {
    if (attempt > 0) await delay(backoffDelay(attempt, SETTLE_BACKOFF));
    current = (await existingTopics(port, [item.name])).get(item.name)?.partitions.length;
    if (current === undefined || current >= item.count) break;
  }
  return current;
}

function specProblem(spec: KafkaTopicSpec): string | undefined {
  if (!isTopicName(spec.name)) return 'the name must be 1-249 characters of [A-Za-z0-9._-], not . or ..';
  if (!Number.isInteger(spec.partitions) || spec.partitions < 1) return 'partitions must be an integer ≥ 1';
  if (
    !Number.isInteger(spec.replicationFactor) ||
    spec.replicationFactor < 1 ||
    spec.replicationFactor > 32767
  ) {
    return 'replicationFactor must be an integer between 1 and 32767';
  }
  return undefined;
}

/** The per-topic errors of a CreateTopics KafkaJSAggregateError; `undefined` for any other error. */
function topicErrors(err: unknown): Map<string, unknown> | undefined {
  const errors = (err as { name?: unknown; errors?: unknown } | null)?.errors;
  if ((err as { name?: unknown } | null)?.name !== 'KafkaJSAggregateError' || !Array.isArray(errors)) {
    return undefined;
  }
  const out = new Map<string, unknown>();
  for (const e of errors as unknown[]) {
    const topic = (e as { topic?: unknown } | null)?.topic;
    if (typeof topic === 'string') out.set(topic, e);
  }
  return out.size > 0 ? out : undefined;
}
