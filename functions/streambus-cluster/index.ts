/**
 * @module functions/streambus-cluster
 * The StreamBusCluster function (`streambus.io/v1alpha1`): a broker cluster as a ConfigMap,
 * Services, a StatefulSet, a PodDisruptionBudget and (optionally) a NetworkPolicy and a
 * ServiceMonitor. Its declaration: every object it owns triggers it.
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
    ],
    // The TLS Secrets it mounts must exist (read metadata only).
    secrets: ['get'],
  },
  handlers: () => import('./handlers.js'),
});
