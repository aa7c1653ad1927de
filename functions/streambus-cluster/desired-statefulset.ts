/**
 * @module functions/streambus-cluster/desired-statefulset
 * The broker StatefulSet `<name>`. Pure.
 *
 * - Pods start in parallel (`podManagementPolicy: Parallel`): a Raft broker becomes ready only
 *   once a quorum of its peers runs, so ordered start-up would wait forever on pod 0.
 * - Updates roll one broker at a time (`RollingUpdate`). The pod template carries the hash of the
 *   broker configuration, so a configuration change rolls the brokers just as an image change does.
 * - Each pod derives its broker id (ordinal + 1) from its own name at start and runs the broker
 *   with the mounted configuration file.
 * - Claims `data` (storage.size) and `raft-data` (storage.raftSize), both of storage.class; these
 *   templates cannot change after creation (see {@link storageChange}).
 * - Without `spec.affinity`, the brokers get a preferred pod anti-affinity on
 *   `kubernetes.io/hostname` over this cluster's broker pods (weight 100), so the scheduler
 *   spreads them over nodes where it can and still places them where it cannot (one node, a dev
 *   cluster). An explicit `spec.affinity` replaces it entirely.
 * - TLS and CA Secrets are mounted read-only when TLS is enabled, the JWT Secret while jwt is an
 *   accepted authentication method.
 */
import type {
  V1Affinity,
  V1Container,
  V1EnvVar,
  V1PersistentVolumeClaim,
  V1PodSpec,
  V1ResourceRequirements,
  V1StatefulSetSpec,
  V1Toleration,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import type { KubeObject, ObjectMeta } from '../../runtime/index.js';
import { jwtSecretName } from './parse.js';
import type { StreamBusClusterSpec, TolerationSpec } from './spec.js';
import {
  CONFIG_HASH_ANNOTATION,
  PATHS,
  RAFT_PORT,
  childMeta,
  names,
  objectLabels,
  selectorLabels,
  type ClusterId,
} from './topology.js';

/** A StatefulSet as Sluice writes it. */
export interface StatefulSetManifest extends KubeObject {
  readonly metadata: ObjectMeta;
  readonly spec: V1StatefulSetSpec;
}

/** The container image of `spec`: `repository:tag`, or `repository@digest` for a `sha256:` tag. */
export function imageOf(spec: StreamBusClusterSpec): string {
  const { repository, tag } = spec.image;
  return tag.startsWith('sha256:') ? `${repository}@${tag}` : `${repository}:${tag}`;
}

/** Quantities as strings (the API accepts numbers, but the typed client wants strings). */
function quantities(map: Record<string, string | number> | undefined): Record<string, string> | undefined {
  if (!map) return undefined;
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, String(v)]));
}

/**
 * The shell line that sets the broker id from the pod ordinal and starts the broker. The id goes
 * in the `--broker-id` flag, which the broker binds to `server.broker_id`: its environment binding
 * (viper's, with no key replacer) would look for `STREAMBUS_SERVER.BROKER_ID`, a name a shell
 * cannot export. The variable is exported too, for brokers that do read it.
 */
export function startCommand(): string[] {
  return [
    '/bin/sh',
    '-c',
    `STREAMBUS_SERVER_BROKER_ID=$(( \${POD_NAME##*-} + 1 )); export STREAMBUS_SERVER_BROKER_ID; ` +
      `exec ${PATHS.binary} --config=${PATHS.configFile} --broker-id="$STREAMBUS_SERVER_BROKER_ID"`,
  ];
}

function env(): V1EnvVar[] {
  return [
    { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
  ];
}

function volumes(
  id: ClusterId,
  spec: StreamBusClusterSpec,
): { volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  const vols: V1Volume[] = [{ name: 'config', configMap: { name: names.configMap(id.name) } }];
  const mounts: V1VolumeMount[] = [
    { name: 'data', mountPath: PATHS.dataDir },
    { name: 'raft-data', mountPath: PATHS.raftDir },
    { name: 'config', mountPath: PATHS.configDir, readOnly: true },
  ];
  const tls = spec.security.tls;
  if (tls.enabled && tls.certSecretName) {
    vols.push({ name: 'tls', secret: { secretName: tls.certSecretName } });
    mounts.push({ name: 'tls', mountPath: PATHS.tlsDir, readOnly: true });
    if (tls.caSecretName) {
      vols.push({ name: 'ca', secret: { secretName: tls.caSecretName } });
      mounts.push({ name: 'ca', mountPath: PATHS.caDir, readOnly: true });
    }
  }
  const jwt = jwtSecretName(spec);
  if (jwt) {
    vols.push({ name: 'jwt', secret: { secretName: jwt } });
    mounts.push({ name: 'jwt', mountPath: PATHS.jwtDir, readOnly: true });
  }
  return { volumes: vols, mounts };
}

function resources(spec: StreamBusClusterSpec): V1ResourceRequirements {
  const requests = quantities(spec.resources.requests);
  const limits = quantities(spec.resources.limits);
  return { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) };
}

