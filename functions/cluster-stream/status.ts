/**
 * @module functions/cluster-stream/status
 * Writing a ClusterStream's status from what a pass found, and the parts of the last status a
 * pass keeps when it has not looked at the topic.
 */
import { namespacedName } from '../../runtime/index.js';
import { ClusterStreamKind, type BrokerSettingsDriftContext } from '../../shared/index.js';
import type { ClusterStream } from '../../shared/index.js';
import { clusterStreamStatus, type StatusInput } from './desired.js';

/** `namespace/name` of the Stream in `claimRef`. */
export function claimantName(cs: ClusterStream): string {
  const ref = cs.spec.claimRef;
  return namespacedName(ref?.namespace, ref?.name ?? '');
}

export async function writeStatus(
  cs: ClusterStream,
  input: StatusInput,
  ctx: BrokerSettingsDriftContext,
): Promise<void> {
  await ctx.kube.writeStatus(ClusterStreamKind, cs, clusterStreamStatus(cs, input, ctx.clock.now()));
}

/** Keeps what the last status said about the topic, with a new phase and Ready condition. */
export function carriedOver(cs: ClusterStream): Omit<StatusInput, 'phase' | 'ready'> {
  const s = cs.status;
  return {
    ...(s?.binding?.name === undefined ? {} : { binding: s.binding.name }),
    ...(s?.storageAddress === undefined ? {} : { storageAddress: s.storageAddress }),
    ...(s?.topicName === undefined ? {} : { topicName: s.topicName }),
    ...(s?.partitions === undefined ? {} : { partitions: s.partitions }),
    ...(s?.claim === undefined ? {} : { claim: s.claim }),
  };
}
