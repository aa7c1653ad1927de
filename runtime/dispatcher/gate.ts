/**
 * @module runtime/dispatcher/gate
 * Holding a `forStream` controller's reconcile requests until its store is populated, as kube-rs's
 * controller does: its reconcilers (and its mappers, which read the store) then never act on a
 * half-listed cache, for example deciding an object has no peers because the list has not
 * reached them yet.
 *
 * Guarantees: nothing requested before the first list is complete is lost. Requests for one
 * object collapse to the latest while held (the queue would coalesce them anyway); they are
 * passed on, in the order their objects were first seen, the moment the store is ready. Once
 * ready, the gate passes everything straight through. If the dispatcher stops first, the held
 * requests are dropped, as the next leader lists everything again.
 */
import { jobKey } from '../kube/keys.js';
import type { ObjectRef } from '../kube/object-ref.js';
import type { Priority } from '../queue/options.js';
import type { EnqueueReason } from '../queue/payload.js';
import type { Store } from '../watch/reflector.js';
import type { Sink } from './wiring.js';

/** `sink`, held shut until `store` is ready (or `sink` itself when it already is). */
export function untilStoreReady(store: Store, sink: Sink, signal: AbortSignal): Sink {
  if (store.ready) return sink;
  const held = new Map<string, [ObjectRef, EnqueueReason, Priority]>();
  let open = false;
  void store.untilReady(signal).then((ready) => {
    open = true;
    if (ready) for (const [ref, reason, priority] of held.values()) sink(ref, reason, priority);
    held.clear();
  });
  return (ref, reason, priority) => {
    if (open) sink(ref, reason, priority);
    else held.set(jobKey(ref), [ref, reason, priority]);
  };
}
