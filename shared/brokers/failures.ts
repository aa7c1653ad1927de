/**
 * @module brokers/failures
 * The errors broker operations throw besides {@link BrokerUnavailableError} (see `errors.ts`).
 * Classify with `instanceof` or `reason`, never by message. Messages name objects (a Secret, a
 * key, a topic) and never carry a credential or any other secret value.
 */
import { RetryableError, TerminalError } from '../../runtime/errors.js';

/**
 * A Service Binding Secret cannot be used as written: a key is missing, malformed or contradicts
 * another. Reason `InvalidBinding`; the message names the Secret and the key, never a value.
 */
export class InvalidBindingError extends TerminalError {
  /** `namespace/name` of the Secret. */
  readonly secret: string;
  /** The offending key, when one key is to blame. */
  readonly key: string | undefined;

  constructor(secret: string, key: string | undefined, problem: string) {
    super('InvalidBinding', `binding Secret ${secret}: ${key === undefined ? '' : `key ${key}: `}${problem}`);
    this.secret = secret;
    this.key = key;
  }
}

/**
 * Kafka refused a topic as specified (invalid setting, replication factor above the broker count,
 * bad partition count, illegal name). Reason `InvalidTopicConfig`; retrying cannot help.
 */
export class InvalidTopicConfigError extends TerminalError {
  readonly topic: string;

  constructor(topic: string, problem: string, options?: { cause?: unknown }) {
    super('InvalidTopicConfig', `topic ${topic}: ${problem}`, options);
    this.topic = topic;
  }
}

/** Kafka has topic deletion switched off (`delete.topic.enable=false`). Reason `TopicDeletionDisabled`. */
export class TopicDeletionDisabledError extends TerminalError {
  readonly topic: string;

  constructor(topic: string, options?: { cause?: unknown }) {
    super('TopicDeletionDisabled', `topic ${topic}: the cluster does not allow topic deletion`, options);
    this.topic = topic;
  }
}

/** An operation needed a topic that does not exist (yet). Reason `TopicNotFound`; retried. */
export class TopicNotFoundError extends RetryableError {
  readonly topic: string;

  constructor(topic: string, options?: { cause?: unknown }) {
    super('TopicNotFound', `topic ${topic} does not exist`, options);
    this.topic = topic;
  }
}

/**
 * The broker rejected the credentials or denied the operation (SASL failure, ACL, NATS
 * authorization violation). Reason `BrokerAuthFailed`; retried, since an administrator can fix
 * the broker side without touching the object.
 */
export class BrokerAuthError extends RetryableError {
  constructor(what: string, options?: { cause?: unknown }) {
    super('BrokerAuthFailed', what, options);
  }
}

/** Any other error a broker answered with. Reason `KafkaError`, `NatsError` or `RabbitMQError`; retried. */
export class BrokerOperationError extends RetryableError {
  constructor(
    reason: 'KafkaError' | 'NatsError' | 'RabbitMQError',
    what: string,
    options?: { cause?: unknown },
  ) {
    super(reason, what, options);
  }
}
