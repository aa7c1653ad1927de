/**
 * @module tanzu
 * What the ClusterStream and Stream (streaming.tanzu.vmware.com) functions share: the ClusterStream
 * spec and status, the PersistentVolume-style claim rules, names, binding Secrets, storage
 * addresses and topic endpoints. Pure; no I/O.
 */
export * from './binding-secret.js';
export * from './claim.js';
export * from './cluster-stream.js';
export * from './names.js';
export * from './storage-address.js';
export * from './topic-endpoint.js';
export * from './validators.js';
