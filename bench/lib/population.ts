/**
 * @module bench/lib/population
 * The object population of the `memory` and `restart` scenarios: N objects across kinds in one
 * namespace, in fixed shares. Primary kinds are watched as full objects by the dispatcher; the
 * owned kinds (ConfigMaps, Secrets) metadata-only, as every Sluice function declares them.
 * No worker reconciles them (the scenarios consume only what they measure).
 */
import { Builtin, type KubeObject, type ResourceType } from '../../runtime/index.js';
import { TanzuStreamKind, TawonStreamKind } from '../../shared/index.js';
import { BENCH_LABEL, createMany } from './kube.js';

/** Shares of the population, per kind. */
export const SHARES: readonly { readonly type: ResourceType; readonly share: number }[] = [
  { type: TawonStreamKind, share: 0.4 },
  { type: TanzuStreamKind, share: 0.2 },
  { type: Builtin.ConfigMap, share: 0.2 },
  { type: Builtin.Secret, share: 0.2 },
];

function object(type: ResourceType, namespace: string, i: number): KubeObject {
  const metadata = { name: `p-${i}`, namespace, labels: { [BENCH_LABEL]: 'true' } };
  switch (type.kind) {
    case 'ConfigMap':
      return { metadata, data: { index: String(i), note: 'benchmark population' } };
    case 'Secret':
      return { metadata, type: 'Opaque', stringData: { index: String(i) } };
    default:
      return type.group === TawonStreamKind.group
        ? {
            metadata,
            spec: { store: { name: 'mystreamstore' }, maxmsgs: 100000, maxage: '6h', maxbytes: '1G' },
          }
        : { metadata, spec: { name: `bench-topic-${i}`, protocol: 'kafka' } };
  }
}

/** Creates `total` objects in `namespace`; returns the count per kind. */
export async function populate(
  namespace: string,
  total: number,
  say: (m: string) => void,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const t0 = Date.now();
  for (const { type, share } of SHARES) {
    const n = Math.round(total * share);
    counts[`${type.kind}.${type.group || 'core'}`] = n;
    await createMany(
      type,
      Array.from({ length: n }, (_, i) => object(type, namespace, i)),
      16,
    );
    say(`  created ${n} ${type.kind} (${type.group || 'core'}) in ${namespace}`);
  }
  say(`  population of ${total} created in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return counts;
}
