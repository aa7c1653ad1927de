/**
 * @module tawon/store-name
 * How a Tawon Stream names its StreamStore, read from an unvalidated object: both the Stream's and
 * the store's watches map through it.
 */
import type { KubeObject } from '../../runtime/kube/types.js';
import { isRecord } from '../../runtime/util.js';

/** The store a Tawon Stream names in `spec.store.name`, if it names one. */
export function storeNameOf(stream: KubeObject): string | undefined {
  const store = isRecord(stream.spec) ? stream.spec.store : undefined;
  const name = isRecord(store) ? store.name : undefined;
  return typeof name === 'string' ? name : undefined;
}
