/**
 * @module functions/streambus-cluster/desired-services
 * The objects around the brokers: the headless and client Services, the PodDisruptionBudget, the
 * NetworkPolicy (multi-tenancy isolation) and the ServiceMonitor (Prometheus Operator). Pure.
 *
 * - Headless Service `<name>-headless`: gives each pod its DNS name for Raft and pod-to-pod
 *   traffic; publishes not-ready addresses, because brokers must find their peers before any is
 *   ready.
 * - Client Service `<name>` (ClusterIP): the broker, HTTP (health, /metrics) and gRPC ports.
 * - PodDisruptionBudget `<name>`: at most one broker voluntarily down at a time.
 * - NetworkPolicy `<name>` (multiTenancy.enabled and isolation.networkPolicies): the Raft port
 *   accepts only the cluster's own brokers; the client ports (broker, HTTP, gRPC) accept any pod;
 *   every other port of the brokers is closed.
 * - ServiceMonitor `<name>` (observability.metrics.serviceMonitor): scrapes `/metrics` on the HTTP
 *   port of the client Service, every `metrics.interval` when given.
 */
import type { KubeObject } from '../../runtime/index.js';
import type { StreamBusClusterSpec } from './spec.js';
import { RAFT_PORT, childMeta, names, selectorLabels, type ClusterId } from './topology.js';

/** The labels that tell the client Service apart (the ServiceMonitor selects on them). */
export function clientServiceLabels(cluster: string): Record<string, string> {
  return { ...selectorLabels(cluster), 'app.kubernetes.io/component': 'client' };
}

function port(name: string, value: number): Record<string, unknown> {
  return { name, port: value, targetPort: name, protocol: 'TCP' };
}

/** The headless Service `<name>-headless`. */
export function desiredHeadlessService(id: ClusterId, spec: StreamBusClusterSpec): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMeta(id, names.headless(id.name), 'peers'),
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: selectorLabels(id.name),
      ports: [port('broker', spec.config.port), port('grpc', spec.config.grpcPort), port('raft', RAFT_PORT)],
    },
  };
}

/** The client Service `<name>`. */
export function desiredClientService(id: ClusterId, spec: StreamBusClusterSpec): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMeta(id, names.client(id.name), 'client'),
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(id.name),
      ports: [
        port('broker', spec.config.port),
        port('http', spec.config.httpPort),
        port('grpc', spec.config.grpcPort),
      ],
    },
  };
}

/** The PodDisruptionBudget `<name>`: maxUnavailable 1. */
export function desiredPodDisruptionBudget(id: ClusterId): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: childMeta(id, names.pdb(id.name), 'broker'),
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(id.name) } },
  };
}

/** Whether the spec asks for a NetworkPolicy. */
export function wantsNetworkPolicy(spec: StreamBusClusterSpec): boolean {
  return (spec.multiTenancy.enabled ?? false) && (spec.multiTenancy.isolation.networkPolicies ?? false);
}

/** The NetworkPolicy `<name>`. */
export function desiredNetworkPolicy(id: ClusterId, spec: StreamBusClusterSpec): KubeObject {
  const tcp = (p: number): Record<string, unknown> => ({ protocol: 'TCP', port: p });
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: childMeta(id, names.networkPolicy(id.name), 'isolation'),
    spec: {
      podSelector: { matchLabels: selectorLabels(id.name) },
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ podSelector: { matchLabels: selectorLabels(id.name) } }], ports: [tcp(RAFT_PORT)] },
        { ports: [tcp(spec.config.port), tcp(spec.config.httpPort), tcp(spec.config.grpcPort)] },
      ],
    },
  };
}

/** Whether the spec asks for a ServiceMonitor. */
export function wantsServiceMonitor(spec: StreamBusClusterSpec): boolean {
  return spec.observability.metrics.enabled && spec.observability.metrics.serviceMonitor;
}

/** The ServiceMonitor `<name>` (monitoring.coreos.com/v1). */
export function desiredServiceMonitor(id: ClusterId, spec: StreamBusClusterSpec): KubeObject {
  const interval = spec.observability.metrics.interval;
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: childMeta(id, names.serviceMonitor(id.name), 'metrics'),
    spec: {
      selector: { matchLabels: clientServiceLabels(id.name) },
      namespaceSelector: { matchNames: [id.namespace] },
      endpoints: [{ port: 'http', path: '/metrics', scheme: 'http', ...(interval ? { interval } : {}) }],
    },
  };
}
