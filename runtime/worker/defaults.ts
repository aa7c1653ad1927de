/**
 * @module runtime/worker/defaults
 * Defaults of the worker host that the command line needs before it loads the host itself.
 */

/**
 * Reconciles at once per kind and process. A reconcile mostly waits on the API server and the
 * brokers, so one process keeps many in flight; broker admin calls made at the same time share
 * batches. Measured by `npm run bench`: 10 left 1,000 Tawon Streams and 10,000 Kafka topics
 * waiting in the queue while the worker's CPU idled.
 */
export const DEFAULT_CONCURRENCY = 50;