function container(spec: StreamBusClusterSpec, mounts: V1VolumeMount[]): V1Container {
  const { port, httpPort, grpcPort } = spec.config;
  return {
    name: 'broker',
    image: imageOf(spec),
    imagePullPolicy: spec.image.pullPolicy,
    command: startCommand(),
    env: env(),
    ports: [
      { name: 'broker', containerPort: port, protocol: 'TCP' },
      { name: 'http', containerPort: httpPort, protocol: 'TCP' },
      { name: 'grpc', containerPort: grpcPort, protocol: 'TCP' },
      { name: 'raft', containerPort: RAFT_PORT, protocol: 'TCP' },
    ],
    resources: resources(spec),
    livenessProbe: {
      httpGet: { path: '/health', port: 'http' },
      initialDelaySeconds: 30,
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 3,
    },
    readinessProbe: {
      httpGet: { path: '/health/ready', port: 'http' },
      initialDelaySeconds: 5,
      periodSeconds: 5,
      timeoutSeconds: 3,
      failureThreshold: 3,
    },
    volumeMounts: mounts,
  };
}

function claim(id: ClusterId, name: string, size: string, storageClass: string): V1PersistentVolumeClaim {
  return {
    metadata: { name, labels: selectorLabels(id.name) },
    spec: {
      accessModes: ['ReadWriteOnce'],
      storageClassName: storageClass,
      resources: { requests: { storage: size } },
    },
  };
}

/** A toleration without its absent fields. */
function toleration(t: TolerationSpec): V1Toleration {
  return Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined));
}

/** The pod labels: the selector labels, Sluice's labels, then podLabels (which cannot change the selector ones). */
export function podLabels(id: ClusterId, spec: StreamBusClusterSpec): Record<string, string> {
  return { ...objectLabels(id.name, 'broker'), ...spec.podLabels, ...selectorLabels(id.name) };
}

/** The pod annotations: podAnnotations plus the configuration hash. */
export function podAnnotations(spec: StreamBusClusterSpec, hash: string): Record<string, string> {
  return { ...spec.podAnnotations, [CONFIG_HASH_ANNOTATION]: hash };
}

/** The affinity used when the spec gives none: spread this cluster's brokers over hostnames. */
export function defaultAffinity(id: ClusterId): V1Affinity {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            labelSelector: { matchLabels: selectorLabels(id.name) },
            topologyKey: 'kubernetes.io/hostname',
          },
        },
      ],
    },
  };
}

/** The StatefulSet `<name>`; `hash` is the {@link configHash} of the ConfigMap it mounts. */
export function desiredStatefulSet(
  id: ClusterId,
  spec: StreamBusClusterSpec,
  hash: string,
): StatefulSetManifest {
  const { volumes: vols, mounts } = volumes(id, spec);
  const podSpec: V1PodSpec = {
    containers: [container(spec, mounts)],
    volumes: vols,
    affinity: spec.affinity ?? defaultAffinity(id),
    ...(spec.nodeSelector ? { nodeSelector: { ...spec.nodeSelector } } : {}),
    ...(spec.tolerations ? { tolerations: spec.tolerations.map(toleration) } : {}),
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: childMeta(id, names.statefulSet(id.name), 'broker'),
    spec: {
      replicas: spec.replicas,
      serviceName: names.headless(id.name),
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'RollingUpdate' },
      selector: { matchLabels: selectorLabels(id.name) },
      template: {
        metadata: { labels: podLabels(id, spec), annotations: podAnnotations(spec, hash) },
        spec: podSpec,
      },
      volumeClaimTemplates: [
        claim(id, 'data', spec.storage.size, spec.storage.class),
        claim(id, 'raft-data', spec.storage.raftSize, spec.storage.class),
      ],
    },
  };
}
