/**
 * @module bench/lib/capacity-kind
 * The capacity benchmark's reconciler, for the test Widget kind: it waits a fixed time (standing
 * for a broker round trip: the reconcile is I/O-bound, as Sluice's are) and then merge-patches the
 * object's `/status` on the real API server with `observedGeneration` and a `Ready` condition.
 * It tells `note` when it starts and ends, with the generation it read, so that the benchmark
 * can check one run per key at a time across processes and that no change was lost.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  awaitChange,
  conditionsOf,
  jobKey,
  refOf,
  type KubeObject,
  type SluiceFunction,
} from '../../runtime/index.js';
import { WidgetKind } from '../../test/runtime/widget-function.js';

/** Called at the start and the end of each run with the object's key and the generation read. */
export type RunNote = (phase: 'start' | 'end', key: string, generation: number) => void;

/** The Widget reconciler of the capacity benchmark (the loaded form the worker host runs). */
export function capacityFunction(reconcileMs: number, note: RunNote): SluiceFunction {
  return {
    kind: WidgetKind,
    finalizer: undefined,
    keepsFinalizer: () => true,
    finalize: undefined,
    async reconcile(obj: KubeObject, ctx) {
      const key = jobKey(refOf(WidgetKind, obj));
      const generation = obj.metadata.generation ?? 0;
      note('start', key, generation);
      await sleep(reconcileMs, undefined, { signal: ctx.signal });
      const ready = conditionsOf(obj.status).find((c) => c.type === 'Ready' && c.status === 'True');
      await ctx.kube.patch(
        WidgetKind,
        obj.metadata.namespace,
        obj.metadata.name ?? '',
        {
          status: {
            observedGeneration: generation,
            conditions: [
              {
                type: 'Ready',
                status: 'True',
                reason: 'Reconciled',
                message: `reconciled generation ${generation}`,
                lastTransitionTime: ready?.lastTransitionTime ?? new Date().toISOString(),
                observedGeneration: generation,
              },
            ],
          },
        },
        'status',
      );
      note('end', key, generation);
      return awaitChange();
    },
  };
}
