/**
 * @module runtime/dispatcher/hub
 * Shared watches: one watcher and one reflector store per kind and shape (full objects, or
 * metadata only; a kind watched in full serves its metadata-only subscribers too), however many
 * controllers subscribe to it. Subscribers are called for every
 * event, in order, synchronously: they must only buffer (the batcher does the I/O).
 *
 * Each source also remembers the last resourceVersion it reached, so the dispatcher can persist
 * it and a restarted dispatcher resumes instead of replaying every object as new.
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
import { watcher, type WatchMonitor } from '../watch/watcher.js';

/**
 * Called for each event with the object as the store had it before (`undefined` when new), and
 * whether the current list bracket only refills caches (the watch resumed from a saved version).
 * Objects a re-list no longer has arrive as `delete` events after `initDone`.
 */
const tracer = trace.getTracer('sluice-dispatcher');

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
  resourceVersion: string | undefined;
  /**
   * The last resourceVersion reached while established (not in the middle of a list): every change
   * up to it has been seen, so a restart may resume from it. Kept after the watch stops.
   */
  checkpoint: string | undefined;
  private resumed = false;
  /** False from a resumed list until the resumed watch delivers something. */
  private confirmed = true;
  /** Set for a re-list that follows a resumed watch which failed before delivering anything. */
  private forgetOld = false;
  /**
   * After a resumed list: the newest resourceVersion it held. The resumed watch first replays the
   * changes made since the saved version; those (up to this one) are new to the controllers even
   * though the list already showed their result, so they pass as new objects.
   */
  private replayUntil: bigint | undefined;
  private listedMax: bigint | undefined;

  constructor(
    readonly type: ResourceType,
    readonly metadataOnly: boolean,
  ) {}

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

  /** Tracks the replay of a resumed watch; true for an `apply` that replays a change made while stopped. */
  private replayed(ev: WatchEvent): boolean {
    if (ev.type === 'init') {
      this.listedMax = ev.resumed ? 0n : undefined;
      this.replayUntil = undefined;
      return false;
    }
    const raw = ev.type === 'initDone' ? undefined : ev.object.metadata.resourceVersion;
    const rv = raw && /^\d+$/.test(raw) ? BigInt(raw) : undefined;
    if (ev.type === 'initApply') {
      if (this.listedMax !== undefined && rv !== undefined && rv > this.listedMax) this.listedMax = rv;
      return false;
    }
    if (ev.type === 'initDone') {
      this.replayUntil = this.listedMax;
      this.listedMax = undefined;
      return false;
    }
    if (this.replayUntil === undefined || rv === undefined) return false;
    if (rv <= this.replayUntil) return ev.type === 'apply';
    this.replayUntil = undefined;
    return false;
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
        if (s === 'watching') this.checkpoint = this.resourceVersion;
        metrics.watchUp.set(labels, s === 'watching' ? 1 : 0);
      },
      event: (type) => {
        if (type !== 'list') this.confirmed = true;
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
    };
    const stream = watcher<KubeObject>(client, this.type, {
      metadataOnly: this.metadataOnly,
      ...(namespace && this.type.namespaced ? { namespace } : {}),
      monitor,
      signal,
      onResourceVersion: (rv) => {
        this.resourceVersion = rv;
        if (this.state === 'watching') this.checkpoint = rv;
      },
      ...(resumeFrom ? { resumeFrom } : {}),
    }).modify(stripManagedFields);
    for await (const ev of stream) {
      if (ev.type === 'init') {
        // A resumed watch that failed at once (410: the saved version was too old) never delivered
        // the changes between that version and the list: compare the re-list with nothing.
        this.forgetOld = !ev.resumed && !this.confirmed;
        this.resumed = ev.resumed;
        this.confirmed = !ev.resumed;
      }
      const replay = this.replayed(ev);
      const cached =
        ev.type === 'init' || ev.type === 'initDone' || (ev.type === 'initApply' && this.forgetOld) || replay
          ? undefined
          : this.store.get(ev.object.metadata.namespace, ev.object.metadata.name ?? '');
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
        for (const s of this.subscribers) s(ev, old, this.resumed);
      } else {
        // Each event gets a span, so the reconcile it causes is traced back to it.
        tracer.startActiveSpan(`watch ${ev.type} ${this.type.kind}`, (span) => {
          span.setAttribute('sluice.object', storeKey(ev.object));
          for (const s of this.subscribers) s(ev, old, this.resumed);
          span.end();
        });
      }
      for (const object of gone)
        for (const s of this.subscribers) s({ type: 'delete', object }, object, this.resumed);
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
