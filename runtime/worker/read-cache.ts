/**
 * @module runtime/worker/read-cache
 * A read-through cache of the parents a function reads on every reconcile (a Tawon Stream reads
 * its StreamStore), kept by a watch in the worker process: what controller-runtime's cached client
 * does for an informer's kinds. A function opts in per kind (`cachedReads` in its declaration); the
 * worker then opens one list+watch per kind and reads hits from memory instead of one GET each.
 *
 * Level-based and bounded, never a source of writes:
 * - only hits are served: an object the cache does not hold, or holds with a `deletionTimestamp`,
 *   is read from the API server (so a parent created or deleted a moment ago is never missed);
 * - nothing is served while the kind's watch is not established (listing, backing off after an
 *   error): every read is then a GET;
 * - a job queued because a watched parent changed (`mapped`), or by hand (`http`, `cli`), or by
 *   a re-list, reads fresh ({@link cacheable}): the change that caused it may not have reached
 *   this process's watch yet;
 * - metadata-only reads always go to the API server;
 * - each hit is a copy: a reconciler may change what it is given.
 *
 * Staleness allowed: a hit is the object as this process's watch last delivered it, behind the API
 * server by the watch's delivery delay (milliseconds in the measurements; at most the watch's idle
 * limit, about 6 minutes, for a watch that dies silently). That is safe because the cache is read,
 * never written back: the function's own writes stay fenced by the resourceVersion of the object
 * it reconciles, and every change of a parent still reaches the function as a `mapped` job that
 * reads it fresh. What a stale hit can cost is one reconcile against the parent's previous
 * version, in the one case where a parent's change is absorbed into a job already waiting for
 * another reason and the watch has not delivered it by the time that job runs; the function's
 * next pass (a Tawon Stream looks again every minute) corrects it.
 */
import { KubeClient } from '../kube/client.js';
import type { KubeRest } from '../kube/rest.js';
import { kindKey } from '../kube/keys.js';
import { type ResourceType } from '../kube/resources.js';
import { type KubeObject } from '../kube/types.js';
import type { EnqueueReason } from '../queue/payload.js';
import { ReflectorStore } from '../watch/reflector.js';
import { stripManagedFields } from '../watch/stream.js';
import { watcher } from '../watch/watcher.js';
import type { WatcherState } from '../watch/events.js';

/** Whether a job queued for `reason` may read parents from the cache (see the module comment). */
export function cacheable(reason: EnqueueReason): boolean {
  return reason === 'event' || reason === 'requeue' || reason === 'resync' || reason === 'delete';
}

interface Cached {
  readonly store: ReflectorStore<KubeObject>;
  state: WatcherState;
}

export interface ReadCacheOptions {
  /** Watch this namespace only (`SLUICE_WATCH_NAMESPACE`). @defaultValue all namespaces */
  readonly namespace?: string;
  /** Told about a watch error (the watch retries by itself). */
  readonly onError?: (kind: string, err: unknown) => void;
}

export class ReadCache {
  private readonly kinds = new Map<string, Cached>();
  private readonly stop = new AbortController();
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly kube: KubeClient,
    readonly types: readonly ResourceType[],
    private readonly opts: ReadCacheOptions = {},
  ) {}

  /** Opens one list+watch per kind; reads are GETs until each is established. */
  start(): void {
    for (const type of this.types) {
      const key = kindKey(type);
      if (this.kinds.has(key)) continue;
      const cached: Cached = { store: new ReflectorStore<KubeObject>(), state: 'starting' };
      this.kinds.set(key, cached);
      void this.run(type, cached);
    }
  }

  private async run(type: ResourceType, cached: Cached): Promise<void> {
    const stream = watcher<KubeObject>(this.kube, type, {
      ...(this.opts.namespace && type.namespaced ? { namespace: this.opts.namespace } : {}),
      signal: this.stop.signal,
      monitor: {
        state: (s) => (cached.state = s),
        event: () => undefined,
        restart: (_reason, err) => {
          if (err !== undefined) this.opts.onError?.(type.kind, err);
        },
      },
    })
      .modify(stripManagedFields)
      .reflect(cached.store);
    try {
      for await (const _ of stream) {
        // The store is kept by `reflect`; the events themselves are not needed here.
      }
    } finally {
      cached.state = 'stopped';
    }
  }

  /** The cached object; `undefined` when it must be read from the API server (see the module comment). */
  lookup(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const cached = this.kinds.get(kindKey(type));
    if (!cached || cached.state !== 'watching' || !cached.store.ready) return undefined;
    const obj = cached.store.get(type.namespaced ? namespace : undefined, name);
    if (!obj || obj.metadata.deletionTimestamp) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    return structuredClone(obj);
  }

  /** Reads served from memory and reads that had to go to the API server, since the start. */
  get counts(): { readonly hits: number; readonly misses: number } {
    return { hits: this.hits, misses: this.misses };
  }

  close(): void {
    this.stop.abort();
  }
}

/**
 * The client a job's reconciler gets when it may read from the cache: `get` of a cached kind
 * answers from memory on a hit, everything else (writes, lists, misses) goes to the API server.
 */
export class CachedKubeClient extends KubeClient {
  constructor(
    rest: KubeRest,
    private readonly cache: ReadCache,
  ) {
    super(rest);
  }

  override async get<K extends KubeObject = KubeObject>(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    opts: { metadataOnly?: boolean } = {},
  ): Promise<K | undefined> {
    const hit = opts.metadataOnly ? undefined : this.cache.lookup(type, namespace, name);
    return hit ? (hit as K) : super.get<K>(type, namespace, name, opts);
  }
}
