/**
 * @module tanzu/names
 * The names the ClusterStream and Stream (streaming.tanzu.vmware.com) reconcilers agree on:
 * finalizer, labels, annotations, and the names of the objects they derive from one another.
 */
import { createHash } from 'node:crypto';

/**
 * Sluice's finalizer on every ClusterStream. It runs the reclaim policy when the ClusterStream is
 * deleted (Delete: remove the topic) and never wedges the deletion (see the cluster-stream finalizer).
 */
export const CLUSTER_STREAM_FINALIZER = 'sluice.io/cluster-stream';

/**
 * Annotation an administrator sets (whatever the value) on a ClusterStream being deleted to let the
 * deletion finish without touching the broker. Sluice records a Warning Event when it is used.
 */
export const FORCE_DELETE_ANNOTATION = 'sluice.io/force-delete';

/** Label (value `"true"`) on a ClusterStream that a Stream created for itself (auto-provisioning). */
export const AUTO_PROVISIONED_LABEL = 'sluice.io/auto-provisioned';

/**
 * Annotation on an auto-provisioned ClusterStream naming its Stream as `namespace/name`
 * (`namespacedName` of the runtime's keys; persisted, so its form must not change).
 */
export const PROVISIONED_FOR_ANNOTATION = 'sluice.io/provisioned-for';

/**
 * Annotation on an auto-provisioned ClusterStream: the namespace of the Stream whose
 * `spec.binding` it carries, where its `storage.server.binding` Secret is looked up first. Sluice
 * honours it only on a ClusterStream labelled {@link AUTO_PROVISIONED_LABEL} whose
 * {@link PROVISIONED_FOR_ANNOTATION} names a Stream in that same namespace; on any other
 * ClusterStream the binding is read from the operator's namespace alone.
 */
export const BINDING_NAMESPACE_ANNOTATION = 'sluice.io/binding-namespace';

/** The `provider` entry of every binding Secret Sluice writes. */
export const BINDING_PROVIDER = 'sluice';

/** The environment key of `status.storageAddress.server` (the Streaming Runtime's Kafka adapter used it). */
export const STORAGE_ENVIRONMENT = 'production';

/** The longest name of a Secret or a cluster-scoped object (a DNS subdomain). */
const MAX_NAME = 253;

/**
 * `base` + `suffix`, shortened with a stable hash when longer than a DNS subdomain allows.
 * @example boundedName('orders', '-binding') // 'orders-binding'
 */
export function boundedName(base: string, suffix: string): string {
  const full = `${base}${suffix}`;
  if (full.length <= MAX_NAME) return full;
  const hash = createHash('sha256').update(base).digest('hex').slice(0, 10);
  const keep = MAX_NAME - suffix.length - hash.length - 1;
  return `${base.slice(0, keep).replace(/[-.]+$/, '')}-${hash}${suffix}`;
}

/** The ClusterStream a Stream binds to when `spec.storage.clusterStream` is absent. */
export function defaultClusterStreamName(streamName: string): string {
  return `${streamName}-cluster-stream`;
}

/** The Service Binding Secret (in the operator's namespace) that describes a ClusterStream's topic. */
export function clusterStreamBindingName(clusterStream: string): string {
  return boundedName(clusterStream, '-clusterstream-binding');
}

/** The Service Binding Secret (in the Stream's namespace) that describes a Stream's topic. */
export function streamBindingName(stream: string): string {
  return boundedName(stream, '-stream-binding');
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * `value` when it is a valid label value (63 characters at most), else a stable shortened form
 * ending in a hash, so that long object names can still be put in a label.
 */
export function labelValue(value: string): string {
  if (value.length <= 63 && LABEL_VALUE.test(value)) return value;
  const hash = createHash('sha256').update(value).digest('hex').slice(0, 10);
  const head = value
    .slice(0, 52)
    .replace(/[^-A-Za-z0-9_.]/g, '-')
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return head ? `${head}-${hash}` : hash;
}
