/**
 * @module shared
 * The public surface of the shared code. `functions/` and `dispatcher/` import from here.
 */
export * from './config.js';
export * from './errors.js';
export * from './kinds.js';
export * from './log.js';
export * from './metrics.js';
export * from './registry.js';
export * from './result.js';
export * from './util.js';
export * from './validation.js';
export * from './kube/client.js';
export * from './kube/conditions.js';
export * from './kube/events.js';
export * from './kube/object-ref.js';
export * from './kube/owner.js';
export * from './kube/resources.js';
export * from './kube/rest.js';
export * from './kube/types.js';
export * from './queue/enqueue.js';
export * from './queue/options.js';
export * from './queue/payload.js';
export * from './queue/queues.js';
export * from './runtime/context.js';
export * from './runtime/mappers.js';
export * from './runtime/predicates.js';
export * from './runtime/registration.js';
export * from './brokers/types.js';
export * from './brokers/errors.js';
export * from './kube/connect.js';
export * from './kube/kubeconfig.js';
export * from './queue/settings.js';
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
export * from './brokers/fingerprint.js';
export * from './kube/namespace.js';
