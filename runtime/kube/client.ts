/**
 * @module runtime/kube/client
 * The Kubernetes operations reconcilers and the runtime use, over {@link KubeRest}.
 *
 * Guarantees:
 * - desired objects are written with server-side apply, field manager `sluice`, so a repeated
 *   apply of an unchanged object writes nothing (the resourceVersion stays);
 * - status is written through the status subresource, fenced by the resourceVersion that was
 *   read, and skipped when it is already what the caller wants;
 * - finalizers are added and removed with a merge patch fenced by the resourceVersion, so a
 *   concurrent writer gets a 409 instead of a lost update; {@link retryOnConflict} re-reads and retries.
 */
import { KubeApiError } from '../errors.js';
import { deepEqual } from '../util.js';
import type { KubeRest, RequestOptions } from './rest.js';
import { apiVersionOf, resourcePath, type ResourceType } from './resources.js';
import type { KubeList, KubeObject } from './types.js';

export const FIELD_MANAGER = 'sluice';

/** Accept header that makes the API server return PartialObjectMetadata. */
export const METADATA_ACCEPT =
  'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';
export const METADATA_LIST_ACCEPT =
  'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

export interface ListOptions {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
  readonly metadataOnly?: boolean;
}

export interface WatchOptions {
  readonly resourceVersion?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly timeoutSeconds?: number;
  readonly metadataOnly?: boolean;
  readonly signal?: AbortSignal;
  /** Called when the server has accepted the watch (a 2xx answer), before its first event. */
  readonly onOpen?: () => void;
}

function withoutStatus(obj: KubeObject): Record<string, unknown> {
  const { status: _status, ...rest } = obj;
  const { managedFields: _mf, ...metadata } = obj.metadata as Record<string, unknown>;
  return { ...rest, metadata };
}

export class KubeClient {
  constructor(readonly rest: KubeRest) {}

  /** Reads one object; `undefined` when it does not exist. */
  async get<K extends KubeObject = KubeObject>(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    opts: { metadataOnly?: boolean } = {},
  ): Promise<K | undefined> {
    try {
      return await this.rest.request<K>({
        path: resourcePath(type, namespace, name),
        ...(opts.metadataOnly ? { accept: METADATA_ACCEPT } : {}),
      });
    } catch (err) {
      if (err instanceof KubeApiError && err.isNotFound) return undefined;
      throw err;
    }
  }

  /** Lists one page; a namespaced type without a namespace lists across all namespaces. */
  list<K extends KubeObject = KubeObject>(
    type: ResourceType,
    namespace?: string,
    opts: ListOptions = {},
  ): Promise<KubeList<K>> {
    const request: RequestOptions = {
      path: resourcePath(type, namespace),
      query: {
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
        limit: opts.limit,
        continue: opts.continue,
        resourceVersion: opts.resourceVersion,
      },
      ...(opts.metadataOnly ? { accept: METADATA_LIST_ACCEPT } : {}),
    };
    return this.rest.request<KubeList<K>>(request);
  }

  /** Lists every page. */
  async listAll<K extends KubeObject = KubeObject>(
    type: ResourceType,
    namespace?: string,
    opts: ListOptions = {},
  ): Promise<K[]> {
    const items: K[] = [];
    let token: string | undefined;
    do {
      const page = await this.list<K>(type, namespace, {
        ...opts,
        limit: opts.limit ?? 500,
        ...(token ? { continue: token } : {}),
      });
      items.push(...(page.items ?? []));
      token = page.metadata.continue || undefined;
    } while (token);
    return items;
  }

  /** Opens a watch; yields the raw `{type, object}` events of the API server. */
  watch(type: ResourceType, namespace: string | undefined, opts: WatchOptions): AsyncGenerator<unknown> {
    return this.rest.stream({
      path: resourcePath(type, namespace),
      query: {
        watch: true,
        allowWatchBookmarks: true,
        resourceVersion: opts.resourceVersion,
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
        timeoutSeconds: opts.timeoutSeconds,
      },
      ...(opts.metadataOnly ? { accept: METADATA_ACCEPT } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onOpen ? { onOpen: opts.onOpen } : {}),
    });
  }

  create<K extends KubeObject = KubeObject>(type: ResourceType, obj: KubeObject): Promise<K> {
    return this.rest.request<K>({
      method: 'POST',
      path: resourcePath(type, obj.metadata.namespace),
      body: { ...obj, apiVersion: apiVersionOf(type), kind: type.kind },
      query: { fieldManager: FIELD_MANAGER },
    });
  }

  /**
   * Server-side applies the fields of `obj` that Sluice owns (apiVersion and kind are filled in).
   * Fields Sluice applied before and leaves out now are removed; other managers' fields stay.
   */
  apply<K extends KubeObject = KubeObject>(
    type: ResourceType,
    obj: KubeObject,
    opts: { force?: boolean } = {},
  ): Promise<K> {
    const name = obj.metadata.name;
    if (!name) throw new KubeApiError(0, 'Invalid', `apply ${type.kind}: metadata.name is required`);
    return this.rest.request<K>({
      method: 'PATCH',
      path: resourcePath(type, obj.metadata.namespace, name),
      contentType: 'application/apply-patch+yaml',
      body: { ...withoutStatus(obj), apiVersion: apiVersionOf(type), kind: type.kind },
      query: { fieldManager: FIELD_MANAGER, force: opts.force ?? true },
    });
  }

