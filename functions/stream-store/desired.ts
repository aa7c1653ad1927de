/**
 * @module functions/stream-store/desired
 * A StreamStore's desired children, as pure functions of the validated store:
 * - ConfigMap `<name>-config` holding `nats.conf`;
 * - Service `<name>` (client 4222, monitoring 8222);
 * - Service `<name>-headless` (clusterIP None; the StatefulSet's governing Service, plus the
 *   cluster port 6222 when clustered);
 * - StatefulSet `<name>` running nats-server with JetStream, its store directory on the volume of
 *   the `volumeClaimTemplate` (named as the claim template), `persistentVolumeClaimRetentionPolicy`
 *   passed through.
 * Every child carries a controller reference to the store, so the garbage collector removes it.
 */
import {
  Builtin,
  controllerRef,
  managedLabels,
  type KubeObject,
  type ResourceType,
} from '../../runtime/index.js';
import { StreamStoreKind } from '../../shared/index.js';
import {
  CONFIG_DIR,
  CONFIG_FILE,
  PORTS,
  STORE_DIR,
  configHash,
  renderNatsConf,
  storeNames,
} from './nats-conf.js';
import { CONFIG_VOLUME, claimBytes, effectiveClaim, type StreamStore } from './spec.js';

/** The label naming the store on every child and Pod. */
export const STORE_LABEL = 'tawon.mantisnet.com/streamstore';

/** The Pod template annotation carrying the configuration digest. */
export const CONFIG_HASH_ANNOTATION = 'sluice.io/config-hash';

/** A child object with the type it is applied as. */
export interface Child {
  readonly type: ResourceType;
  readonly object: KubeObject;
}

/** The labels that select a store's Pods (stable: they are part of the StatefulSet's selector). */
export function selectorLabels(store: StreamStore): Record<string, string> {
  const name = store.metadata.name ?? '';
  return { ...managedLabels('nats', name, 'stream-store'), [STORE_LABEL]: name };
}

/** `obj` without its `undefined` members (validated class instances carry them for absent fields). */
function definedOnly(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

function meta(store: StreamStore, name: string): KubeObject['metadata'] {
  return {
    name,
    namespace: store.metadata.namespace ?? '',
    labels: selectorLabels(store),
    ownerReferences: [controllerRef(StreamStoreKind, store)],
  };
}

/** The rendered `nats.conf` of `store`. */
export function natsConf(store: StreamStore): string {
  return renderNatsConf({
    name: store.metadata.name ?? '',
    namespace: store.metadata.namespace ?? '',
    replicas: store.spec.replicas,
    maxFileStore: claimBytes(store.spec),
  });
}

export function desiredConfigMap(store: StreamStore): KubeObject {
  return {
    metadata: meta(store, storeNames(store.metadata.name ?? '').configMap),
    data: { [CONFIG_FILE]: natsConf(store) },
  };
}

export function desiredService(store: StreamStore): KubeObject {
  return {
    metadata: meta(store, storeNames(store.metadata.name ?? '').service),
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(store),
      ports: [
        { name: 'client', port: PORTS.client, targetPort: 'client', protocol: 'TCP' },
        { name: 'monitor', port: PORTS.monitor, targetPort: 'monitor', protocol: 'TCP' },
      ],
    },
  };
}

export function desiredHeadlessService(store: StreamStore): KubeObject {
  const clustered = store.spec.replicas > 1;
  return {
    metadata: meta(store, storeNames(store.metadata.name ?? '').headless),
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: selectorLabels(store),
      ports: [
        { name: 'client', port: PORTS.client, targetPort: 'client', protocol: 'TCP' },
        ...(clustered
          ? [{ name: 'cluster', port: PORTS.cluster, targetPort: 'cluster', protocol: 'TCP' }]
          : []),
      ],
    },
  };
}

function container(store: StreamStore): Record<string, unknown> {
  const clustered = store.spec.replicas > 1;
  const health = { httpGet: { path: '/healthz?js-enabled-only=true', port: 'monitor' } };
  return {
    name: 'nats',
    image: store.spec.image,
    command: ['nats-server', '--config', `${CONFIG_DIR}/${CONFIG_FILE}`],
    env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
    ports: [
      { name: 'client', containerPort: PORTS.client, protocol: 'TCP' },
      { name: 'monitor', containerPort: PORTS.monitor, protocol: 'TCP' },
      ...(clustered ? [{ name: 'cluster', containerPort: PORTS.cluster, protocol: 'TCP' }] : []),
    ],
    volumeMounts: [
      { name: effectiveClaim(store.spec).name, mountPath: STORE_DIR },
      { name: CONFIG_VOLUME, mountPath: CONFIG_DIR, readOnly: true },
    ],
    ...(store.spec.resources ? { resources: definedOnly({ ...store.spec.resources }) } : {}),
    readinessProbe: { ...health, periodSeconds: 10, failureThreshold: 3 },
    livenessProbe: { ...health, initialDelaySeconds: 10, periodSeconds: 30, failureThreshold: 3 },
  };
}

export function desiredStatefulSet(store: StreamStore): KubeObject {
  const name = store.metadata.name ?? '';
  const names = storeNames(name);
  const claim = effectiveClaim(store.spec);
  const retention = store.spec.persistentVolumeClaimRetentionPolicy;
  return {
    metadata: meta(store, names.statefulSet),
    spec: {
      serviceName: names.headless,
      replicas: store.spec.replicas,
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: selectorLabels(store) },
      ...(retention ? { persistentVolumeClaimRetentionPolicy: definedOnly({ ...retention }) } : {}),
      template: {
        metadata: {
          labels: selectorLabels(store),
          annotations: { [CONFIG_HASH_ANNOTATION]: configHash(natsConf(store)) },
        },
        spec: {
          containers: [container(store)],
          volumes: [{ name: CONFIG_VOLUME, configMap: { name: names.configMap } }],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: {
            name: claim.name,
            ...(claim.labels ? { labels: claim.labels } : {}),
            ...(claim.annotations ? { annotations: claim.annotations } : {}),
          },
          spec: claim.spec,
        },
      ],
    },
  };
}

/** Every child, in the order they are applied (configuration and Services before the Pods). */
export function desiredChildren(store: StreamStore): Child[] {
  return [
    { type: Builtin.ConfigMap, object: desiredConfigMap(store) },
    { type: Builtin.Service, object: desiredService(store) },
    { type: Builtin.Service, object: desiredHeadlessService(store) },
    { type: Builtin.StatefulSet, object: desiredStatefulSet(store) },
  ];
}
