/**
 * @module runtime/dispatcher/hub
 * Shared watches: one watcher and one reflector store per kind and shape (full objects, or
 * metadata only; a kind watched in full serves its metadata-only subscribers too), however many
 * controllers subscribe to it. Subscribers are called for every
 * event, in order, synchronously: they must only buffer (the batcher does the I/O).
 *
 * Each source's watcher keeps a {@link WatchResume}: the dispatcher persists its checkpoint, so a
 * restarted dispatcher resumes instead of replaying every object as new. The hub keeps no resume
 * state of its own: the events say how to take them (`refill`, `replay`).
 */
import { type KubeClient } from '../kube/client.js';
import { type ResourceType } from '../kube/resources.js';
import { type KubeObject } from '../kube/types.js';
import { type SluiceMetrics } from '../metrics.js';
import { type StoreLookup } from '../controller/mappers.js';
import { trace } from '@opentelemetry/api';
import type { WatchEvent, WatcherState } from '../watch/events.js';
import { kindKey, sourceKey, storeKey } from '../kube/keys.js';
import { ReflectorStore } from '../watch/reflector.js';
import { stripManagedFields } from '../watch/stream.js';
import { WatchResume } from '../watch/resume.js';
import { watcher, type WatchMonitor } from '../watch/watcher.js';

const tracer = trace.getTracer('sluice-dispatcher');

/**
 * Called for each event with the object as the store had it before (`undefined` when new), and
 * whether the event belongs to a list bracket that only refills caches (the watch resumed from a
 * saved version). Objects a re-list no longer has arrive as `delete` events after `initDone`.
 */
export type Subscriber = (event: WatchEvent, old: KubeObject | undefined, resumed: boolean) => void;

/** What `/readyz` shows of one watch. */
export interface SourceHealth {
  readonly kind: string;
  readonly metadataOnly: boolean;
  readonly state: WatcherState;
  readonly lastEventAt: string | undefined;
  readonly objects: number;
  readonly restarts: number;
  readonly lastError: string | undefined;
}

export class Source {
  readonly store = new ReflectorStore<KubeObject>();
  private readonly subscribers: Subscriber[] = [];
  state: WatcherState = 'starting';
  lastEventAt: number | undefined;
  restarts = 0;
  lastError: string | undefined;
  private resume: WatchResume | undefined;
  private markOpened: () => void = () => undefined;
  /**
   * Resolves the first time this source's watch is open (the server accepted it; a resumed
   * watch's replayed changes follow at once). It never resolves for a watch that cannot open.
   */
  readonly opened: Promise<void> = new Promise((resolve) => (this.markOpened = resolve));

  constructor(
    readonly type: ResourceType,
    readonly metadataOnly: boolean,
  ) {}

  /** Where a restart may resume this watch (see {@link WatchResume.checkpoint}); kept after it stops. */
  get checkpoint(): string | undefined {
    return this.resume?.checkpoint;
  }

  get key(): string {
    return sourceKey(this.type, this.metadataOnly);
  }

  subscribe(fn: Subscriber): void {
    this.subscribers.push(fn);
  }

  /** Takes over the subscribers of a source that has not started (the hub merges shapes). */
  adopt(other: Source): void {
    this.subscribers.push(...other.subscribers);
    other.subscribers.length = 0;
  }

  health(): SourceHealth {
    return {
      kind: kindKey(this.type),
      metadataOnly: this.metadataOnly,
      state: this.state,
      lastEventAt: this.lastEventAt ? new Date(this.lastEventAt).toISOString() : undefined,
      objects: this.store.size,
      restarts: this.restarts,
      lastError: this.lastError,
    };
  }

