/**
 * @module runtime/dispatcher/resync
 * The periodic resync: every object of every primary kind is re-enqueued once per period, at low
 * priority, so drift outside Kubernetes (a topic edited on the broker) is healed and nothing stays
 * wrong for longer than a period. Each object gets its own second of the period from a hash of its
 * UID, which spreads the load evenly (the jitter) instead of re-enqueuing everything at once.
 */
import { createHash } from 'node:crypto';
import { identityKey } from '../kube/keys.js';
import { refOf } from '../kube/object-ref.js';
import { type KindInfo } from '../registry.js';
import { pause } from '../util.js';
import type { Store } from '../watch/reflector.js';
import type { Sink } from './wiring.js';

export interface ResyncTarget {
  readonly kind: KindInfo;
  readonly store: Store;
}

/** The second of the period (0 … period-1) in which an object is resynced. */
export function resyncSlot(uid: string, periodSeconds: number): number {
  const h = createHash('sha1').update(uid).digest();
  return h.readUInt32BE(0) % periodSeconds;
}

/** Runs until `signal` aborts: each second, re-enqueues the objects whose slot it is. */
export async function runResync(
  targets: readonly ResyncTarget[],
  sink: Sink,
  periodSeconds: number,
  signal: AbortSignal,
): Promise<void> {
  const slots = new Map<string, number>();
  const period = Math.max(1, Math.round(periodSeconds));
  let tick = Math.floor(Date.now() / 1000);
  while (!signal.aborted) {
    await pause(Math.max(0, (tick + 1) * 1000 - Date.now()), signal);
    tick++;
    if (signal.aborted) return;
    const slot = tick % period;
    for (const { kind, store } of targets) {
      for (const obj of store.list()) {
        const uid = identityKey(obj);
        let s = slots.get(uid);
        if (s === undefined) {
          s = resyncSlot(uid, period);
          slots.set(uid, s);
        }
        if (s === slot) sink(refOf(kind, obj), 'resync', 'low');
      }
    }
    if (slots.size > 4 * targets.reduce((n, t) => n + t.store.size, 0) + 1000) slots.clear();
  }
}
