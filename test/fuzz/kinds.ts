/**
 * @module test/fuzz/kinds
 * For each of the six kinds: a valid spec to mutate (pointing at the test environment's real
 * brokers and at a StreamStore routed to the test NATS), the guard that keeps fuzzed names inside
 * the test, and what a fuzz namespace needs first.
 */
import { clusterStreamFunction } from '../../functions/cluster-stream/index.js';
import { directiveFunction } from '../../functions/directive/index.js';
import { streamStoreFunction } from '../../functions/stream-store/index.js';
import { streamBusClusterFunction } from '../../functions/streambus-cluster/index.js';
import { tanzuStreamFunction } from '../../functions/tanzu-stream/index.js';
import { tawonStreamFunction } from '../../functions/tawon-stream/index.js';
import type { FunctionDeclaration } from '../../runtime/index.js';
import { natsHostPort } from '../fixtures/tawon/fixtures.js';
import { testEnv } from '../helpers/env.js';

/** What the specs of one fuzz test refer to. */
export interface FuzzEnv {
  readonly namespace: string;
  /** Prefix of every cluster-scoped name and topic the test makes. */
  readonly prefix: string;
  /** Topic prefix on the shared brokers. */
  readonly topicPrefix: string;
  /** The StreamStore in the namespace, routed to the test NATS. */
  readonly store: string;
}

export interface FuzzKind {
  readonly fn: FunctionDeclaration;
  /** A valid spec; `id` makes its external names unique. */
  base(env: FuzzEnv, id: string): Record<string, unknown>;
  /** Rewrites a fuzzed value at a path (dotted) that names something outside the test. */
  guard(env: FuzzEnv, id: string, path: string, value: unknown): unknown;
  /** Endpoint overrides the brokers need (a store's Service name → the test NATS). */
  overrides(env: FuzzEnv): ReadonlyMap<string, string>;
}

const keep = (_env: FuzzEnv, _id: string, _path: string, value: unknown): unknown => value;
const noOverrides = (): ReadonlyMap<string, string> => new Map();
const storeRoute = (env: FuzzEnv): ReadonlyMap<string, string> =>
  new Map([[`${env.store}.${env.namespace}.svc:4222`, natsHostPort()]]);

/** Keeps strings under the test's prefix; other values pass (the schema or parser refuses them). */
function prefixed(prefix: string, value: unknown): unknown {
  return typeof value === 'string' ? `${prefix}${value}` : value;
}

export const clusterStreamFuzz: FuzzKind = {
  fn: clusterStreamFunction,
  base: (env, id) => ({
    name: `${env.topicPrefix}${id}`,
    keys: ['user-id'],
    streamModes: ['read', 'write'],
    storage: {
      server: { url: testEnv().kafkaBrokers.join(','), protocol: 'kafka' },
      attributes: { namespace: 'brokers' },
      reclaimPolicy: 'Delete',
    },
    partitions: 2,
    replicationFactor: 1,
    config: { 'retention.ms': '86400000', 'cleanup.policy': 'delete' },
  }),
  guard: (env, _id, path, value) => (path === 'name' ? prefixed(env.topicPrefix, value) : value),
  overrides: noOverrides,
};

export const tanzuStreamFuzz: FuzzKind = {
  fn: tanzuStreamFunction,
  base: (env, id) => ({
    name: `${env.topicPrefix}${id}`,
    protocol: 'kafka',
    keys: ['order-id'],
    partitionCount: 1,
    streamMode: ['read', 'write'],
    storage: { clusterStream: `${env.prefix}${id}-cs` },
    attributes: { protocolAdapterName: 'kafka' },
    dataSchemaContext: {
      schema: {
        name: 'Order',
        namespace: 'com.example.shop',
        fields: [{ name: 'ts', type: 'long', logicalType: 'timestamp-millis', optional: true }],
      },
      primaryKey: ['order-id'],
      timeAttributes: [{ name: 'ts', watermark: "`ts` - INTERVAL '1' SECOND" }],
      options: { 'ddl.scan.startup.mode': 'earliest-offset' },
    },
  }),
  // Fuzzed ClusterStream names keep the test's prefix (ClusterStreams are cluster-wide), and may
  // be anything after it: an invalid one must end as a condition.
  guard: (env, _id, path, value) =>
    path === 'storage.clusterStream'
      ? typeof value === 'string'
        ? `${env.prefix}${value}`
        : value
      : path === 'name'
        ? prefixed(env.topicPrefix, value)
        : value,
  overrides: noOverrides,
};