  /** Runs the watch until `signal` aborts. */
  async run(
    client: KubeClient,
    metrics: SluiceMetrics,
    signal: AbortSignal,
    resumeFrom: string | undefined,
    namespace?: string,
  ): Promise<void> {
    const labels = { kind: this.type.kind };
    const monitor: WatchMonitor = {
      state: (s) => {
        this.state = s;
        metrics.watchUp.set(labels, s === 'watching' ? 1 : 0);
      },
      event: (type) => {
        this.lastEventAt = Date.now();
        metrics.watchEvents.inc({ ...labels, type });
        metrics.watchLastEvent.set(labels, this.lastEventAt / 1000);
      },
      restart: (_reason, err) => {
        this.restarts++;
        this.lastError =
          err instanceof Error ? err.message : err === undefined ? undefined : JSON.stringify(err);
        metrics.watchRestarts.inc(labels);
      },
      opened: () => this.markOpened(),
    };
    const stream = watcher<KubeObject>(client, this.type, {
      metadataOnly: this.metadataOnly,
      ...(namespace && this.type.namespaced ? { namespace } : {}),
      monitor,
      signal,
      resume: (this.resume = new WatchResume(resumeFrom || undefined)),
    }).modify(stripManagedFields);
    for await (const ev of stream) {
      // A replayed object is new to the controllers whatever the cache holds (see resume.ts).
      const asNew =
        ev.type === 'init' ||
        ev.type === 'initDone' ||
        ((ev.type === 'initApply' || ev.type === 'apply') && ev.replay === true);
      const cached = asNew
        ? undefined
        : this.store.get(ev.object.metadata.namespace, ev.object.metadata.name ?? '');
      // Subscribers act on no object of a list that only refills caches.
      const resumed = ev.type === 'init' ? ev.resumed : ev.type === 'initApply' && ev.refill === true;
      // The previous object only counts if it is the same object: a recreated one (new UID) is new.
      const old =
        cached &&
        ev.type !== 'init' &&
        ev.type !== 'initDone' &&
        cached.metadata.uid === ev.object.metadata.uid
          ? cached
          : undefined;
      const gone = this.store.apply(ev);
      if (ev.type === 'init' || ev.type === 'initDone') {
        for (const s of this.subscribers) s(ev, old, resumed);
      } else {
        // Each event gets a span, so the reconcile it causes is traced back to it.
        tracer.startActiveSpan(`watch ${ev.type} ${this.type.kind}`, (span) => {
          span.setAttribute('sluice.object', storeKey(ev.object));
          for (const s of this.subscribers) s(ev, old, resumed);
          span.end();
        });
      }
      for (const object of gone)
        for (const s of this.subscribers) s({ type: 'delete', object }, object, false);
    }
  }
}

/** The set of shared sources of one dispatcher. */
export class SourceHub implements StoreLookup {
  private readonly sources = new Map<string, Source>();

  /**
   * The source of `type` in the given shape, created on first use. A kind watched in full also
   * serves its metadata-only subscribers (a full object carries all of its metadata, and both
   * watches see the same changes): one watch, one list and one cache instead of two.
   */
  source(type: ResourceType, metadataOnly: boolean): Source {
    const full = this.sources.get(kindKey(type));
    if (full) return full;
    const s = new Source(type, metadataOnly);
    const existing = this.sources.get(s.key);
    if (existing) return existing;
    if (!metadataOnly) {
      const partial = this.sources.get(sourceKey(type, true));
      if (partial) {
        s.adopt(partial);
        this.sources.delete(partial.key);
      }
    }
    this.sources.set(s.key, s);
    return s;
  }

  all(): readonly Source[] {
    return [...this.sources.values()];
  }

  /** The full-object store of a kind, if one is watched. */
  private fullStore(kind: ResourceType): ReflectorStore<KubeObject> | undefined {
    return this.sources.get(kindKey(kind))?.store;
  }

  list(kind: ResourceType): readonly KubeObject[] {
    return this.fullStore(kind)?.list() ?? [];
  }

  get(kind: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.fullStore(kind)?.get(namespace, name);
  }
}
