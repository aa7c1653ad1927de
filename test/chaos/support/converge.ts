/**
 * @module test/chaos/support/converge
 * What "converged" means for a ClusterStream in the chaos tests, and waiting for a condition.
 */
import { findCondition, type KubeObject } from '../../../runtime/index.js';
import { eventually } from '../../helpers/kube.js';

/** Ready=True, observed at the object's current generation. */
export function isReadyNow(obj: KubeObject): boolean {
  const ready = findCondition(obj.status, 'Ready');
  return ready?.status === 'True' && ready.observedGeneration === obj.metadata.generation;
}

/** The reason of the Ready condition. */
export function readyReason(obj: KubeObject | undefined): string | undefined {
  return obj ? findCondition(obj.status, 'Ready')?.reason : undefined;
}

/** Polls until `name`'s Ready condition has `reason`. */
export function untilReason(
  rig: { get(name: string): Promise<KubeObject | undefined> },
  name: string,
  reason: string,
  timeoutMs = 60_000,
): Promise<KubeObject> {
  return eventually(
    `ClusterStream ${name} to be Ready=${reason}`,
    async () => {
      const obj = await rig.get(name);
      return obj && readyReason(obj) === reason ? obj : undefined;
    },
    timeoutMs,
    200,
  );
}
