/**
 * @module runtime
 * Sluice's function runtime: what a reconciler function imports. The kube client, the controller
 * builder (predicates, mappers, declarations), watch streams and reflectors, results and errors,
 * the queue contract, and the dispatcher and worker hosts that run declared functions.
 */
export * from './config.js';
export * from './errors.js';
export * from './log.js';
export * from './metrics.js';
export * from './registry.js';
export * from './result.js';
export * from './util.js';
export * from './kube/client.js';
export * from './kube/conditions.js';
export * from './kube/events.js';
export * from './kube/keys.js';
export * from './kube/object-ref.js';
export * from './kube/owner.js';
export * from './kube/resources.js';
export * from './kube/rest.js';
export * from './kube/types.js';
export * from './queue/enqueue.js';
export * from './queue/fairness.js';
export * from './queue/aging.js';
export * from './queue/options.js';
export * from './queue/payload.js';
export * from './queue/queues.js';
export * from './redis/endpoint.js';
export * from './redis/connection.js';
export * from './redis/check.js';
export * from './controller/context.js';
export * from './controller/mappers.js';
export * from './controller/predicates.js';
export * from './controller/declaration.js';
export * from './kube/connect.js';
export * from './kube/kubeconfig.js';
export * from './queue/settings.js';
export * from './kube/namespace.js';
export * from './controller/builder.js';
export * from './controller/tokens.js';
export * from './watch/watcher.js';
export * from './watch/stream.js';
export * from './watch/reflector.js';
export * from './watch/events.js';
export * from './watch/resume.js';
export * from './backoff.js';
export * from './quantity.js';
export * from './controller/modules.js';
export * from './dispatcher/dispatcher.js';
export type { DependencyContainer } from 'tsyringe';
export * from './controller/pause.js';
export * from './history/record.js';
export * from './history/queue-state.js';
export * from './history/reader.js';
