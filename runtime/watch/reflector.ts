/**
 * @module runtime/watch/reflector
 * A reflector store: an in-memory cache of one kind, kept by a watcher's events. A re-list is
 * applied atomically at `initDone`, so readers never see a half-listed cache. Watch events that
 * arrive inside a bracket (a resumed watch runs beside its list) apply to the live cache and to
 * the bracket's, so neither loses them.
 */
import { namespacedName, storeKey } from '../kube/keys.js';
import type { KubeObject } from '../kube/types.js';
import type { WatchEvent } from './events.js';

/** Read side of a reflector. */
export interface Store<K extends KubeObject = KubeObject> {
  get(namespace: string | undefined, name: string): K | undefined;
  list(): K[];
  readonly size: number;
  /** True once the first list has been applied. */
  readonly ready: boolean;
  /**
   * Resolves true once the first list has been applied (at once if it has), or false when
   * `signal` aborts first. Nothing fills the store but the stream that reflects into it, so
   * await this beside that stream, never before iterating it.
   */
  untilReady(signal?: AbortSignal): Promise<boolean>;
}

export class ReflectorStore<K extends KubeObject = KubeObject> implements Store<K> {
  private objects = new Map<string, K>();
  private buffer: Map<string, K> | undefined;
  private synced = false;
  private readonly waiters = new Set<() => void>();

  get(namespace: string | undefined, name: string): K | undefined {
    return this.objects.get(namespacedName(namespace, name));
  }

  list(): K[] {
    return [...this.objects.values()];
  }

  get size(): number {
    return this.objects.size;
  }

  get ready(): boolean {
    return this.synced;
  }

  untilReady(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (ready: boolean): void => {
        this.waiters.delete(onReady);
        signal?.removeEventListener('abort', onAbort);
        resolve(ready);
      };
      const onReady = (): void => done(true);
      const onAbort = (): void => done(false);
      this.waiters.add(onReady);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Applies one watch event.
   * @returns for `initDone`, the objects the re-list no longer has (deleted while the watch was
   * down); otherwise nothing.
   */
  apply(event: WatchEvent<K>): K[] {
    switch (event.type) {
      case 'init':
        this.buffer = new Map();
        return [];
      case 'initApply':
        (this.buffer ?? this.objects).set(storeKey(event.object), event.object);
        return [];
      case 'initDone': {
        const next = this.buffer ?? this.objects;
        const gone = [...this.objects.entries()].filter(([k]) => !next.has(k)).map(([, o]) => o);
        this.objects = next;
        this.buffer = undefined;
        this.synced = true;
        for (const wake of [...this.waiters]) wake();
        return gone;
      }
      case 'apply':
        this.objects.set(storeKey(event.object), event.object);
        this.buffer?.set(storeKey(event.object), event.object);
        return [];
      case 'delete':
        this.objects.delete(storeKey(event.object));
        this.buffer?.delete(storeKey(event.object));
        return [];
    }
  }
}