  /**
   * Writes `status` through the status subresource unless the object already has exactly that
   * status. The write carries the resourceVersion of `obj`, so it fails with 409 if the object
   * changed since it was read.
   * @returns the updated object, or `obj` itself when nothing was written.
   */
  async writeStatus<K extends KubeObject>(type: ResourceType, obj: K, status: unknown): Promise<K> {
    if (deepEqual(obj.status, status)) return obj;
    const name = obj.metadata.name ?? '';
    // managedFields left out: the API server keeps them as they are (only an empty list resets
    // them), and they are most of an object's size, to encode here and to decode there.
    const { managedFields: _mf, ...metadata } = obj.metadata as K['metadata'] & { managedFields?: unknown };
    return this.rest.request<K>({
      method: 'PUT',
      path: resourcePath(type, obj.metadata.namespace, name, 'status'),
      body: { ...obj, metadata, apiVersion: apiVersionOf(type), kind: type.kind, status },
      query: { fieldManager: FIELD_MANAGER },
    });
  }

  /** A JSON merge patch (RFC 7386). */
  patch<K extends KubeObject = KubeObject>(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    subresource?: string,
  ): Promise<K> {
    return this.rest.request<K>({
      method: 'PATCH',
      path: resourcePath(type, namespace, name, subresource),
      contentType: 'application/merge-patch+json',
      body: patch,
      query: { fieldManager: FIELD_MANAGER },
    });
  }

  /**
   * Deletes an object; resolves false when it was already gone. `uid` and `resourceVersion` are
   * preconditions: when the object is another one, or has changed, the API server answers 409.
   */
  async delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    opts: {
      propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
      uid?: string;
      resourceVersion?: string;
    } = {},
  ): Promise<boolean> {
    try {
      await this.rest.request({
        method: 'DELETE',
        path: resourcePath(type, namespace, name),
        body: {
          kind: 'DeleteOptions',
          apiVersion: 'v1',
          ...(opts.propagationPolicy ? { propagationPolicy: opts.propagationPolicy } : {}),
          ...(opts.uid || opts.resourceVersion
            ? {
                preconditions: {
                  ...(opts.uid ? { uid: opts.uid } : {}),
                  ...(opts.resourceVersion ? { resourceVersion: opts.resourceVersion } : {}),
                },
              }
            : {}),
        },
      });
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.isNotFound) return false;
      throw err;
    }
  }

  /** Sets the finalizer list, fenced by the resourceVersion of `obj`. */
  private setFinalizers<K extends KubeObject>(
    type: ResourceType,
    obj: K,
    finalizers: readonly string[],
  ): Promise<K> {
    return this.fencedPatch<K>(type, obj, { metadata: { finalizers } });
  }

  /**
   * A merge patch that applies only to the version of `obj` that was read: it carries
   * `metadata.resourceVersion`, so the API server answers 409 Conflict when the object changed since
   * (controller-runtime's `MergeFromWithOptimisticLock`). Lists in `patch` replace the stored ones.
   */
  fencedPatch<K extends KubeObject>(
    type: ResourceType,
    obj: KubeObject,
    patch: Record<string, unknown>,
  ): Promise<K> {
    const metadata = (patch.metadata ?? {}) as Record<string, unknown>;
    return this.patch<K>(type, obj.metadata.namespace, obj.metadata.name ?? '', {
      ...patch,
      metadata: { ...metadata, resourceVersion: obj.metadata.resourceVersion },
    });
  }

  /** Adds `finalizer` unless present. */
  async addFinalizer<K extends KubeObject>(type: ResourceType, obj: K, finalizer: string): Promise<K> {
    const current = obj.metadata.finalizers ?? [];
    if (current.includes(finalizer)) return obj;
    return this.setFinalizers(type, obj, [...current, finalizer]);
  }

  /** Removes `finalizer` if present; other controllers' finalizers stay. */
  async removeFinalizer<K extends KubeObject>(
    type: ResourceType,
    obj: K,
    finalizer: string,
  ): Promise<K | undefined> {
    const current = obj.metadata.finalizers ?? [];
    if (!current.includes(finalizer)) return obj;
    try {
      return await this.setFinalizers(
        type,
        obj,
        current.filter((f) => f !== finalizer),
      );
    } catch (err) {
      if (err instanceof KubeApiError && err.isNotFound) return undefined;
      throw err;
    }
  }
}

/**
 * Runs `attempt` again (up to `tries` times) when it fails with a 409 conflict (a write fenced by a
 * resourceVersion that is no longer current), as client-go's RetryOnConflict does. `attempt` must
 * re-read what it writes.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, tries = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof KubeApiError && err.isConflict) || i >= tries) throw err;
    }
  }
}
