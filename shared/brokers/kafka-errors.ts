/**
 * @module brokers/kafka-errors
 * Maps kafkajs errors to Sluice's error classes. kafkajs errors are plain JavaScript classes
 * whose protocol errors carry a `type` (the Kafka error name) and whose retry wrappers carry the
 * original in `cause`, so the mapping walks the cause chain and reads `name` and `type`.
 */
import { OperatorError } from '../../runtime/errors.js';
import { BrokerUnavailableError } from './errors.js';
import {
  BrokerAuthError,
  BrokerOperationError,
  InvalidTopicConfigError,
  TopicDeletionDisabledError,
  TopicNotFoundError,
} from './failures.js';

/** Kafka error types that concern one topic of a batch rather than the whole request. */
export const TOPIC_ERROR_TYPES: ReadonlySet<string> = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'TOPIC_ALREADY_EXISTS',
  'INVALID_TOPIC_EXCEPTION',
  'INVALID_PARTITIONS',
  'INVALID_REPLICATION_FACTOR',
  'INVALID_REPLICA_ASSIGNMENT',
  'INVALID_CONFIG',
  'INVALID_REQUEST',
  'POLICY_VIOLATION',
  'TOPIC_AUTHORIZATION_FAILED',
  'TOPIC_DELETION_DISABLED',
]);

/** Kafka error types that mean the topic as specified can never be accepted. */
const INVALID_SPEC_TYPES: ReadonlySet<string> = new Set([
  'INVALID_TOPIC_EXCEPTION',
  'INVALID_PARTITIONS',
  'INVALID_REPLICATION_FACTOR',
  'INVALID_REPLICA_ASSIGNMENT',
  'INVALID_CONFIG',
  'INVALID_REQUEST',
  'POLICY_VIOLATION',
]);

/** Protocol errors that say the cluster is not (fully) there right now. */
const UNAVAILABLE_TYPES: ReadonlySet<string> = new Set([
  'NOT_CONTROLLER',
  'REQUEST_TIMED_OUT',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'BROKER_NOT_AVAILABLE',
  'NETWORK_EXCEPTION',
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_ENOUGH_REPLICAS',
  'KAFKA_STORAGE_ERROR',
  'THROTTLING_QUOTA_EXCEEDED',
]);

/** kafkajs error classes that mean the broker could not be reached or did not answer. */
const UNAVAILABLE_NAMES: ReadonlySet<string> = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSLockTimeout',
  'KafkaJSTimeout',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
]);

const AUTH_TYPES: ReadonlySet<string> = new Set([
  'SASL_AUTHENTICATION_FAILED',
  'ILLEGAL_SASL_STATE',
  'UNSUPPORTED_SASL_MECHANISM',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TOPIC_AUTHORIZATION_FAILED',
]);

interface ErrorLike {
  readonly name?: unknown;
  readonly type?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
}

/** The errors in `err`'s cause chain, outermost first (at most 8 deep). */
function chain(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let cur: unknown = err;
  while (typeof cur === 'object' && cur !== null && out.length < 8 && !out.includes(cur)) {
    out.push(cur);
    cur = (cur as ErrorLike).cause;
  }
  return out;
}

/** The Kafka protocol error type (for example `INVALID_CONFIG`) anywhere in the cause chain. */
export function kafkaErrorType(err: unknown): string | undefined {
  for (const e of chain(err)) if (typeof e.type === 'string') return e.type;
  return undefined;
}

/** Whether the error concerns single topics of a batch (so the batch can be split to find them). */
export function isTopicError(err: unknown): boolean {
  const type = kafkaErrorType(err);
  return type !== undefined && TOPIC_ERROR_TYPES.has(type);
}

/** Whether the error means the cluster could not be reached or did not answer. */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof BrokerUnavailableError) return true;
  return chain(err).some(
    (e) =>
      (typeof e.name === 'string' && UNAVAILABLE_NAMES.has(e.name)) ||
      (typeof e.type === 'string' && UNAVAILABLE_TYPES.has(e.type)) ||
      (typeof e.code === 'string' &&
        /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE)$/.test(
          e.code,
        )),
  );
}

function describe(err: unknown): string {
  const type = kafkaErrorType(err);
  const message = chain(err).find((e) => typeof e.message === 'string')?.message;
  const text = typeof message === 'string' ? message : 'unknown error';
  return type === undefined || text.includes(type) ? text : `${type}: ${text}`;
}

/**
 * Converts anything kafkajs threw into a Sluice error.
 * @param err what kafkajs threw (Sluice errors pass through unchanged).
 * @param what the operation, for the message (for example `create topic orders`).
 * @param topic the topic the error is about, when it is about one.
 */
export function toSluiceError(err: unknown, what: string, topic?: string): Error {
  if (err instanceof BrokerUnavailableError || err instanceof BrokerOperationError) return err;
  if (err instanceof OperatorError) return err;
  const type = kafkaErrorType(err);
  const names = chain(err).map((e) => e.name);
  if (topic !== undefined && type !== undefined) {
    if (INVALID_SPEC_TYPES.has(type)) {
      return new InvalidTopicConfigError(topic, `Kafka rejected it: ${describe(err)}`, { cause: err });
    }
    if (type === 'UNKNOWN_TOPIC_OR_PARTITION') return new TopicNotFoundError(topic, { cause: err });
    if (type === 'TOPIC_DELETION_DISABLED') return new TopicDeletionDisabledError(topic, { cause: err });
  }
  if ((type !== undefined && AUTH_TYPES.has(type)) || names.includes('KafkaJSSASLAuthenticationError')) {
    return new BrokerAuthError(`${what}: Kafka refused the credentials or the operation: ${describe(err)}`, {
      cause: err,
    });
  }
  if (isUnavailable(err)) {
    return new BrokerUnavailableError(`${what}: Kafka is unavailable: ${describe(err)}`, { cause: err });
  }
  return new BrokerOperationError('KafkaError', `${what}: ${describe(err)}`, { cause: err });
}
