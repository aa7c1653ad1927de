/**
 * @module runtime/worker/kind-worker-options
 * What a `KindWorker` is configured with (its options) and built from (its dependencies).
 */
import type { HistorySettings } from '../config.js';
import type { EventRecorder } from '../kube/events.js';
import type { KubeClient } from '../kube/client.js';
import type { Logger } from '../log.js';
import type { SluiceMetrics } from '../metrics.js';
import type { BackoffOptions } from '../queue/options.js';

export interface KindWorkerOptions {
  readonly redisUrl: string;
  /** BullMQ key prefix. @defaultValue `sluice` */
  readonly prefix?: string;
  /** Reconciles run at once by this process for this kind. @defaultValue `DEFAULT_CONCURRENCY` */
  readonly concurrency?: number;
  /** The job lease; a worker that stops renewing it for this long loses the job. @defaultValue 30000 */
  readonly lockDurationMs?: number;
  /** How often stalled jobs (dead workers) are looked for. @defaultValue 15000 */
  readonly stalledIntervalMs?: number;
  /** Stalls tolerated over a job's life (the counter never resets). @defaultValue 1000 */
  readonly maxStalledCount?: number;
  /** Retry delays. @defaultValue 5 ms doubling to 1000 s (client-go) */
  readonly backoff?: BackoffOptions;
  /**
   * After the Redis connection comes back, how long to wait before taking jobs again, so that
   * reconciles aborted in other workers when it dropped have finished (their leases may be gone).
   * This worker also waits until its own aborted reconciles have ended. @defaultValue 2000
   */
  readonly reconnectGraceMs?: number;
  /** `SluiceConfig.namespace`, named in the condition when an object fails because it is missing. */
  readonly operatorNamespace?: string;
  /** How much reconcile history to keep per object. @defaultValue `DEFAULT_HISTORY` */
  readonly history?: HistorySettings;
  /** This process in history records. @defaultValue the host name and pid */
  readonly identity?: string;
}

export interface KindWorkerDeps {
  readonly kube: KubeClient;
  /** The values of the needs the function declared, added to its context under their names. */
  readonly needs?: object;
  readonly metrics: SluiceMetrics;
  readonly log: Logger;
  readonly events: EventRecorder;
}
