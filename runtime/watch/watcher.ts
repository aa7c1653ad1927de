/**
 * @module runtime/watch/watcher
 * `watcher()` and `metadataWatcher()`: list then watch one kind forever, as an async iterable of
 * {@link WatchEvent}s.
 *
 * Guarantees:
 * - resumes each watch from the last resourceVersion seen (events and bookmarks);
 * - a 410 Gone (compaction, or a resourceVersion too old) re-lists, bracketed by init/initDone;
 * - any other error backs off (0.8 s → 30 s with jitter by default) and retries; the watcher
 *   never ends by itself and never stops silently: every state change and error reaches the
 *   {@link WatchMonitor};
 * - a watch that goes quiet for longer than its timeout plus a margin is abandoned and reopened;
 * - resumed from a saved resourceVersion (`resumeFrom`), the watch opens at once and the list that
 *   refills the cache runs beside it: the watch's events arrive inside the `init`…`initDone`
 *   bracket, in order, and the list's copy of an object the watch already delivered is left out
 *   (the watch's is newer or will be); a 410 on that watch lists afresh in a new bracket.
 *
 * Costs: one paginated LIST at start and after each 410; one long-lived request otherwise.
 */
import { KubeApiError } from '../errors.js';
import { type KubeClient } from '../kube/client.js';
import { type ResourceType } from '../kube/resources.js';
import { type KubeObject } from '../kube/types.js';
import { pause } from '../util.js';
import { defaultBackoffPolicy, type Backoff } from '../backoff.js';
import type { WatchEvent, WatcherState } from './events.js';
import { WatchResume } from './resume.js';
import { EventStream } from './stream.js';

/** Receives what happens to a watch (for metrics and `/readyz`). */
export interface WatchMonitor {
  state(state: WatcherState): void;
  /** An event or bookmark arrived. */
  event(type: 'apply' | 'delete' | 'bookmark' | 'list'): void;
  /** The watch restarts: after an error, or a re-list after 410 Gone. */
  restart(reason: 'error' | 'gone', err?: unknown): void;
  /** The server accepted a watch request (every time one opens); its events follow. */
  opened?(): void;
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
  /**
   * The resume state to keep, for a caller that reads its checkpoint (the dispatcher's hub).
   * @defaultValue a new one, from {@link resumeFrom}
   */
  readonly resume?: WatchResume;
  readonly monitor?: WatchMonitor;
  /** Called with every resourceVersion reached (events and bookmarks). */
  readonly onResourceVersion?: (rv: string) => void;
  /** Stops the watcher (the iterable ends). */
  readonly signal?: AbortSignal;
  /** Errors forgotten after this long without one. @defaultValue 120000 */
  readonly healthyResetMs?: number;
}

/** A resumed start: the watch runs from the saved version while the cache is listed beside it. */
interface Resuming<K> {
  readonly phase: 'resuming';
  list: Promise<K[]>;
}

/** The phase only: where each watch starts, and what was delivered, is the {@link WatchResume}'s. */
type State<K> = { readonly phase: 'empty' } | Resuming<K> | { readonly phase: 'watching' };

interface RawEvent {
  readonly type?: unknown;
  readonly object?: unknown;
}

/** The list beside a resumed watch failed: it is listed again after a backoff; the watch goes on. */
class ListFailed extends Error {}

const noMonitor: WatchMonitor = { state: () => undefined, event: () => undefined, restart: () => undefined };

function isGone(err: unknown): boolean {
  return err instanceof KubeApiError && (err.isGone || err.reason === 'Expired');
}

/** Every page of a paginated LIST: the objects and the list's resourceVersion. */
async function listAll<K extends KubeObject>(
  client: KubeClient,
  type: ResourceType,
  opts: WatcherOptions,
): Promise<{ items: K[]; rv: string }> {
  const items: K[] = [];
  let token: string | undefined;
  let rv = '';
  do {
    const page = await client.list<K>(type, opts.namespace, {
      limit: opts.pageSize ?? 500,
      ...(token ? { continue: token } : {}),
      ...(opts.labelSelector ? { labelSelector: opts.labelSelector } : {}),
      ...(opts.fieldSelector ? { fieldSelector: opts.fieldSelector } : {}),
      ...(opts.metadataOnly ? { metadataOnly: true } : {}),
    });
    for (const item of page.items ?? []) items.push(item);
    token = page.metadata.continue || undefined;
    rv = page.metadata.resourceVersion ?? rv;
  } while (token);
  return { items, rv };
}

