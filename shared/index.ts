/**
 * @module shared
 * The operator's domain code shared by its functions: the kinds of the source documents, the
 * broker clients (Kafka, NATS JetStream), and the Streaming Runtime and Tawon helpers. The runtime
 * itself is `runtime/`.
 */
export * from './kinds.js';
export * from './brokers/types.js';
export * from './brokers/errors.js';
export * from './brokers/binding.js';
export * from './brokers/pool.js';
export * from './tawon/units.js';
export * from './tawon/limits.js';
export * from './tawon/store-name.js';
export * from './tanzu/index.js';
export * from './ownership/index.js';
export * from './brokers/failures.js';
export * from './brokers/kafka.js';
export * from './brokers/kafka-config.js';
export * from './brokers/nats.js';
export * from './brokers/rabbitmq.js';
export * from './brokers/fingerprint.js';
export * from './settings.js';
export * from './context.js';
