/**
 * @module cli/demo/cleanup
 * Removing what the demo made, while its Sluice still runs, in an order that lets every finalizer
 * clean up outside Kubernetes:
 * 1. the Directive and the Tawon Streams: their finalizers delete the JetStream streams (the store
 *    must still exist, or the finalizer reports `StoreGone` and leaves the stream on the server);
 * 2. the Streaming Runtime Stream: its auto-provisioned ClusterStream is released, deletes its
 *    topic (reclaimPolicy Delete) and then itself;
 * 3. the demo's ClusterStream, switched to reclaimPolicy Delete first so that its topic goes too
 *    (the example says Retain, which would leave the topic on the broker);
 * 4. the StreamBusCluster and the StreamStore (their children go through owner references),
 *    then both namespaces.
 * The CRDs and the StorageClasses stay: other users of the API server may rely on them.
 * Each wait is bounded; what is still there afterwards is reported, not hidden.
 */
import { Builtin, type KindInfo, type KubeClient, type KubeObject } from '../../runtime/index.js';
import {
  ClusterStreamKind,
  DirectiveKind,
  StreamBusClusterKind,
  StreamStoreKind,
  TanzuStreamKind,
  TawonStreamKind,
} from '../../shared/index.js';
import { AUTO_PROVISIONED_LABEL } from '../../shared/tanzu/index.js';
import { applyAs, waitFor } from './cluster.js';
import type { DemoNames } from './environment.js';
import type { Example } from './examples.js';
import { kindLabel, scopedObjects } from './status.js';

export type Say = (line: string) => void;

async function remaining(
  kube: KubeClient,
  names: DemoNames,
  kinds: readonly KindInfo[],
): Promise<KubeObject[]> {
  const all = await scopedObjects(kube, [names.namespace, names.operatorNamespace]);
  return all.filter((o) => kinds.includes(o.kind)).map((o) => o.object);
}

async function deleteAll(
  kube: KubeClient,
  names: DemoNames,
  kinds: readonly KindInfo[],
  say: Say,
  timeoutMs: number,
): Promise<void> {
  const objects = await scopedObjects(kube, [names.namespace, names.operatorNamespace]);
  for (const { kind, object } of objects.filter((o) => kinds.includes(o.kind))) {
    const { namespace, name = '' } = object.metadata;
    await kube.delete(kind, namespace, name, { propagationPolicy: 'Background' });
    say(`  deleting ${kindLabel(kind)} ${namespace ? `${namespace}/` : ''}${name}`);
  }
  const gone = await waitFor(async () => (await remaining(kube, names, kinds)).length === 0, timeoutMs);
  if (!gone) {
    const left = (await remaining(kube, names, kinds)).map((o) => o.metadata.name ?? '').join(', ');
    say(`  still there after ${Math.round(timeoutMs / 1000)} s: ${left}`);
  }
}

/** The ClusterStreams Sluice provisioned for the demo's Streams. */
async function provisioned(kube: KubeClient, names: DemoNames): Promise<KubeObject[]> {
  return (await remaining(kube, names, [ClusterStreamKind])).filter(
    (cs) => cs.metadata.labels?.[AUTO_PROVISIONED_LABEL] === 'true',
  );
}

/** Deletes everything the demo made (see the module documentation for the order). */
export async function cleanUp(
  kube: KubeClient,
  names: DemoNames,
  demoClusterStream: Example | undefined,
  say: Say,
  timeoutMs = 90_000,
): Promise<void> {
  say('cleaning up:');
  await deleteAll(kube, names, [DirectiveKind, TawonStreamKind], say, timeoutMs);
  await deleteAll(kube, names, [TanzuStreamKind], say, timeoutMs);
  const released = await waitFor(async () => (await provisioned(kube, names)).length === 0, timeoutMs);
  say(
    released
      ? '  the provisioned ClusterStreams were released, deleted their topics and themselves'
      : '  a provisioned ClusterStream is still there (see its Events)',
  );
  const cs = demoClusterStream?.object;
  if (cs && (await kube.get(ClusterStreamKind, undefined, cs.metadata.name ?? ''))) {
    const spec = cs.spec as { storage: Record<string, unknown> };
    await applyAs(kube, ClusterStreamKind, {
      ...cs,
      spec: { ...spec, storage: { ...spec.storage, reclaimPolicy: 'Delete' } },
    });
    say(`  ClusterStream ${cs.metadata.name ?? ''}: reclaimPolicy set to Delete so that its topic goes too`);
  }
  await deleteAll(kube, names, [ClusterStreamKind], say, timeoutMs);
  await deleteAll(kube, names, [StreamBusClusterKind, StreamStoreKind], say, timeoutMs);
  for (const ns of [names.namespace, names.operatorNamespace]) {
    if (await kube.delete(Builtin.Namespace, undefined, ns)) say(`  deleting namespace ${ns}`);
  }
  const gone = await waitFor(
    async () =>
      !(await kube.get(Builtin.Namespace, undefined, names.namespace)) &&
      !(await kube.get(Builtin.Namespace, undefined, names.operatorNamespace)),
    timeoutMs,
  );
  say(
    gone ? '  namespaces deleted' : '  the namespaces are still terminating (the API server finishes them)',
  );
}