function listBeside<K extends KubeObject>(
  client: KubeClient,
  type: ResourceType,
  opts: WatcherOptions,
): Promise<K[]> {
  const list = listAll<K>(client, type, opts).then((l) => l.items);
  list.catch(() => undefined); // observed when the bracket closes; never an unhandled rejection
  return list;
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
  const resume = opts.resume ?? new WatchResume(opts.resumeFrom);
  let state: State<K> = { phase: 'empty' };
  let lastError = 0;
  const stopped = (): boolean => opts.signal?.aborted ?? false;

  while (!stopped()) {
    try {
      if (state.phase === 'empty' && resume.from !== undefined) {
        // Resumed start: the saved version's watch opens at once (a change made meanwhile is
        // seen without waiting for the list); the list only refills the cache beside it.
        monitor.state('listing');
        resume.beginResumed();
        yield { type: 'init', resumed: true };
        state = { phase: 'resuming', list: listBeside<K>(client, type, opts) };
      } else if (state.phase === 'empty') {
        monitor.state('listing');
        const listed = await listAll<K>(client, type, opts);
        monitor.event('list');
        resume.beginList();
        yield { type: 'init', resumed: false };
        for (const object of listed.items)
          yield resume.listed(object) === 'replay'
            ? { type: 'initApply', object, replay: true }
            : { type: 'initApply', object };
        yield { type: 'initDone' };
        state = { phase: 'watching' };
        resume.establish(listed.rv);
        if (!listed.rv)
          throw new KubeApiError(
            0,
            'NoResourceVersion',
            `list of ${type.plural} returned no resourceVersion`,
          );
        opts.onResourceVersion?.(listed.rv);
      }
      if (state.phase === 'watching') monitor.state('watching');
      const seconds = timeout();
      const abort = new AbortController();
      const onStop = (): void => abort.abort();
      opts.signal?.addEventListener('abort', onStop, { once: true });
      let idle = setTimeout(() => abort.abort(), (seconds + 60) * 1000);
      const stream = client.watch(type, opts.namespace, {
        resourceVersion: resume.from ?? '',
        timeoutSeconds: seconds,
        signal: abort.signal,
        ...(opts.labelSelector ? { labelSelector: opts.labelSelector } : {}),
        ...(opts.fieldSelector ? { fieldSelector: opts.fieldSelector } : {}),
        ...(opts.metadataOnly ? { metadataOnly: true } : {}),
        onOpen: () => monitor.opened?.(),
      });
      const events = stream[Symbol.asyncIterator]();
      let pending: Promise<IteratorResult<unknown>> | undefined;
      try {
        for (;;) {
          pending ??= events.next();
          if (state.phase === 'resuming') {
            const r: Resuming<K> = state;
            const first = await Promise.race([
              pending.then(() => 'event' as const),
              r.list.then(
                () => 'list' as const,
                () => 'list' as const,
              ),
            ]);
            if (first === 'list') {
              let items: K[];
              try {
                items = await r.list;
              } catch (err) {
                throw new ListFailed(`list of ${type.plural} beside the resumed watch failed`, {
                  cause: err,
                });
              }
              monitor.event('list');
              for (const object of items)
                if (resume.listed(object) === 'refill') yield { type: 'initApply', object, refill: true };
              yield { type: 'initDone' };
              const rv = resume.from ?? '';
              state = { phase: 'watching' };
              resume.establish(rv);
              opts.onResourceVersion?.(rv);
              monitor.state('watching');
              continue;
            }
          }
          const step = await pending;
          pending = undefined;
          if (step.done) break;
          clearTimeout(idle);
          idle = setTimeout(() => abort.abort(), (seconds + 60) * 1000);
          if (lastError && Date.now() - lastError > healthyReset) {
            backoff.reset();
            lastError = 0;
          }
          const ev = step.value as RawEvent;
          const object = ev.object as K | undefined;
          const rv = object?.metadata?.resourceVersion;
          switch (ev.type) {
            case 'ADDED':
            case 'MODIFIED': {
              if (!object) continue;
              resume.delivered(object);
              monitor.event('apply');
              yield resume.replays('apply', rv)
                ? { type: 'apply', object, replay: true }
                : { type: 'apply', object };
              break;
            }
            case 'DELETED':
              if (!object) continue;
              resume.delivered(object);
              resume.replays('delete', rv); // a delete past the replayed changes ends them
              monitor.event('delete');
              yield { type: 'delete', object };
              break;
            case 'BOOKMARK':
              resume.delivered();
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
            resume.reached(rv);
            opts.onResourceVersion?.(rv);
          }
        }
      } finally {
        clearTimeout(idle);
        opts.signal?.removeEventListener('abort', onStop);
        // Ends the request, so an outstanding read settles and the stream can close.
        abort.abort();
        pending?.catch(() => undefined);
        void events.return?.(undefined).catch(() => undefined);
      }
    } catch (err) {
      if (stopped()) break;
      if (isGone(err)) {
        // Also for a resumed watch whose saved version is too old: list afresh (its bracket
        // replaces the one the list beside it never closed).
        monitor.restart('gone', err);
        resume.gone();
        state = { phase: 'empty' };
        continue;
      }
      lastError = Date.now();
      monitor.restart('error', err);
      monitor.state('backoff');
      await pause(backoff.next(), opts.signal);
      if (err instanceof ListFailed && state.phase === 'resuming')
        state.list = listBeside<K>(client, type, opts);
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
  return new EventStream<K>(
    (overrides) => {
      const signals = [opts.signal, overrides.signal].filter((s): s is AbortSignal => s !== undefined);
      const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
      const { source: _source, ...rest } = overrides;
      return run<K>(client, type, { ...opts, ...rest, ...(signal ? { signal } : {}) });
    },
    { source: { type, metadataOnly: opts.metadataOnly ?? false } },
  );
}

/** Watches only the metadata of `type` (PartialObjectMetadata): less I/O and memory. */
export function metadataWatcher(
  client: KubeClient,
  type: ResourceType,
  opts: WatcherOptions = {},
): EventStream<KubeObject> {
  return watcher<KubeObject>(client, type, { ...opts, metadataOnly: true });
}
