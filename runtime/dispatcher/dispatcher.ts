/**
 * @module runtime/dispatcher/dispatcher
 * The dispatcher: while it leads, it watches every kind the controllers need (shared watches),
 * turns their events into reconcile requests, resyncs periodically, persists how far each watch
 * got, and re-enqueues everything if Redis loses its data.
 */
import { setMaxListeners } from 'node:events';
import type { RedisClient } from '../redis/connection.js';
import { messageOf } from '../errors.js';
import { type KubeClient } from '../kube/client.js';
import { refOf, type ObjectRef } from '../kube/object-ref.js';
import type { KubeObject } from '../kube/types.js';
import type { StoreLookup } from '../controller/mappers.js';
import { type Logger } from '../log.js';
import { type SluiceMetrics } from '../metrics.js';
import { type Enqueuer } from '../queue/enqueue.js';
import { pause } from '../util.js';
import { EnqueueBatcher, type BatcherOptions } from '../queue/batcher.js';
import type { ControllerSpec } from '../controller/builder.js';
import { SourceHub, type SourceHealth } from './hub.js';
import { LeaderElector, type LeaderElectionOptions } from './leader.js';
import { runResync, type ResyncTarget } from './resync.js';
import { untilStoreReady } from './gate.js';
import { DispatcherState } from './state.js';
import { PrimaryWatch } from '../redis/primary.js';
import { recover } from './recovery.js';
import { runAging } from '../queue/aging.js';
import { runStreams, wireController, type Sink } from './wiring.js';

/** How long after the last watch opens its replayed events are given to arrive before the start counts as over. */
const REPLAY_SETTLE_MS = 10;

export interface DispatcherOptions {
  /** Period of the full resync. @defaultValue 600 s */
  readonly resyncSeconds?: number;
  /**
   * Aging (`runtime/queue/aging.ts`): the longest a prioritized job waits before it is moved to
   * the front of the wait list; 0 turns aging off. @defaultValue {@link resyncSeconds}
   */
  readonly maxWaitSeconds?: number;
  /** Leader election; `undefined` means this dispatcher always leads (single instance, tests). */
  readonly leaderElection?: LeaderElectionOptions;
  readonly batcher?: BatcherOptions;
  /** How often watch progress is saved and Redis is checked for data loss. @defaultValue 2000 ms */
  readonly checkpointMs?: number;
  /** The BullMQ prefix (the dispatcher's own keys live under it). @defaultValue `sluice` */
  readonly prefix?: string;
  /** Watch namespaced kinds in this namespace only, and enqueue only objects there. @defaultValue all namespaces */
  readonly namespace?: string;
  /** Called after Redis lost its data, to restore queue settings. */
  readonly onRedisDataLoss?: () => Promise<void>;
  /**
   * The Redis topology (`SluiceConfig.redis.mode`), for noticing a change of primary: a Sentinel
   * switch, a Cluster failover, a restart. @defaultValue `single`
   */
  readonly redisMode?: 'single' | 'sentinel' | 'cluster';
  /**
   * Limits this dispatcher to some objects (several operators sharing one API server, a demo): an
   * event on an object outside it triggers nothing, and no reference outside it is enqueued (by an
   * event, a resync or a re-list). @defaultValue everything
   */
  readonly scope?: DispatchScope;
}

/** What a dispatcher limited by {@link DispatcherOptions.scope} acts on. */
export interface DispatchScope {
  /** Whether an event on this object (of any watched kind) may trigger reconciles. */
  objects(obj: KubeObject): boolean;
  /** Whether this reference may be enqueued; `stores` are the dispatcher's caches. */
  refs(ref: ObjectRef, stores: StoreLookup): boolean;
}

export interface DispatcherDeps {
  readonly kube: KubeClient;
  readonly enqueuer: Enqueuer;
  readonly redis: RedisClient;
  readonly metrics: SluiceMetrics;
  readonly log: Logger;
}

export interface DispatcherHealth {
  readonly leader: boolean;
  readonly sources: readonly SourceHealth[];
  readonly pending: number;
}

