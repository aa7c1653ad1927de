/**
 * @module functions/streambus-cluster/desired
 * Everything a StreamBusCluster should be made of, from its validated spec. Pure: the same cluster
 * and spec always give the same objects, with no timestamps or random values, so applying them to
 * a converged cluster writes nothing.
 *
 * Every child carries a controller reference to the cluster, so deleting the cluster
 * garbage-collects them; the claims the StatefulSet made stay, as Kubernetes keeps them by default.
 */
import type { KubeObject } from '../../runtime/index.js';
import { configData, configHash, desiredConfigMap } from './desired-config.js';
import {
  desiredClientService,
  desiredHeadlessService,
  desiredNetworkPolicy,
  desiredPodDisruptionBudget,
  desiredServiceMonitor,
  wantsNetworkPolicy,
  wantsServiceMonitor,
} from './desired-services.js';
import { desiredStatefulSet, type StatefulSetManifest } from './desired-statefulset.js';
import type { StreamBusClusterSpec } from './spec.js';
import type { ClusterId } from './topology.js';

export interface DesiredObjects {
  readonly configMap: KubeObject;
  readonly headlessService: KubeObject;
  readonly clientService: KubeObject;
  readonly podDisruptionBudget: KubeObject;
  readonly statefulSet: StatefulSetManifest;
  /** Present when multi-tenancy isolation asks for network policies; absent means "delete it". */
  readonly networkPolicy: KubeObject | undefined;
  /** Present when metrics ask for a ServiceMonitor; absent means "delete it". */
  readonly serviceMonitor: KubeObject | undefined;
  /** The hash of the ConfigMap data, carried by the pod template. */
  readonly configHash: string;
}

/** The desired children of the cluster `id`. */
export function desiredObjects(id: ClusterId, spec: StreamBusClusterSpec): DesiredObjects {
  const data = configData(id, spec);
  const hash = configHash(data);
  return {
    configMap: desiredConfigMap(id, data),
    headlessService: desiredHeadlessService(id, spec),
    clientService: desiredClientService(id, spec),
    podDisruptionBudget: desiredPodDisruptionBudget(id),
    statefulSet: desiredStatefulSet(id, spec, hash),
    networkPolicy: wantsNetworkPolicy(spec) ? desiredNetworkPolicy(id, spec) : undefined,
    serviceMonitor: wantsServiceMonitor(spec) ? desiredServiceMonitor(id, spec) : undefined,
    configHash: hash,
  };
}