export const streamBusClusterFuzz: FuzzKind = {
  fn: streamBusClusterFunction,
  base: () => ({
    replicas: 3,
    image: { repository: 'registry.example/streambus', tag: 'v0.6.0', pullPolicy: 'IfNotPresent' },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: 1, memory: '1Gi' } },
    storage: { size: '1Gi', raftSize: '256Mi' },
    config: { logLevel: 'info', port: 19092, httpPort: 18081, grpcPort: 19093 },
    multiTenancy: {
      enabled: true,
      isolation: { networkPolicies: true, resourceQuotas: true, rateLimiting: false },
      defaultQuotas: { maxTopics: 10, maxPartitionsPerTopic: 4, maxConnections: 100 },
      tenantOverrides: [{ tenantId: 'gold', quotas: { maxTopics: 20 } }],
    },
    observability: {
      metrics: { enabled: true, serviceMonitor: false, interval: '30s' },
      tracing: { enabled: true, endpoint: 'otel:4317', samplingRate: 0.5 },
      logging: { level: 'warn', format: 'json', auditLog: { enabled: true, level: 'basic' } },
    },
    security: {
      tls: { enabled: true, certSecretName: 'tls', caSecretName: 'ca', clientAuthRequired: false },
      authentication: { enabled: true, method: 'jwt', allowedMethods: ['jwt'] },
      authorization: { enabled: true, defaultPolicy: 'allow' },
    },
    nodeSelector: { disk: 'ssd' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'streambus', effect: 'NoSchedule' }],
    podAnnotations: { team: 'streaming' },
    podLabels: { tier: 'data' },
  }),
  guard: keep,
  overrides: noOverrides,
};

export const streamStoreFuzz: FuzzKind = {
  fn: streamStoreFunction,
  base: () => ({
    volumeClaimTemplate: {
      metadata: { name: 'data', labels: { app: 'store' } },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: 'kwok-volume',
        resources: { requests: { storage: '1Gi' } },
      },
    },
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' },
    defaults: { maxsize: 1000, maxage: '1h', maxbytes: '1M' },
    limits: { max: 100000, maxage: '24h', maxbytes: '1G' },
    replicas: 1,
    resources: { requests: { cpu: '100m', memory: '128Mi' } },
  }),
  guard: keep,
  overrides: noOverrides,
};

export const tawonStreamFuzz: FuzzKind = {
  fn: tawonStreamFunction,
  base: (env) => ({ store: { name: env.store }, maxmsgs: 500, maxage: '30m', maxbytes: '512K' }),
  guard: keep,
  overrides: storeRoute,
};

export const directiveFuzz: FuzzKind = {
  fn: directiveFunction,
  base: (env, id) => ({
    condition: { equal: { field: 'net.port', value: 53 } },
    tasks: [
      { task: 'capture', config: { filter: 'port 53', snaplen: 65535 } },
      { task: 'publish', config: { type: 'stream', name: `dns-${id}` } },
    ],
    streams: [
      {
        name: `dns-${id}`,
        store: env.store,
        maxmsgs: 10,
        maxage: '6h',
        maxbytes: '1M',
        retentionPolicy: 'Delete',
      },
    ],
  }),
  guard: keep,
  overrides: storeRoute,
};

/** The store every fuzz namespace gets (limits wide enough for the base specs). */
export function storeManifest(name: string): Record<string, unknown> {
  return {
    apiVersion: 'tawon.mantisnet.com/v1alpha1',
    kind: 'StreamStore',
    metadata: { name },
    spec: streamStoreFuzz.base({ namespace: '', prefix: '', topicPrefix: '', store: name }, ''),
  };
}
