/**
 * @module runtime/dispatcher/leader
 * Leader election on a coordination.k8s.io Lease, with client-go's timing (15 s lease, 10 s renew
 * deadline, 2 s retry). Only the leader watches and enqueues; enqueueing is idempotent, so the
 * short overlap a failover can cause is harmless.
 *
 * Expiry is judged by the local time at which this candidate last saw the lease record change
 * (as client-go does), not by the timestamps in the record, so clock skew between pods does not
 * matter. A leader that cannot renew within the renew deadline steps down. A standby tries again
 * every retry period, and also at the moment the lease it watches would expire, so a dead leader
 * is replaced within lease duration + one retry period of its last renewal (client-go waits up to
 * one more retry period).
 */
import { KubeApiError, messageOf } from '../errors.js';
import { type KubeClient } from '../kube/client.js';
import { Builtin } from '../kube/resources.js';
import { type KubeObject } from '../kube/types.js';
import { type Logger } from '../log.js';
import { pause } from '../util.js';

export interface LeaderElectionOptions {
  readonly namespace: string;
  /** @defaultValue `sluice-dispatcher` */
  readonly name?: string;
  readonly identity: string;
  /** @defaultValue 15000 */
  readonly leaseDurationMs?: number;
  /** @defaultValue 10000 */
  readonly renewDeadlineMs?: number;
  /** @defaultValue 2000 */
  readonly retryPeriodMs?: number;
}

export interface LeaderCallbacks {
  /** Called when this candidate becomes leader; `signal` aborts when it stops leading. */
  onStartedLeading(signal: AbortSignal): void;
  onStoppedLeading(): void;
  /** Called after every attempt, once its outcome is acted on: whether this candidate leads now. */
  onAttempt?(leading: boolean): void;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

type Lease = KubeObject & { spec?: LeaseSpec };

const microTime = (d: Date): string => d.toISOString().replace('Z', '000Z');

export class LeaderElector {
  private observedRecord = '';
  private observedAt = 0;
  /** When the lease another candidate holds expires, by this candidate's clock; 0 when none. */
  private othersExpireAt = 0;
  private leading = false;
  private current: Lease | undefined;

  constructor(
    private readonly kube: KubeClient,
    private readonly opts: LeaderElectionOptions,
    private readonly log: Logger,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  private get name(): string {
    return this.opts.name ?? 'sluice-dispatcher';
  }

  private get leaseMs(): number {
    return this.opts.leaseDurationMs ?? 15_000;
  }

  /** One attempt to acquire or renew; resolves whether this candidate holds the lease now. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const mine: LeaseSpec = {
      holderIdentity: this.opts.identity,
      leaseDurationSeconds: Math.ceil(this.leaseMs / 1000),
      renewTime: microTime(now),
    };
    const lease = await this.kube.get<Lease>(Builtin.Lease, this.opts.namespace, this.name);
    if (!lease) {
      this.current = await this.kube.create<Lease>(Builtin.Lease, {
        metadata: { name: this.name, namespace: this.opts.namespace },
        spec: { ...mine, acquireTime: microTime(now), leaseTransitions: 0 },
      });
      this.observe(this.current, now);
      return true;
    }
    const spec = lease.spec ?? {};
    this.observe(lease, now);
    const holder = spec.holderIdentity ?? '';
    const durationMs = (spec.leaseDurationSeconds ?? 15) * 1000;
    const expired = now.getTime() - this.observedAt > durationMs;
    this.othersExpireAt = holder && holder !== this.opts.identity ? this.observedAt + durationMs : 0;
    if (holder && holder !== this.opts.identity && !expired) return false;
    const takeover = holder !== this.opts.identity;
    const next: LeaseSpec = {
      ...mine,
      acquireTime: takeover ? microTime(now) : (spec.acquireTime ?? microTime(now)),
      leaseTransitions: (spec.leaseTransitions ?? 0) + (takeover ? 1 : 0),
    };
    this.current = await this.kube.rest.request<Lease>({
      method: 'PUT',
      path: `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.opts.namespace)}/leases/${encodeURIComponent(this.name)}`,
      body: { ...lease, spec: next },
    });
    this.observe(this.current, now);
    return true;
  }

  private observe(lease: Lease, now: Date): void {
    const record = JSON.stringify(lease.spec ?? {});
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedAt = now.getTime();
    }
  }

  /** Gives the lease up (on graceful shutdown) so a standby takes over at once. */
  private async release(): Promise<void> {
    const lease = this.current;
    if (!lease || lease.spec?.holderIdentity !== this.opts.identity) return;
    await this.kube.rest
      .request({
        method: 'PUT',
        path: `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.opts.namespace)}/leases/${encodeURIComponent(this.name)}`,
        body: {
          ...lease,
          spec: {
            ...lease.spec,
            holderIdentity: '',
            leaseDurationSeconds: 1,
            renewTime: microTime(new Date()),
          },
        },
      })
      .catch((err: unknown) => this.log.warn({ err: messageOf(err) }, 'could not release the leader lease'));
  }

  /** Campaigns until `signal` aborts, calling back on every change of leadership. */
  async run(signal: AbortSignal, callbacks: LeaderCallbacks): Promise<void> {
    const retry = this.opts.retryPeriodMs ?? 2_000;
    const deadline = this.opts.renewDeadlineMs ?? 10_000;
    let term: AbortController | undefined;
    let lastRenew = 0;
    while (!signal.aborted) {
      let held = false;
      try {
        held = await this.tryAcquireOrRenew();
        if (held) lastRenew = Date.now();
      } catch (err) {
        if (!(err instanceof KubeApiError && err.isConflict))
          this.log.warn({ err: messageOf(err) }, 'leader election attempt failed');
      }
      const stillLeading = held || (this.leading && Date.now() - lastRenew < deadline);
      if (stillLeading && !this.leading) {
        this.leading = true;
        term = new AbortController();
        this.log.info({ identity: this.opts.identity }, 'became leader');
        callbacks.onStartedLeading(term.signal);
      } else if (!stillLeading && this.leading) {
        this.leading = false;
        term?.abort();
        this.log.warn({ identity: this.opts.identity }, 'lost leadership');
        callbacks.onStoppedLeading();
      }
      callbacks.onAttempt?.(this.leading);
      // A standby wakes just past the watched lease's expiry when that comes before the next try.
      const untilExpiry = this.othersExpireAt - Date.now() + 20;
      await pause(this.othersExpireAt > 0 && untilExpiry > 0 ? Math.min(retry, untilExpiry) : retry, signal);
    }
    if (this.leading) {
      this.leading = false;
      term?.abort();
      callbacks.onStoppedLeading();
      await this.release();
    }
  }
}
