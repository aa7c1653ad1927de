/**
 * @module dispatcher/watch/watcher
 * `watcher()` and `metadataWatcher()`: list then watch one kind forever, as an async iterable of
 * {@link WatchEvent}s.
 *
 * Guarantees:
 * - resumes each watch from the last resourceVersion seen (events and bookmarks);
 * - a 410 Gone (compaction, or a resourceVersion too old) re-lists, bracketed by init/initDone;
 * - any other error backs off (0.8 s → 30 s with jitter by default) and retries; the watcher
 *   never ends by itself and never stops silently: every state change and error reaches the
 *   {@link WatchMonitor};
 * - a watch that goes quiet for longer than its timeout plus a margin is abandoned and reopened.
 *
 * Costs: one paginated LIST at start and after each 410; one long-lived request otherwise.
 */
import {
  KubeApiError,
  pause,
  type KubeClient,
  type KubeObject,
  type ResourceType,
} from '../../shared/index.js';
import { defaultBackoffPolicy, type Backoff } from './backoff.js';
import type { WatchEvent, WatcherState } from './events.js';
import { EventStream } from './stream.js';

/** Receives what happens to a watch (for metrics and `/readyz`). */
export interface WatchMonitor {
  state(state: WatcherState): void;
  /** An event or bookmark arrived. */
  event(type: 'apply' | 'delete' | 'bookmark' | 'list'): void;
  /** The watch restarts: after an error, or a re-list after 410 Gone. */
  restart(reason: 'error' | 'gone', err?: unknown): void;
}

export interface WatcherOptions {
  /** Limit to one namespace. @defaultValue all namespaces */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Ask for PartialObjectMetadata only. @defaultValue false */
  readonly metadataOnly?: boolean;
  /** LIST page size. @defaultValue 500 */
  readonly pageSize?: number;
  /** Server-side watch timeout, drawn per watch. @defaultValue 290–350 s */
  readonly timeoutSeconds?: () => number;
  /** @defaultValue {@link defaultBackoffPolicy} */
  readonly backoff?: Backoff;
  /** A resourceVersion to resume the first watch from (the first list then only refills caches). */
  readonly resumeFrom?: string;
  readonly monitor?: WatchMonitor;
  /** Called with every resourceVersion reached (events and bookmarks). */
  readonly onResourceVersion?: (rv: string) => void;
  /** Stops the watcher (the iterable ends). */
  readonly signal?: AbortSignal;
  /** Errors forgotten after this long without one. @defaultValue 120000 */
  readonly healthyResetMs?: number;
}

type State =
  | { readonly phase: 'empty'; readonly resume: string | undefined }
  | { readonly phase: 'watching'; readonly rv: string };

interface RawEvent {
  readonly type?: unknown;
  readonly object?: unknown;
}

const noMonitor: WatchMonitor = { state: () => undefined, event: () => undefined, restart: () => undefined };

function isGone(err: unknown): boolean {
  return err instanceof KubeApiError && (err.isGone || err.reason === 'Expired');
}

