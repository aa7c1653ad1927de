/**
 * @module functions/streambus-cluster/watch
 * What triggers a StreamBusCluster reconcile besides its own changes: the objects it owns. Light on
 * purpose (no handler code), so that the dispatcher can load it alone.
 */
import { StreamBusClusterKind } from '../../shared/kinds.js';
import { Builtin } from '../../shared/kube/resources.js';
import type { WatchConfig, WatchRegistration } from '../../shared/runtime/registration.js';

export const streamBusClusterWatch: WatchConfig = {
  owns: [
    { kind: Builtin.StatefulSet },
    { kind: Builtin.Service },
    { kind: Builtin.ConfigMap },
    { kind: Builtin.PodDisruptionBudget },
    { kind: Builtin.NetworkPolicy },
  ],
};

export const streamBusClusterWatchRegistration: WatchRegistration = {
  kind: StreamBusClusterKind,
  watch: streamBusClusterWatch,
  finalizer: undefined,
};
