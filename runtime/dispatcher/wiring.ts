/**
 * @module runtime/dispatcher/wiring
 * Turns controller specs into subscriptions on the shared sources (and loops over stream
 * sources), all ending in one sink that buffers reconcile requests.
 *
 * Priorities: a watch event is `normal`; objects of a (re-)list are `low`, and only those new or
 * changed since the cache last saw them; a list that only refills caches after a resumed watch
 * enqueues nothing.
 */
import { messageOf } from '../errors.js';
import { type ObjectRef } from '../kube/object-ref.js';
import { type KubeObject } from '../kube/types.js';
import { type Logger } from '../log.js';
import { type Priority } from '../queue/options.js';
import { type EnqueueReason } from '../queue/payload.js';
import { enqueueOwner, enqueueSelf, uniqueRefs, type Mapper } from '../controller/mappers.js';
import { or, type Predicate } from '../controller/predicates.js';
import { pauseChanged } from '../controller/pause.js';
import type { ControllerSpec } from '../controller/builder.js';
import type { DispatchScope } from './dispatcher.js';
import type { SourceHub, Subscriber } from './hub.js';

export type Sink = (ref: ObjectRef, reason: EnqueueReason, priority: Priority) => void;

function subscriber(
  mapper: Mapper,
  predicate: Predicate,
  reason: EnqueueReason,
  hub: SourceHub,
  sink: Sink,
  log: Logger,
  scope: DispatchScope | undefined,
): Subscriber {
  const emit = (obj: KubeObject, why: EnqueueReason, priority: Priority): void => {
    if (scope && !scope.objects(obj)) return;
    let refs: readonly ObjectRef[];
    try {
      refs = uniqueRefs(mapper(obj, hub));
    } catch (err) {
      log.warn({ err: messageOf(err), object: obj.metadata.name }, 'mapper failed; event dropped');
      return;
    }
    for (const ref of refs) sink(ref, why, priority);
  };
  return (ev, old, resumed) => {
    switch (ev.type) {
      case 'initApply':
        if (!resumed && predicate(old, ev.object)) emit(ev.object, 'relist', 'low');
        return;
      case 'apply':
        if (predicate(old, ev.object)) emit(ev.object, reason, 'normal');
        return;
      case 'delete':
        emit(ev.object, reason === 'event' ? 'delete' : reason, 'normal');
        return;
      default:
        return;
    }
  };
}

/** Subscribes one controller to the hub's sources (creating them as needed). */
export function wireController(
  spec: ControllerSpec,
  hub: SourceHub,
  sink: Sink,
  log: Logger,
  scope?: DispatchScope,
): void {
  if (spec.watchPrimary) {
    hub.source(spec.kind, false).subscribe(
      // Pausing and resuming always pass, whatever the function's own predicate filters out.
      subscriber(enqueueSelf(spec.kind), or(spec.predicate, pauseChanged), 'event', hub, sink, log, scope),
    );
  }
  for (const o of spec.owns) {
    hub
      .source(o.kind, true)
      .subscribe(subscriber(enqueueOwner(spec.kind), o.predicate, 'owned', hub, sink, log, scope));
  }
  for (const w of spec.watches) {
    hub
      .source(w.kind, w.metadataOnly)
      .subscribe(subscriber(w.mapper, w.predicate, 'mapped', hub, sink, log, scope));
  }
}

/** Runs the controller's stream sources until `signal` aborts (each stream restarts its own watch). */
export async function runStreams(
  spec: ControllerSpec,
  hub: SourceHub,
  sink: Sink,
  signal: AbortSignal,
  log: Logger,
  scope?: DispatchScope,
): Promise<void> {
  await Promise.all(
    spec.streams.map(async (s) => {
      const reason: EnqueueReason = s.role === 'primary' ? 'event' : s.role === 'owned' ? 'owned' : 'mapped';
      while (!signal.aborted) {
        try {
          for await (const item of s.stream.touched(signal)) {
            if (signal.aborted) return;
            if (scope && !scope.objects(item.object)) continue;
            for (const ref of uniqueRefs(s.mapper(item.object, hub)))
              sink(ref, item.deleted && reason === 'event' ? 'delete' : reason, 'normal');
          }
        } catch (err) {
          log.warn(
            { err: messageOf(err), kind: spec.kind.kind, role: s.role },
            'stream source failed; restarting',
          );
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    }),
  );
}