export class Dispatcher {
  private readonly stop$ = new AbortController();
  private running: Promise<void> | undefined;
  private hubNow: SourceHub | undefined;
  private batcherNow: EnqueueBatcher | undefined;
  private leading = false;
  private term: Promise<void> | undefined;
  private readonly state: DispatcherState;
  private readonly primary: PrimaryWatch;
  private markStarted: () => void = () => undefined;
  private readonly started: Promise<void> = new Promise((resolve) => (this.markStarted = resolve));

  constructor(
    private readonly deps: DispatcherDeps,
    private readonly specs: readonly ControllerSpec[],
    private readonly opts: DispatcherOptions = {},
  ) {
    this.state = new DispatcherState(deps.redis, opts.prefix ?? 'sluice');
    this.primary = new PrimaryWatch(deps.redis, opts.redisMode ?? 'single');
  }

  /** The current leader term's shared sources (undefined while standing by). */
  get hub(): SourceHub | undefined {
    return this.hubNow;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  health(): DispatcherHealth {
    return {
      leader: this.leading,
      sources: this.hubNow?.all().map((s) => s.health()) ?? [],
      pending: this.batcherNow?.size ?? 0,
    };
  }

  /**
   * Resolves once the start is over: the first election attempt made this dispatcher a standby,
   * or, as leader, every watch is open and what they replayed at once is in Redis (or it stopped).
   * A watch that cannot open keeps it pending: callers bound the wait. What is loaded after it
   * (the HTTP app) then takes no CPU from the resumed watches on the way to their first enqueue.
   */
  whenStarted(): Promise<void> {
    return this.started;
  }

  /** Starts campaigning (or leading at once without leader election). */
  start(): void {
    if (this.running) return;
    const signal = this.stop$.signal;
    const election = this.opts.leaderElection;
    if (!election) {
      this.running = this.lead(signal);
      return;
    }
    const elector = new LeaderElector(this.deps.kube, election, this.deps.log);
    this.running = elector.run(signal, {
      onStartedLeading: (termSignal) => {
        this.term = this.lead(termSignal);
      },
      onStoppedLeading: () => undefined,
      onAttempt: (leading) => {
        if (!leading) this.markStarted();
      },
    });
  }

  /** Stops watching and campaigning; flushes what was seen. */
  async stop(): Promise<void> {
    this.stop$.abort();
    this.markStarted();
    await this.running;
    await this.term;
  }

  private async lead(signal: AbortSignal): Promise<void> {
    const { kube, enqueuer, metrics, log } = this.deps;
    // Every watch of the term listens on this signal: more than Node's default of ten.
    setMaxListeners(0, signal);
    this.leading = true;
    metrics.leader.set(1);
    const hub = new SourceHub();
    const batcher = new EnqueueBatcher(enqueuer, log, { fair: enqueuer.fair, ...this.opts.batcher });
    this.hubNow = hub;
    this.batcherNow = batcher;
    const only = this.opts.namespace;
    const sink: Sink = (ref, reason, priority) => {
      if (only && ref.namespace && ref.namespace !== only) return;
      if (scope && !scope.refs(ref, hub)) return;
      batcher.add(ref, reason, priority);
    };
    const scope = this.opts.scope;
    // A forStream controller reconciles nothing until its own store holds the first list.
    const sinks = new Map(
      this.specs.map((spec) => [
        spec,
        spec.primaryStore ? untilStoreReady(spec.primaryStore, sink, signal) : sink,
      ]),
    );
    const sinkOf = (spec: ControllerSpec): Sink => sinks.get(spec) ?? sink;
    for (const spec of this.specs) wireController(spec, hub, sinkOf(spec), log, scope);
    const targets: ResyncTarget[] = this.specs.flatMap((spec) => {
      const store = spec.watchPrimary ? hub.source(spec.kind, false).store : spec.primaryStore;
      return store ? [{ kind: spec.kind, store }] : [];
    });
    const tasks: Promise<unknown>[] = [];
    try {
      const { fresh } = await this.state.ensureEpoch();
      const sources = hub.all();
      const rvs = fresh
        ? new Map<string, string>()
        : await this.state.loadResourceVersions(sources.map((s) => s.key));
      for (const source of sources) {
        const rv = rvs.get(source.key);
        tasks.push(
          source
            .run(kube, metrics, signal, rv, this.opts.namespace)
            .catch((err: unknown) => log.error({ err: messageOf(err), kind: source.key }, 'watch ended')),
        );
      }
      for (const spec of this.specs)
        if (spec.streams.length > 0) tasks.push(runStreams(spec, hub, sinkOf(spec), signal, log, scope));
      tasks.push(runResync(targets, sink, this.opts.resyncSeconds ?? 600, signal));
      const maxWait = this.opts.maxWaitSeconds ?? this.opts.resyncSeconds ?? 600;
      if (maxWait > 0) {
        const queues = targets.map((t) => ({ kind: t.kind.kind, queue: enqueuer.queueOf(t.kind) }));
        tasks.push(runAging(queues, { maxWaitMs: maxWait * 1000, metrics, log }, signal));
      }
      tasks.push(this.checkpoints(hub, batcher, sink, targets, signal));
      void this.opened(hub, batcher, signal).then(() => this.markStarted());
      log.info({ kinds: this.specs.map((s) => s.kind.kind), resumed: !fresh }, 'dispatcher leading');
      await Promise.all(tasks);
    } finally {
      await batcher.close();
      // A stop (not a lost term, where the new leader's checkpoints are the newer ones) saves how
      // far each watch got, now that everything seen is in Redis: the next start resumes there.
      if (this.stop$.signal.aborted) {
        await this.state
          .saveResourceVersions(watchedVersions(hub))
          .catch((err: unknown) => log.warn({ err: messageOf(err) }, 'final checkpoint failed'));
      }
      this.leading = false;
      metrics.leader.set(0);
      this.hubNow = undefined;
      this.batcherNow = undefined;
    }
  }

  /**
   * Resolves once every watch of the term is open and the events they brought at once are written
   * (they follow the server's answer at once: after {@link REPLAY_SETTLE_MS}, a flush), or the term ends.
   */
  private async opened(hub: SourceHub, batcher: EnqueueBatcher, signal: AbortSignal): Promise<void> {
    const ended = new Promise<void>((resolve) =>
      signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    await Promise.race([Promise.all(hub.all().map((s) => s.opened)), ended]);
    if (signal.aborted) return;
    await pause(REPLAY_SETTLE_MS, signal);
    await batcher.flush();
  }

  /**
   * Every checkpoint period: saves how far each watch got (only after everything seen so far is in
   * Redis), re-enqueues every known object if Redis lost its data, and what a change of primary
   * may have lost (`recovery.ts`).
   */
  private async checkpoints(
    hub: SourceHub,
    batcher: EnqueueBatcher,
    sink: Sink,
    targets: readonly ResyncTarget[],
    signal: AbortSignal,
  ): Promise<void> {
    const every = this.opts.checkpointMs ?? 2_000;
    const recovery = {
      enqueuer: this.deps.enqueuer,
      sink,
      metrics: this.deps.metrics,
      log: this.deps.log,
      prefix: this.opts.prefix ?? 'sluice',
    };
    await this.primary.changed().catch(() => undefined);
    while (!signal.aborted) {
      await pause(every, signal);
      if (signal.aborted) break;
      try {
        if (await this.state.lostData()) {
          await this.opts.onRedisDataLoss?.();
          let count = 0;
          for (const { kind, store } of targets) {
            for (const obj of store.list()) {
              sink(refOf(kind, obj), 'relist', 'low');
              count++;
            }
          }
          this.deps.log.warn(
            { objects: count },
            'Redis lost its data; every known object was enqueued again',
          );
          await this.primary.changed();
        } else {
          const change = await this.primary.changed();
          if (change) recover(change, targets, recovery);
        }
        const rvs = watchedVersions(hub);
        await batcher.flush();
        await this.state.saveResourceVersions(rvs);
      } catch (err) {
        this.deps.log.warn({ err: messageOf(err) }, 'checkpoint failed');
      }
    }
  }
}

/** How far each watch of `hub` got while established (`Source.checkpoint`). */
function watchedVersions(hub: SourceHub): Map<string, string> {
  const rvs = new Map<string, string>();
  for (const s of hub.all()) if (s.checkpoint) rvs.set(s.key, s.checkpoint);
  return rvs;
}
