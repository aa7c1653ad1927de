/**
 * @module test/crds/refusals
 * Malformed objects of every kind, each with the message the API server must answer with: the
 * field path and what is wrong with it. validation.test.ts applies each one.
 */

/** The apiVersion and kind lines of each kind. */
export const SBC = 'apiVersion: streambus.io/v1alpha1\nkind: StreamBusCluster';
export const CS = 'apiVersion: streaming.tanzu.vmware.com/v1alpha1\nkind: ClusterStream';
export const TS = 'apiVersion: streaming.tanzu.vmware.com/v1alpha1\nkind: Stream';
export const STORE = 'apiVersion: tawon.mantisnet.com/v1alpha1\nkind: StreamStore';
export const TWS = 'apiVersion: tawon.mantisnet.com/v1alpha1\nkind: Stream';
export const DIR = 'apiVersion: tawon.mantisnet.com/v1alpha1\nkind: Directive';

/** One malformed object: its kind, its spec (YAML lines) and the refusal expected. */
export interface Case {
  readonly what: string;
  readonly head: string;
  readonly spec: string;
  readonly expect: readonly RegExp[];
}

export const refusals: readonly Case[] = [
  // StreamBusCluster
  {
    what: 'a StreamBusCluster with replicas as a word',
    head: SBC,
    spec: 'replicas: three',
    expect: [/spec\.replicas: Invalid value: "string": spec\.replicas in body must be of type integer/],
  },
  {
    what: 'a StreamBusCluster with no brokers',
    head: SBC,
    spec: 'replicas: 0',
    expect: [/spec\.replicas: Invalid value: 0: spec\.replicas in body should be greater than or equal to 1/],
  },
  {
    what: 'a StreamBusCluster with an unknown pullPolicy',
    head: SBC,
    spec: 'image: {pullPolicy: Sometimes}',
    expect: [
      /spec\.image\.pullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"/,
    ],
  },
  {
    what: 'a StreamBusCluster with a port above 65535',
    head: SBC,
    spec: 'config: {port: 70000}',
    expect: [/spec\.config\.port: Invalid value: 70000: .*less than or equal to 65535/],
  },
  {
    what: 'a StreamBusCluster with a connection limit as a word',
    head: SBC,
    spec: 'config: {maxConnections: many}',
    expect: [
      /spec\.config\.maxConnections: Invalid value: "string": spec\.config\.maxConnections in body must be of type integer/,
    ],
  },
  {
    what: 'a StreamBusCluster with a malformed read timeout',
    head: SBC,
    spec: 'config: {readTimeout: 30 seconds}',
    expect: [
      /spec\.config\.readTimeout: Invalid value: "30 seconds": spec\.config\.readTimeout in body should match/,
    ],
  },
  {
    what: 'a StreamBusCluster with an unknown log level',
    head: SBC,
    spec: 'config: {logLevel: verbose}',
    expect: [/spec\.config\.logLevel: Unsupported value: "verbose"/],
  },
  {
    what: 'a StreamBusCluster with a malformed storage size',
    head: SBC,
    spec: 'storage: {size: ten gigs}',
    expect: [/spec\.storage\.size: Invalid value: "ten gigs": spec\.storage\.size in body should match/],
  },
  {
    what: 'a StreamBusCluster with an unknown authentication method',
    head: SBC,
    spec: 'security: {authentication: {allowedMethods: [mtls, ldap]}}',
    expect: [
      /spec\.security\.authentication\.allowedMethods\[1\]: Unsupported value: "ldap": supported values: "mtls", "jwt"/,
    ],
  },
  {
    what: 'a StreamBusCluster with an unknown default policy',
    head: SBC,
    spec: 'security: {authorization: {defaultPolicy: maybe}}',
    expect: [/spec\.security\.authorization\.defaultPolicy: Unsupported value: "maybe"/],
  },
  {
    what: 'a StreamBusCluster with a sampling rate above one',
    head: SBC,
    spec: 'observability: {tracing: {samplingRate: 1.5}}',
    expect: [/spec\.observability\.tracing\.samplingRate: Invalid value: 1\.5: .*less than or equal to 1/],
  },
  {
    what: 'a StreamBusCluster with a malformed scrape interval',
    head: SBC,
    spec: 'observability: {metrics: {interval: soon}}',
    expect: [/spec\.observability\.metrics\.interval: Invalid value: "soon"/],
  },
  {
    what: 'a StreamBusCluster with an unknown audit level',
    head: SBC,
    spec: 'observability: {logging: {auditLog: {level: everything}}}',
    expect: [
      /spec\.observability\.logging\.auditLog\.level: Unsupported value: "everything": supported values: "basic", "detailed"/,
    ],
  },
  {
    what: 'a StreamBusCluster with a tenant override without tenantId',
    head: SBC,
    spec: 'multiTenancy: {tenantOverrides: [{quotas: {maxTopics: 1}}]}',
    expect: [/spec\.multiTenancy\.tenantOverrides\[0\]\.tenantId: Required value/],
  },
  {
    what: 'a StreamBusCluster with two overrides for one tenant',
    head: SBC,
    spec: 'multiTenancy: {tenantOverrides: [{tenantId: a}, {tenantId: a}]}',
    expect: [/spec\.multiTenancy\.tenantOverrides\[1\]: Duplicate value: .*"tenantId":"a"/],
  },
  {
    what: 'a StreamBusCluster with a negative quota',
    head: SBC,
    spec: 'multiTenancy: {defaultQuotas: {maxTopics: -1}}',
    expect: [/spec\.multiTenancy\.defaultQuotas\.maxTopics: Invalid value: -1: .*greater than or equal to 0/],
  },
  {
    what: 'a StreamBusCluster with an unknown toleration effect',
    head: SBC,
    spec: 'tolerations: [{key: k, effect: Sometimes}]',
    expect: [/spec\.tolerations\[0\]\.effect: Unsupported value: "Sometimes"/],
  },
  {
    what: 'a StreamBusCluster with a misspelt field',
    head: SBC,
    spec: 'replica: 3',
    expect: [/unknown field "spec\.replica"/],
  },
  // ClusterStream
  {
    what: 'a ClusterStream without a topic name',
    head: CS,
    spec: 'keys: [id]',
    expect: [/spec\.name: Required value/],
  },
  {
    what: 'a ClusterStream with an unknown stream mode',
    head: CS,
    spec: 'name: t\nstreamModes: [read, append]',
    expect: [/spec\.streamModes\[1\]: Unsupported value: "append": supported values: "read", "write"/],
  },
  {
    what: 'a ClusterStream with an unknown reclaimPolicy',
    head: CS,
    spec: 'name: t\nstorage: {reclaimPolicy: Recycle}',
    expect: [
      /spec\.storage\.reclaimPolicy: Unsupported value: "Recycle": supported values: "Retain", "Delete"/,
    ],
  },
  {
    what: 'a ClusterStream with no partitions',
    head: CS,
    spec: 'name: t\npartitions: 0',
    expect: [/spec\.partitions: Invalid value: 0: .*greater than or equal to 1/],
  },
  {
    what: 'a ClusterStream with a numeric topic config value',
    head: CS,
    spec: 'name: t\nconfig: {retention.ms: 1000}',
    expect: [/spec\.config\.retention\.ms: Invalid value: "integer": .*must be of type string/],
  },
  // Stream (streaming.tanzu.vmware.com)
  {
    what: 'a tanzu Stream without a protocol',
    head: TS,
    spec: 'name: t',
    expect: [/spec\.protocol: Required value/],
  },
  {
    what: 'a tanzu Stream with an unknown stream mode',
    head: TS,
    spec: 'name: t\nprotocol: kafka\nstreamMode: [readwrite]',
    expect: [/spec\.streamMode\[0\]: Unsupported value: "readwrite"/],
  },
  {
    what: 'a tanzu Stream with keys as a single string',
    head: TS,
    spec: 'name: t\nprotocol: kafka\nkeys: id',
    expect: [/spec\.keys: Invalid value: "string": spec\.keys in body must be of type array/],
  },
  {
    what: 'a tanzu Stream with both an inline and a field schema',
    head: TS,
    spec: 'name: t\nprotocol: kafka\ndataSchemaContext: {inline: {type: avro, schema: x}, schemaless: application/json}',
    expect: [
      /"spec\.dataSchemaContext" must validate one and only one schema \(oneOf\)\. Found 2 valid alternatives/,
    ],
  },
  {
    what: 'a tanzu Stream whose data schema context has no schema',
    head: TS,
    spec: 'name: t\nprotocol: kafka\ndataSchemaContext: {primaryKey: [id]}',
    expect: [/"spec\.dataSchemaContext" must validate one and only one schema \(oneOf\)\. Found none valid/],
  },
  {
    what: 'a tanzu Stream with a schema field without a type',
    head: TS,
    spec: 'name: t\nprotocol: kafka\ndataSchemaContext: {schema: {name: r, namespace: n, fields: [{name: f}]}}',
    expect: [/spec\.dataSchemaContext\.schema\.fields\[0\]\.type: Required value/],
  },
  // StreamStore
  {
    what: 'a StreamStore with two replicas',
    head: STORE,
    spec: 'replicas: 2',
    expect: [/spec\.replicas: Unsupported value: 2: supported values: "1", "3"/],
  },
  {
    what: 'a StreamStore with a negative default size',
    head: STORE,
    spec: 'defaults: {maxsize: -1}',
    expect: [/spec\.defaults\.maxsize: Invalid value: -1: .*greater than or equal to 0/],
  },
  {
    what: 'a StreamStore with a boolean byte limit',
    head: STORE,
    spec: 'limits: {maxbytes: true}',
    expect: [
      /spec\.limits\.maxbytes: Invalid value: "boolean": spec\.limits\.maxbytes in body must be of type integer,string/,
    ],
  },
  {
    what: 'a StreamStore with a message limit as a word',
    head: STORE,
    spec: 'limits: {max: lots}',
    expect: [/spec\.limits\.max: Invalid value: "string": spec\.limits\.max in body must be of type integer/],
  },
  {
    what: 'a StreamStore with an unknown retention policy',
    head: STORE,
    spec: 'persistentVolumeClaimRetentionPolicy: {whenDeleted: Keep}',
    expect: [
      /spec\.persistentVolumeClaimRetentionPolicy\.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"/,
    ],
  },
  {
    what: 'a StreamStore with an unknown access mode',
    head: STORE,
    spec: 'volumeClaimTemplate: {spec: {accessModes: [ReadWriteSometimes]}}',
    expect: [/spec\.volumeClaimTemplate\.spec\.accessModes\[0\]: Unsupported value: "ReadWriteSometimes"/],
  },
  {
    what: 'a StreamStore with a malformed claim size',
    head: STORE,
    spec: 'volumeClaimTemplate: {spec: {resources: {requests: {storage: lots}}}}',
    expect: [/spec\.volumeClaimTemplate\.spec\.resources\.requests\.storage: Invalid value: "lots"/],
  },
  // Stream (tawon.mantisnet.com)
  {
    what: 'a tawon Stream without a store',
    head: TWS,
    spec: 'maxmsgs: 10',
    expect: [/spec\.store: Required value/],
  },
  {
    what: 'a tawon Stream with a store without a name',
    head: TWS,
    spec: 'store: {}',
    expect: [/spec\.store\.name: Required value/],
  },
  {
    what: 'a tawon Stream with a message limit as a word',
    head: TWS,
    spec: 'store: {name: s}\nmaxmsgs: many',
    expect: [/spec\.maxmsgs: Invalid value: "string": spec\.maxmsgs in body must be of type integer/],
  },
  {
    what: 'a tawon Stream with a list as its byte limit',
    head: TWS,
    spec: 'store: {name: s}\nmaxbytes: [1]',
    expect: [/spec\.maxbytes: Invalid value: "array": spec\.maxbytes in body must be of type integer,string/],
  },
  // Directive
  {
    what: 'a Directive with a task without a name',
    head: DIR,
    spec: 'tasks: [{config: {filter: port 53}}]',
    expect: [/spec\.tasks\[0\]\.task: Required value/],
  },
  {
    what: 'a Directive with an unknown retentionPolicy',
    head: DIR,
    spec: 'streams: [{name: s, retentionPolicy: Keep}]',
    expect: [
      /spec\.streams\[0\]\.retentionPolicy: Unsupported value: "Keep": supported values: "Delete", "Retain"/,
    ],
  },
  {
    what: 'a Directive that names one stream twice',
    head: DIR,
    spec: 'streams: [{name: s}, {name: s}]',
    expect: [/spec\.streams\[1\]: Duplicate value: .*"name":"s"/],
  },
  {
    what: 'a Directive with an equal condition without a value',
    head: DIR,
    spec: 'condition: {equal: {field: process.name}}',
    expect: [/spec\.condition\.equal\.value: Required value/],
  },
];
