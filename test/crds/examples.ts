/**
 * @module test/crds/examples
 * Objects that, together, use every spec and status field of each kind. everything.test.ts checks
 * that they do (against the schema) and that the server keeps all of them.
 */

/** One example: a spec applied with kubectl and a status written through the status subresource. */
export interface Example {
  readonly spec: Record<string, unknown>;
  readonly status: Record<string, unknown>;
}

const conditions = [
  {
    type: 'Ready',
    status: 'True',
    reason: 'Ready',
    message: 'all good',
    lastTransitionTime: '2024-01-15T10:30:00Z',
    observedGeneration: 1,
  },
];

const storageAddress = {
  server: {
    production: {
      url: 'kafka.default.svc.cluster.local:9092',
      protocol: 'kafka',
      protocolVersion: '1.0.0',
      description: 'the in-cluster broker',
      variables: { brokers: 'kafka.default.svc.cluster.local:9092' },
    },
  },
};

const schemaField = {
  name: 'ts',
  type: 'long',
  logicalType: 'timestamp-millis',
  optional: true,
  watermark: "`ts` - INTERVAL '3' SECONDS",
  metadata: { from: 'timestamp', readonly: true },
};

/** Examples by CRD name (`<plural>.<group>`). */
export const examples: Readonly<Record<string, readonly Example[]>> = {
  'clusterstreams.streaming.tanzu.vmware.com': [
    {
      spec: {
        name: 'orders',
        keys: ['order-id'],
        streamModes: ['read', 'write'],
        storage: {
          server: { url: 'kafka:9092', protocol: 'kafka', binding: 'kafka-credentials' },
          attributes: { namespace: 'brokers' },
          reclaimPolicy: 'Delete',
        },
        partitions: 6,
        replicationFactor: 3,
        config: { 'retention.ms': '86400000', 'cleanup.policy': 'delete' },
        claimRef: { namespace: 'shop', name: 'orders', uid: '0d3e7c2a-1111-4222-8333-444455556666' },
      },
      status: {
        phase: 'Bound',
        binding: { name: 'orders-binding' },
        storageAddress,
        conditions,
        observedGeneration: 1,
        topicName: 'orders',
        partitions: 6,
        claim: {
          name: 'kafka-0123456789abcdef0123456789abcdef01234567',
          owner: true,
          holder: 'ClusterStream orders',
        },
      },
    },
  ],
  'streams.streaming.tanzu.vmware.com': [
    {
      spec: {
        name: 'orders',
        protocol: 'kafka',
        keys: ['order-id'],
        partitionCount: 3,
        streamMode: ['read', 'write'],
        storage: { clusterStream: 'orders-cluster-stream' },
        attributes: { protocolAdapterName: 'kafka' },
        binding: 'kafka-credentials',
        dataSchemaContext: {
          schema: { name: 'Order', namespace: 'com.example.shop', fields: [schemaField] },
          schemaRegistryUri: 'http://registry:8081',
          metadataFields: [schemaField],
          primaryKey: ['order-id'],
          timeAttributes: [{ name: 'ts', watermark: "`ts` - INTERVAL '1' SECOND" }],
          options: { 'ddl.scan.startup.mode': 'earliest-offset' },
        },
      },
      status: {
        clusterStream: 'orders-cluster-stream',
        binding: { name: 'orders-binding' },
        storageAddress,
        conditions,
        observedGeneration: 1,
      },
    },
    {
      spec: {
        name: 'clicks',
        protocol: 'kafka',
        keyExpression: 'payload.user',
        dataSchemaContext: {
          inline: { type: 'avro', schema: '{"type":"record","name":"Click","fields":[]}' },
        },
      },
      status: {},
    },
    {
      spec: { name: 'raw', protocol: 'nats', dataSchemaContext: { schemaless: 'application/json' } },
      status: {},
    },
  ],
  'streambusclusters.streambus.io': [
    {
      spec: {
        replicas: 5,
        image: { repository: 'registry.example/streambus', tag: 'v0.6.0', pullPolicy: 'Always' },
        resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: 2, memory: '4Gi' } },
        storage: { class: 'fast', size: '20Gi', raftSize: '2Gi' },
        config: {
          logLevel: 'debug',
          port: 19092,
          httpPort: 18081,
          grpcPort: 19093,
          maxConnections: 100,
          maxMessageSize: 1048576,
          compressionEnabled: true,
          readTimeout: '30s',
          writeTimeout: '45s',
          idleTimeout: '5m',
          numWorkers: 16,
          keepAlive: true,
          keepAlivePeriod: '1m30s',
          topics: { auto_create: false },
        },
        security: {
          tls: { enabled: true, certSecretName: 'tls', caSecretName: 'ca', clientAuthRequired: true },
          authentication: { enabled: true, method: 'jwt', allowedMethods: ['jwt'], jwtSecretName: 'jwt' },
          authorization: { enabled: true, defaultPolicy: 'allow' },
        },
        multiTenancy: {
          enabled: true,
          isolation: { networkPolicies: true, resourceQuotas: true, rateLimiting: false },
          defaultQuotas: {
            maxTopics: 10,
            maxPartitionsPerTopic: 4,
            maxConnections: 100,
            maxBandwidthMBps: 10,
            maxStorageGB: 5,
            maxMessagesPerSecond: 1000,
          },
          tenantOverrides: [
            {
              tenantId: 'gold',
              quotas: {
                maxTopics: 20,
                maxPartitionsPerTopic: 8,
                maxConnections: 200,
                maxBandwidthMBps: 20,
                maxStorageGB: 10,
                maxMessagesPerSecond: 2000,
              },
            },
          ],
        },
        observability: {
          metrics: { enabled: true, serviceMonitor: true, interval: '1m30s', perTenantMetrics: true },
          tracing: { enabled: true, endpoint: 'otel:4317', samplingRate: 1, includeTenantId: false },
          logging: {
            level: 'warn',
            format: 'text',
            includeTenantContext: false,
            auditLog: { enabled: true, level: 'basic' },
          },
        },
        affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } },
        nodeSelector: { disk: 'ssd' },
        tolerations: [
          {
            key: 'node.kubernetes.io/unreachable',
            operator: 'Exists',
            effect: 'NoExecute',
            tolerationSeconds: 60,
          },
          { key: 'dedicated', operator: 'Equal', value: 'streambus', effect: 'PreferNoSchedule' },
        ],
        podAnnotations: { team: 'streaming' },
        podLabels: { tier: 'data' },
      },
      status: {
        phase: 'Running',
        conditions,
        replicas: 5,
        readyReplicas: 5,
        observedGeneration: 1,
        endpoints: ['c-0.c-headless.ns.svc:19092'],
      },
    },
  ],
  'streamstores.tawon.mantisnet.com': [
    {
      spec: {
        volumeClaimTemplate: {
          metadata: { name: 'data', labels: { app: 'store' }, annotations: { note: 'jetstream' } },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: 'kwok-volume',
            volumeMode: 'Filesystem',
            resources: { requests: { storage: '5Gi' }, limits: { storage: '10Gi' } },
            selector: {
              matchLabels: { pool: 'a' },
              matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1', 'z2'] }],
            },
          },
        },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
        defaults: { maxsize: 1000, maxage: '1h', maxbytes: 1048576 },
        limits: { max: 100000, maxage: '24h', maxbytes: '1Gi' },
        image: 'nats:2.10.22-alpine',
        replicas: 3,
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
      },
      status: {
        phase: 'Running',
        conditions,
        endpoint: 'nats://store.ns.svc:4222',
        streams: 2,
        readyReplicas: 3,
        observedGeneration: 1,
      },
    },
  ],
  'streams.tawon.mantisnet.com': [
    {
      spec: { store: { name: 'store' }, maxmsgs: 500, maxage: '30m', maxbytes: '512M' },
      status: {
        conditions,
        observedGeneration: 1,
        subject: 'streams.orders',
        limits: { maxmsgs: 500, maxage: '30m0s', maxbytes: 512000000 },
        clamped: [{ field: 'maxage', asked: '2h', applied: '30m' }],
        messages: 12,
        bytes: 3400,
        firstSeq: 1,
        lastSeq: 12,
        claim: {
          name: 'nats-0123456789abcdef0123456789abcdef01234567',
          owner: false,
          holder: 'ClusterStream orders',
        },
      },
    },
  ],
  'directives.tawon.mantisnet.com': [
    {
      spec: {
        condition: { equal: { field: 'net.port', value: 53 } },
        tasks: [
          { task: 'capture', config: { filter: 'port 53', snaplen: 65535 } },
          { task: 'publish', config: { type: 'stream', name: 'dns' } },
        ],
        streams: [
          {
            name: 'dns',
            store: 'store',
            maxmsgs: 10,
            maxage: '6h',
            maxbytes: '1G',
            retentionPolicy: 'Delete',
          },
        ],
      },
      status: {
        conditions,
        observedGeneration: 1,
        streams: [
          {
            name: 'dns',
            store: 'store',
            subject: 'streams.dns',
            created: true,
            ready: true,
            limits: { maxmsgs: 10, maxage: '6h', maxbytes: '1G' },
            clamped: [{ field: 'maxmsgs', asked: '20', applied: '10' }],
          },
        ],
      },
    },
  ],
};
