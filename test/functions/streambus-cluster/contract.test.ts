/**
 * The reconciler contract for StreamBusCluster (missing object, idempotency of a converged
 * cluster including every child it owns, terminal error on a spec that cannot work).
 */
import { streamBusClusterFunction } from '../../../functions/streambus-cluster/index.js';
import { Builtin, StreamBusClusterKind } from '../../../shared/index.js';
import { runReconcilerContract } from '../../contract/reconciler.contract.js';
import { testContext } from '../../helpers/context.js';
import { installCrds } from '../../helpers/crds.js';
import { ensureStandardStorageClass, seedCluster } from '../../fixtures/streambus/fixtures.js';

runReconcilerContract('StreamBusCluster', {
  fn: streamBusClusterFunction,
  valid: (ns) => seedCluster('multi-tenancy', ns, 'contract'),
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
  maxRounds: 120,
});
