/**
 * The reconciler contract for StreamBusCluster (missing object, idempotency of a converged
 * cluster including every child it owns, terminal error on a spec that cannot work).
 *
 * The valid cluster is the seed's multi-tenancy example (so the NetworkPolicy is among the
 * children) with a nodeSelector no node matches: it settles in Creating as soon as its pods exist.
 * The contract takes "nothing changed for one round" as converged, which a cluster still waiting
 * for its claims to bind and its pods to be scheduled can show for a moment and then leave; a
 * cluster that cannot be scheduled has no such pause once the scheduler has said so: the pods'
 * verdict comes only after their claims bind and the scheduler retries them, so the case is settled
 * when Ready says Unschedulable (a quiet second before that verdict once failed CI). The same
 * no-write property for a Running cluster is checked in cluster.test.ts.
 */
import { streamBusClusterFunction } from '../../../functions/streambus-cluster/index.js';
import { Builtin, findCondition } from '../../../runtime/index.js';
import { StreamBusClusterKind } from '../../../shared/index.js';
import { runReconcilerContract } from '../../contract/reconciler.contract.js';
import { testContext } from '../../helpers/context.js';
import { installCrds } from '../../helpers/crds.js';
import { ensureStandardStorageClass, seedCluster } from '../../fixtures/streambus/fixtures.js';

runReconcilerContract('StreamBusCluster', {
  fn: streamBusClusterFunction,
  valid: (ns) => {
    const manifest = seedCluster('multi-tenancy', ns, 'contract');
    const spec = manifest.spec as Record<string, unknown>;
    return {
      ...manifest,
      spec: { ...spec, replicas: 1, nodeSelector: { 'sluice.io/no-such-node': 'true' } },
    };
  },
  invalid: (ns) => {
    const manifest = seedCluster('security', ns, 'contract-invalid');
    return { ...manifest, spec: { security: { tls: { enabled: true } } } };
  },
  invalidReason: 'InvalidSpec',
  context: (_ns, ref) => testContext(StreamBusClusterKind, { about: ref }),
  children: [
    Builtin.ConfigMap,
    Builtin.Service,
    Builtin.StatefulSet,
    Builtin.PodDisruptionBudget,
    Builtin.NetworkPolicy,
  ],
  setup: async () => {
    await installCrds();
    await ensureStandardStorageClass();
  },
  maxRounds: 60,
  settled: (obj) => findCondition(obj.status, 'Ready')?.reason === 'Unschedulable',
});
