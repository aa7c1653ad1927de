/**
 * @module functions/streambus-cluster
 * The StreamBusCluster function (`streambus.io/v1alpha1`): a broker cluster as a ConfigMap,
 * Services, a StatefulSet, a PodDisruptionBudget and (optionally) a NetworkPolicy and a
 * ServiceMonitor. Its declaration: every object it owns triggers it, and its reconciles are also
 * counted as `streambus_operator_reconcile_*`.
 */
import { Builtin, declareFunction } from '../../runtime/index.js';
import { StreamBusClusterKind } from '../../shared/kinds.js';

export const streamBusClusterFunction = declareFunction(StreamBusClusterKind, {
  controller: (c) =>
    c
      .owns(Builtin.StatefulSet)
      .owns(Builtin.Service)
      .owns(Builtin.ConfigMap)
      .owns(Builtin.PodDisruptionBudget)
      .owns(Builtin.NetworkPolicy),
  access: {
    // Server-side apply is a PATCH that may create: both. The StatefulSet is read for status;
    // NetworkPolicies and ServiceMonitors are also pruned when switched off.
    rules: [
      { apiGroups: [''], resources: ['configmaps', 'services'], verbs: ['create', 'patch'] },
      { apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['get', 'create', 'patch'] },
      { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['create', 'patch'] },
      {
        apiGroups: ['networking.k8s.io'],
        resources: ['networkpolicies'],
        verbs: ['get', 'create', 'patch', 'delete'],
      },
      {
        apiGroups: ['monitoring.coreos.com'],
        resources: ['servicemonitors'],
        verbs: ['get', 'create', 'patch', 'delete'],
      },
      // The checks: the StorageClass its claims name must exist; broker pods the scheduler
      // cannot place are reported.
      { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get'], clusterScoped: true },
      { apiGroups: [''], resources: ['pods', 'persistentvolumeclaims'], verbs: ['list'] },
    ],
    // The TLS and JWT Secrets it mounts must exist (read metadata only).
    secrets: ['get'],
  },
  // The StreamBus operator's own metric names, which its dashboards and alerts use.
  metricsAlias: 'streambus_operator',
  handlers: () => import('./handlers.js'),
});
