/**
 * @module functions/streambus-cluster
 * The StreamBusCluster function (`streambus.io/v1alpha1`): a broker cluster as a ConfigMap,
 * Services, a StatefulSet, a PodDisruptionBudget and (optionally) a NetworkPolicy and a
 * ServiceMonitor. Its declaration: every object it owns triggers it.
 */
import { Builtin, declareFunction } from '../../runtime/index.js';
import { StreamBusClusterKind } from '../../shared/index.js';

export const streamBusClusterFunction = declareFunction(StreamBusClusterKind, {
  controller: (c) =>
    c
      .owns(Builtin.StatefulSet)
      .owns(Builtin.Service)
      .owns(Builtin.ConfigMap)
      .owns(Builtin.PodDisruptionBudget)
      .owns(Builtin.NetworkPolicy),
  handlers: () => import('./handlers.js'),
});
