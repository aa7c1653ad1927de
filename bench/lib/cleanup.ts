/**
 * @module bench/lib/cleanup
 * `npm run bench -- cleanup`: removes what an interrupted scenario may have left on the shared API
 * server: every namespace labelled `sluice.io/bench` (any value; finalizers of the custom resources in it
 * are dropped first, since no controller runs any more) and every ClusterStream carrying the
 * benchmark label, and the BrokerClaims those held (no finalizer ran to release them). Private
 * servers and processes die with the scenario that started them.
 */
import { Builtin, type ResourceType } from '../../runtime/index.js';
import {
  BrokerClaimType,
  ClusterStreamKind,
  TanzuStreamKind,
  TawonStreamKind,
  asBrokerClaim,
} from '../../shared/index.js';
import { BENCH_LABEL, deleteNamespace, forEachLimit, kube } from './kube.js';
import { NackStreamKind } from '../scenarios/jetstream.js';

async function dropFinalizers(
  type: ResourceType,
  namespace: string | undefined,
  labelSelector?: string,
): Promise<number> {
  const items = await kube()
    .listAll(type, namespace, { metadataOnly: true, ...(labelSelector ? { labelSelector } : {}) })
    .catch(() => []);
  await forEachLimit(items, 16, async (o) => {
    const name = o.metadata.name ?? '';
    if ((o.metadata.finalizers ?? []).length > 0)
      await kube()
        .patch(type, o.metadata.namespace, name, { metadata: { finalizers: null } })
        .catch(() => undefined);
    await kube()
      .delete(type, o.metadata.namespace, name)
      .catch(() => undefined);
  });
  return items.length;
}

export async function cleanupLeftovers(say: (m: string) => void): Promise<void> {
  const namespaces = await kube().listAll(Builtin.Namespace, undefined, { labelSelector: BENCH_LABEL });
  for (const ns of namespaces) {
    const name = ns.metadata.name ?? '';
    let n = 0;
    for (const type of [TawonStreamKind, TanzuStreamKind, NackStreamKind])
      n += await dropFinalizers(type, name);
    await deleteNamespace(name);
    say(`  deleted namespace ${name} (${n} custom resources released)`);
  }
  const cs = await dropFinalizers(ClusterStreamKind, undefined, BENCH_LABEL);
  if (cs > 0) say(`  deleted ${cs} ClusterStreams labelled ${BENCH_LABEL}`);
  const benchNamespaces = new Set(namespaces.map((n) => n.metadata.name ?? ''));
  const claims = (
    await kube()
      .listAll(BrokerClaimType)
      .catch(() => [])
  )
    .flatMap((o) => asBrokerClaim(o) ?? [])
    .filter(
      (c) => c.spec.holder.name.startsWith('bench-') || benchNamespaces.has(c.spec.holder.namespace ?? ''),
    );
  await forEachLimit(claims, 16, (c) =>
    kube()
      .delete(BrokerClaimType, undefined, c.metadata.name ?? '')
      .then(
        () => undefined,
        () => undefined,
      ),
  );
  if (claims.length > 0) say(`  deleted ${claims.length} BrokerClaims they held`);
}