async function* run<K extends KubeObject>(
  client: KubeClient,
  type: ResourceType,
  opts: WatcherOptions,
): AsyncGenerator<WatchEvent<K>> {
  const monitor = opts.monitor ?? noMonitor;
  const backoff = opts.backoff ?? defaultBackoffPolicy();
  const healthyReset = opts.healthyResetMs ?? 120_000;
  const timeout = opts.timeoutSeconds ?? (() => 290 + Math.floor(Math.random() * 60));
  let state: State = { phase: 'empty', resume: opts.resumeFrom };
  let lastError = 0;
  const stopped = (): boolean => opts.signal?.aborted ?? false;

  while (!stopped()) {
    try {
      if (state.phase === 'empty') {
        monitor.state('listing');
        const items: K[] = [];
        let token: string | undefined;
        let listRv = '';
        do {
          const page = await client.list<K>(type, opts.namespace, {
            limit: opts.pageSize ?? 500,
            ...(token ? { continue: token } : {}),
            ...(opts.labelSelector ? { labelSelector: opts.labelSelector } : {}),
            ...(opts.fieldSelector ? { fieldSelector: opts.fieldSelector } : {}),
            ...(opts.metadataOnly ? { metadataOnly: true } : {}),
          });
          items.push(...(page.items ?? []));
          token = page.metadata.continue || undefined;
          listRv = page.metadata.resourceVersion ?? listRv;
        } while (token);
        monitor.event('list');
        yield { type: 'init', resumed: state.resume !== undefined };
        for (const object of items) yield { type: 'initApply', object };
        yield { type: 'initDone' };
        state = { phase: 'watching', rv: state.resume ?? listRv };
        if (!state.rv)
          throw new KubeApiError(
            0,
            'NoResourceVersion',
            `list of ${type.plural} returned no resourceVersion`,
          );
        opts.onResourceVersion?.(state.rv);
      }
      monitor.state('watching');
      const seconds = timeout();
      const abort = new AbortController();
      const onStop = (): void => abort.abort();
      opts.signal?.addEventListener('abort', onStop, { once: true });
      let idle = setTimeout(() => abort.abort(), (seconds + 60) * 1000);
      try {
        const stream = client.watch(type, opts.namespace, {
          resourceVersion: state.rv,
          timeoutSeconds: seconds,
          signal: abort.signal,
          ...(opts.labelSelector ? { labelSelector: opts.labelSelector } : {}),
          ...(opts.fieldSelector ? { fieldSelector: opts.fieldSelector } : {}),
          ...(opts.metadataOnly ? { metadataOnly: true } : {}),
        });
        for await (const raw of stream) {
          clearTimeout(idle);
          idle = setTimeout(() => abort.abort(), (seconds + 60) * 1000);
          if (lastError && Date.now() - lastError > healthyReset) {
            backoff.reset();
            lastError = 0;
          }
          const ev = raw as RawEvent;
          const object = ev.object as K | undefined;
          const rv = object?.metadata?.resourceVersion;
          switch (ev.type) {
            case 'ADDED':
            case 'MODIFIED':
              if (!object) continue;
              monitor.event('apply');
              yield { type: 'apply', object };
              break;
            case 'DELETED':
              if (!object) continue;
              monitor.event('delete');
              yield { type: 'delete', object };
              break;
            case 'BOOKMARK':
              monitor.event('bookmark');
              break;
            case 'ERROR': {
              const status = ev.object as { code?: number; reason?: string; message?: string } | undefined;
              throw new KubeApiError(
                status?.code ?? 500,
                status?.reason ?? 'WatchError',
                `watch ${type.plural}: ${status?.message ?? 'error event'}`,
              );
            }
            default:
              continue;
          }
          if (rv) {
            state = { phase: 'watching', rv };
            opts.onResourceVersion?.(rv);
          }
        }
      } finally {
        clearTimeout(idle);
        opts.signal?.removeEventListener('abort', onStop);
      }
    } catch (err) {
      if (stopped()) break;
      if (isGone(err)) {
        monitor.restart('gone', err);
        state = { phase: 'empty', resume: undefined };
        continue;
      }
      lastError = Date.now();
      monitor.restart('error', err);
      monitor.state('backoff');
      await pause(backoff.next(), opts.signal);
    }
  }
  monitor.state('stopped');
}

/** Watches full objects of `type`. */
export function watcher<K extends KubeObject = KubeObject>(
  client: KubeClient,
  type: ResourceType,
  opts: WatcherOptions = {},
): EventStream<K> {
  return new EventStream<K>((overrides) => {
    const signals = [opts.signal, overrides.signal].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    return run<K>(client, type, { ...opts, ...overrides, ...(signal ? { signal } : {}) });
  });
}

/** Watches only the metadata of `type` (PartialObjectMetadata): less I/O and memory. */
export function metadataWatcher(
  client: KubeClient,
  type: ResourceType,
  opts: WatcherOptions = {},
): EventStream<KubeObject> {
  return watcher<KubeObject>(client, type, { ...opts, metadataOnly: true });
}
