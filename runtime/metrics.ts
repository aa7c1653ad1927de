/**
 * @module runtime/metrics
 * Prometheus metrics in controller-runtime's vocabulary. One {@link SluiceMetrics} per process;
 * the dispatcher and the workers each register what they observe, and `/metrics` serves the lot.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { token } from './controller/tokens.js';

/** The outcome label of `sluice_reconcile_total` (and of an alias's `_reconcile_total`). */
export type ReconcileResultLabel = 'success' | 'error' | 'terminal' | 'requeue_after' | 'paused';

/** The three reconcile series of one alias prefix: `<alias>_reconcile_{total,errors_total,duration_seconds}`. */
interface ReconcileSet {
  readonly total: Counter<'kind' | 'result'>;
  readonly errors: Counter<'kind'>;
  readonly duration: Histogram<'kind'>;
}

/**
 * What a worker records about the reconciles of one kind: the `sluice_reconcile_*` series, and
 * the same observations under the kind's declared alias (for example the StreamBus operator's
 * `streambus_operator_reconcile_*`, which its dashboards use), when it has one.
 */
export interface ReconcileSeries {
  /** Starts timing one reconcile; the returned function records its duration. */
  startTimer(): () => void;
  /** Counts a finished reconcile by its outcome. */
  count(result: ReconcileResultLabel): void;
  /** Counts a reconcile that ended in an error (retried or terminal). */
  error(): void;
}

/** A Prometheus metric name prefix: what an alias must look like. */
export const METRIC_PREFIX = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

const RECONCILE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class SluiceMetrics {
  readonly registry = new Registry();
  private readonly aliases = new Map<string, ReconcileSet>();

  readonly reconcileTotal = new Counter({
    name: 'sluice_reconcile_total',
    help: 'Reconciles finished, by kind and result (success, error, terminal, requeue_after, paused).',
    labelNames: ['kind', 'result'] as const,
    registers: [this.registry],
  });

  readonly reconcileErrors = new Counter({
    name: 'sluice_reconcile_errors_total',
    help: 'Reconciles that ended in an error (retried or terminal), by kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly reconcileDuration = new Histogram({
    name: 'sluice_reconcile_duration_seconds',
    help: 'Time spent in one reconcile, by kind.',
    labelNames: ['kind'] as const,
    buckets: RECONCILE_BUCKETS,
    registers: [this.registry],
  });

  readonly queueWait = new Histogram({
    name: 'sluice_queue_wait_seconds',
    help: 'Time from enqueue to the start of the reconcile, by kind.',
    labelNames: ['kind'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  readonly queueDepth = new Gauge({
    name: 'sluice_queue_depth',
    help: 'Jobs per queue state (waiting, prioritized, active, delayed, failed), by kind.',
    labelNames: ['kind', 'state'] as const,
    registers: [this.registry],
  });

  readonly queueOldestPrioritized = new Gauge({
    name: 'sluice_queue_oldest_prioritized_seconds',
    help: 'How long the oldest job at the head of a priority level (resync, fairness overflow) has waited, by kind; aging moves it on past SLUICE_QUEUE_MAX_WAIT_SECONDS.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly queueAged = new Counter({
    name: 'sluice_queue_aged_total',
    help: 'Prioritized jobs moved to the front of the wait list because they waited longer than SLUICE_QUEUE_MAX_WAIT_SECONDS, by kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly watchEvents = new Counter({
    name: 'sluice_watch_events_total',
    help: 'Watch events received, by kind and type (apply, delete, bookmark, relist).',
    labelNames: ['kind', 'type'] as const,
    registers: [this.registry],
  });

  readonly watchRestarts = new Counter({
    name: 'sluice_watch_restarts_total',
    help: 'Watches restarted after an error or a 410 Gone, by kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly watchLastEvent = new Gauge({
    name: 'sluice_watch_last_event_timestamp_seconds',
    help: 'Unix time of the last event (or bookmark) received, by kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly watchUp = new Gauge({
    name: 'sluice_watch_up',
    help: '1 while the watch of a kind is established, 0 while it is listing or backing off.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly drift = new Counter({
    name: 'sluice_drift_total',
    help: "Settings found changed on a broker behind Sluice's back (healed, or reported in read-only mode), by kind and setting.",
    labelNames: ['kind', 'setting'] as const,
    registers: [this.registry],
  });

  readonly enqueued = new Counter({
    name: 'sluice_enqueued_total',
    help: 'Reconcile requests sent to the queues, by kind and reason.',
    labelNames: ['kind', 'reason'] as const,
    registers: [this.registry],
  });

  readonly redisRecoveries = new Counter({
    name: 'sluice_redis_recoveries_total',
    help: 'Recoveries after Redis changed primary (writes may have been lost), by queue and cause (restart, switch-master, cluster-failover).',
    labelNames: ['queue', 'cause'] as const,
    registers: [this.registry],
  });

  readonly leader = new Gauge({
    name: 'sluice_leader',
    help: '1 when this dispatcher holds the leader Lease.',
    registers: [this.registry],
  });

  /** The alias's three series, registered once per process beside the sluice_* ones. */
  private aliasSet(alias: string): ReconcileSet {
    let set = this.aliases.get(alias);
    if (!set) {
      set = {
        total: new Counter({
          name: `${alias}_reconcile_total`,
          help: `Reconciles finished, by kind and result (success, error, terminal, requeue_after); the same counts as sluice_reconcile_total, under the ${alias} name.`,
          labelNames: ['kind', 'result'] as const,
          registers: [this.registry],
        }),
        errors: new Counter({
          name: `${alias}_reconcile_errors_total`,
          help: `Reconciles that ended in an error (retried or terminal), by kind; as sluice_reconcile_errors_total.`,
          labelNames: ['kind'] as const,
          registers: [this.registry],
        }),
        duration: new Histogram({
          name: `${alias}_reconcile_duration_seconds`,
          help: `Time spent in one reconcile, by kind; as sluice_reconcile_duration_seconds.`,
          labelNames: ['kind'] as const,
          buckets: RECONCILE_BUCKETS,
          registers: [this.registry],
        }),
      };
      this.aliases.set(alias, set);
    }
    return set;
  }

  /**
   * The reconcile series of `kind`, also recorded under `alias` when given (see
   * {@link ReconcileSeries}). Cheap: the alias's metrics are made once per process.
   */
  reconcileSeries(kind: string, alias?: string): ReconcileSeries {
    const label = { kind };
    const extra = alias === undefined ? undefined : this.aliasSet(alias);
    return {
      startTimer: () => {
        const stops = [this.reconcileDuration.startTimer(label), extra?.duration.startTimer(label)];
        return () => {
          for (const stop of stops) stop?.();
        };
      },
      count: (result) => {
        this.reconcileTotal.inc({ ...label, result });
        extra?.total.inc({ ...label, result });
      },
      error: () => {
        this.reconcileErrors.inc(label);
        extra?.errors.inc(label);
      },
    };
  }

  /** Adds Node.js process metrics (heap, event loop lag, RSS). */
  withProcessMetrics(): this {
    collectDefaultMetrics({ register: this.registry, prefix: 'sluice_process_' });
    return this;
  }
}

/**
 * The process's metrics, as a need: a function that counts something of its own (Sluice's drift
 * counter) declares `{ metrics: SLUICE_METRICS }`. The worker host provides it.
 */
export const SLUICE_METRICS = token<SluiceMetrics>('the process metrics');
