/**
 * @module cli/demo/examples
 * The objects the demo applies: one example of every resource, taken from the source documents.
 *
 * What differs from the documents, and why:
 * - the ClusterStream (whose `metadata` is empty in the document) gets a name and the demo label,
 *   its topic name a `sluice-demo.` prefix, and its `url` the environment's Kafka;
 * - the first document has no Stream example; the Stream here names no ClusterStream, so Sluice
 *   provisions `orders-cluster-stream` for it;
 * - the StreamBusCluster is the document's "minimal cluster" (`streambus-minimal`) with the spec of
 *   its CRD example;
 * - the Tawon StreamStore, Stream and Directive are the document's, unchanged.
 * Every namespaced example is applied in the demo namespace.
 */
import { parse } from 'yaml';
import { isRecord, type KindInfo, type KubeObject } from '../../runtime/index.js';
import {
  ClusterStreamKind,
  DirectiveKind,
  StreamBusClusterKind,
  StreamStoreKind,
  TanzuStreamKind,
  TawonStreamKind,
} from '../../shared/index.js';
import type { DemoEnvironment } from './environment.js';

/** The label on every object the demo applies. */
export const DEMO_LABEL = 'app.kubernetes.io/part-of';
export const DEMO_LABEL_VALUE = 'sluice-demo';

/** The broker binding Secret the ClusterStream example names (`storage.server.binding`). */
export const KAFKA_BINDING = 'kafka-binding';

/** One example: its kind and the manifest to apply. */
export interface Example {
  readonly kind: KindInfo;
  readonly object: KubeObject;
}

const CLUSTER_STREAM = `
apiVersion: streaming.tanzu.vmware.com/v1alpha1
kind: ClusterStream
metadata:
  name: sluice-demo-topic
spec:
  # Topic name
  name: "sluice-demo.topicNme"
  # Key attributes for the topic
  keys: [user-id]
  # Streaming modes that will be allowed at the creation of Streams e.g. read, write
  streamModes: [read, write]
  storage:
    # Information about the Cluster
    server:
      # Reference to an existing Service Binding Service (e.g. secrets).
      binding: ${KAFKA_BINDING}
      # Message Broker connection URL (the environment's Kafka, filled in below)
      url: ""
      # Message Broker type
      protocol: kafka
    reclaimPolicy: Retain
`;

const TANZU_STREAM = `
apiVersion: streaming.tanzu.vmware.com/v1alpha1
kind: Stream
metadata:
  name: orders
spec:
  name: sluice-demo.orders
  protocol: kafka
  keys: [order-id]
  partitionCount: 3
  streamMode: [read, write]
`;

const STREAMBUS_CLUSTER = `
apiVersion: streambus.io/v1alpha1
kind: StreamBusCluster
metadata:
  name: streambus-minimal
spec:
  replicas: 3
  image:
    repository: streambus/broker
    tag: v0.6.0
  storage:
    class: standard
    size: 10Gi
`;

const STREAM_STORE = `
apiVersion: tawon.mantisnet.com/v1alpha1
kind: StreamStore
metadata:
  name: mystreamstore
spec:
  volumeClaimTemplate:
    metadata:
      name: mypvclaim
      labels:
        app: mystreamstore
    spec:
      accessModes:
        - ReadWriteOnce
      storageClassName: ssd-csi
      resources:
        requests:
          storage: 10Gi
  # Describes the lifecycle of persistent volume claims created
  # from volumeClaimTemplates. Defaults to Retain.
  persistentVolumeClaimRetentionPolicy:
    whenDeleted: Delete
  # Defaults if the stream creator does not set these values.
  defaults:
    # Default maximum number of messages per stream.
    maxsize: 1000000
    # Default max age of messages.
    maxage: 240h
    # Default max number of bytes per stream.
    maxbytes: 1G
  # The stream creator cannot exceed these values.
  limits:
    # Hard maximum number of messages per stream.
    max: 10000000
    # Hard max age of messages.
    maxage: 2400h
    # Hard max number of bytes per stream.
    maxbytes: 2G
`;

const TAWON_STREAM = `
apiVersion: tawon.mantisnet.com/v1alpha1
kind: Stream
metadata:
  name: mystream
spec:
  store:
    name: mystreamstore
  maxmsgs: 100000
  maxage: 6h
  maxbytes: 1G
`;

const DIRECTIVE = `
apiVersion: tawon.mantisnet.com/v1alpha1
kind: Directive
metadata:
  name: capture-coredns
spec:
  condition:
    equal:
      field: process.name
      value: coredns
  tasks:
    - task: capture
      config:
        filter: port 53
    - task: dns
    - task: publish
      config:
        type: stream
        name: coredns
  streams:
    - name: coredns
      store: mystreamstore
      maxage: 6h
`;

/** The StorageClasses the examples name, which the demo creates when missing. */
export const STORAGE_CLASSES = ['standard', 'ssd-csi'] as const;

/** The StreamStores of the examples (their Services are redirected to the environment's NATS). */
export const STORES = ['mystreamstore'] as const;

function manifest(yamlText: string, namespace: string | undefined): KubeObject {
  const doc: unknown = parse(yamlText);
  if (!isRecord(doc) || !isRecord(doc.metadata)) throw new Error('a demo example is not an object');
  const metadata = doc.metadata as KubeObject['metadata'];
  return {
    ...doc,
    metadata: {
      ...metadata,
      ...(namespace ? { namespace } : {}),
      labels: { ...metadata.labels, [DEMO_LABEL]: DEMO_LABEL_VALUE },
    },
  };
}

/** The examples in the order they are applied. */
export function examples(env: DemoEnvironment, namespace: string): Example[] {
  const cs = manifest(CLUSTER_STREAM, undefined);
  const spec = cs.spec as { storage: { server: { url: string } } };
  spec.storage.server.url = env.kafkaBrokers.join(',');
  return [
    { kind: ClusterStreamKind, object: cs },
    { kind: TanzuStreamKind, object: manifest(TANZU_STREAM, namespace) },
    { kind: StreamBusClusterKind, object: manifest(STREAMBUS_CLUSTER, namespace) },
    { kind: StreamStoreKind, object: manifest(STREAM_STORE, namespace) },
    { kind: TawonStreamKind, object: manifest(TAWON_STREAM, namespace) },
    { kind: DirectiveKind, object: manifest(DIRECTIVE, namespace) },
  ];
}

/**
 * The Service Binding Secret the ClusterStream example refers to, in the operator's namespace:
 * a plain-text Kafka binding (no credentials), as an administrator would provide it.
 */
export function kafkaBindingSecret(env: DemoEnvironment, operatorNamespace: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: KAFKA_BINDING,
      namespace: operatorNamespace,
      labels: { [DEMO_LABEL]: DEMO_LABEL_VALUE },
    },
    type: 'servicebinding.io/kafka',
    stringData: {
      type: 'kafka',
      provider: 'sluice-demo',
      'bootstrap-servers': env.kafkaBrokers.join(','),
    },
  };
}
