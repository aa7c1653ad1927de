/**
 * @module runtime/dispatcher/recovery
 * What the dispatcher does when Redis changed primary (`runtime/redis/primary.ts`): the writes
 * the old primary had not yet replicated may be gone, jobs among them. For every queue on the
 * slots that changed hands (all of them with one primary):
 * 1. the requests this dispatcher queued in the last 30 s are sent again at their own priority
 *    (the ones most likely lost, and the freshest events go first);
 * 2. every object it caches is queued again at low priority, so that nothing older is lost
 *    either, behind fresh events.
 *
 * Both are cheap where nothing was lost: deduplication collapses a request for a key that already
 * has a job into that job. The cost is one low-priority reconcile per cached object whose job
 * had completed (a converged reconcile writes nothing).
 */
import type { KindInfo } from '../registry.js';
import type { Enqueuer } from '../queue/enqueue.js';
import type { SluiceMetrics } from '../metrics.js';
import type { Logger } from '../log.js';
import type { PrimaryChange } from '../redis/primary.js';
import { keySlot } from '../redis/slots.js';
import { refOf } from '../kube/object-ref.js';
import type { ResyncTarget } from './resync.js';
import type { Sink } from './wiring.js';

export interface RecoveryDeps {
  readonly enqueuer: Enqueuer;
  readonly sink: Sink;
  readonly metrics: SluiceMetrics;
  readonly log: Logger;
  /** The BullMQ prefix: a queue's keys hash on `<prefix>:<queue>`'s tag. */
  readonly prefix: string;
}

/** The kinds whose queue lives on a slot that `change` affects. */
export function affectedKinds(change: PrimaryChange, kinds: readonly KindInfo[], prefix: string): KindInfo[] {
  const slots = change.slots;
  return slots ? kinds.filter((k) => slots(keySlot(`${prefix}:${k.queue}`))) : [...kinds];
}

/** Re-enqueues what a change of primary may have lost; returns how many requests were sent. */
export function recover(change: PrimaryChange, targets: readonly ResyncTarget[], deps: RecoveryDeps): number {
  const kinds = affectedKinds(
    change,
    targets.map((t) => t.kind),
    deps.prefix,
  );
  const queues = new Set(kinds.map((k) => k.queue));
  const affected = (group: string, kind: string): boolean =>
    kinds.some((k) => k.group === group && k.kind === kind);
  let sent = 0;
  for (const r of deps.enqueuer.recent()) {
    if (!affected(r.request.ref.group, r.request.ref.kind)) continue;
    deps.sink(r.request.ref, r.request.reason, r.priority);
    sent++;
  }
  for (const { kind, store } of targets) {
    if (!queues.has(kind.queue)) continue;
    for (const obj of store.list()) {
      deps.sink(refOf(kind, obj), 'relist', 'low');
      sent++;
    }
  }
  for (const q of queues) deps.metrics.redisRecoveries.inc({ queue: q, cause: change.cause });
  deps.log.warn(
    { cause: change.cause, queues: [...queues], requests: sent },
    'Redis changed primary: recent and cached objects were enqueued again',
  );
  return sent;
}
