/**
 * @module functions/streambus-cluster/topology
 * The names, labels, paths and addresses every object of a StreamBusCluster agrees on. Pure.
 *
 * Identity: pod `<name>-<i>` of the StatefulSet `<name>` is broker `i + 1` (the broker treats id 0
 * as unset), reachable at `<name>-<i>.<name>-headless.<namespace>.svc` through the headless Service.
 */
import { controllerRef, type KubeObject, type ObjectMeta } from '../../runtime/index.js';
import { StreamBusClusterKind } from '../../shared/index.js';

/** The Raft port of every broker; fixed, because every broker's peer list names it. */
export const RAFT_PORT = 7000;

/** The `app.kubernetes.io/name` of broker pods; the seed's anti-affinity example selects on it. */
export const BROKER_APP = 'streambus-broker';

/** Pod-template annotation holding the hash of the broker configuration; a change rolls the pods. */
export const CONFIG_HASH_ANNOTATION = 'sluice.io/config-hash';

/** The cluster DNS domain used in the Raft peer list. */
export const CLUSTER_DOMAIN = 'cluster.local';

/** Where the broker finds its files inside the container. */
export const PATHS = {
  configDir: '/etc/streambus/config',
  configFile: '/etc/streambus/config/broker.yaml',
  tlsDir: '/etc/streambus/tls',
  caDir: '/etc/streambus/ca',
  jwtDir: '/etc/streambus/jwt',
  dataDir: '/data',
  raftDir: '/raft',
  binary: '/app/streambus-broker',
} as const;

/** The key of the broker configuration file in the ConfigMap. */
export const CONFIG_KEY = 'broker.yaml';

export const names = {
  statefulSet: (cluster: string): string => cluster,
  configMap: (cluster: string): string => `${cluster}-config`,
  headless: (cluster: string): string => `${cluster}-headless`,
  client: (cluster: string): string => cluster,
  pdb: (cluster: string): string => cluster,
  networkPolicy: (cluster: string): string => cluster,
  serviceMonitor: (cluster: string): string => cluster,
  pod: (cluster: string, ordinal: number): string => `${cluster}-${ordinal}`,
};

/** The labels that select a cluster's broker pods; they never change (a selector is immutable). */
export function selectorLabels(cluster: string): Record<string, string> {
  return { 'app.kubernetes.io/name': BROKER_APP, 'app.kubernetes.io/instance': cluster };
}

/** The labels of an object Sluice creates for `cluster`, with its role. */
export function objectLabels(cluster: string, component: string): Record<string, string> {
  return {
    ...selectorLabels(cluster),
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': 'streambus',
    'app.kubernetes.io/managed-by': 'sluice',
  };
}

/** The broker id of the pod with `ordinal`: the ordinal plus one. */
export function brokerId(ordinal: number): number {
  return ordinal + 1;
}

/** The Raft peer list every broker reads: `"<id>:<pod>.<headless>.<ns>.svc.cluster.local:7000"`. */
export function peers(cluster: string, namespace: string, replicas: number): string[] {
  return Array.from(
    { length: replicas },
    (_, i) =>
      `${brokerId(i)}:${names.pod(cluster, i)}.${names.headless(cluster)}.${namespace}.svc.${CLUSTER_DOMAIN}:${RAFT_PORT}`,
  );
}

/** The per-broker client addresses published in `status.endpoints`. */
export function endpoints(cluster: string, namespace: string, replicas: number, port: number): string[] {
  return Array.from(
    { length: replicas },
    (_, i) => `${names.pod(cluster, i)}.${names.headless(cluster)}.${namespace}.svc:${port}`,
  );
}

/** A cluster's identity, as the builders need it. */
export interface ClusterId {
  readonly name: string;
  readonly namespace: string;
  /** The cluster object itself, for the owner reference of its children. */
  readonly owner: KubeObject;
}

/** Metadata of a child object: its name, the cluster's namespace, labels and a controller reference. */
export function childMeta(id: ClusterId, name: string, component: string): ObjectMeta {
  return {
    name,
    namespace: id.namespace,
    labels: objectLabels(id.name, component),
    ownerReferences: [controllerRef(StreamBusClusterKind, id.owner)],
  };
}
