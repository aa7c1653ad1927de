/**
 * @module functions/streambus-cluster
 * The StreamBusCluster function (`streambus.io/v1alpha1`): a StreamBus broker cluster run as a
 * StatefulSet with its ConfigMap, Services, PodDisruptionBudget and optional NetworkPolicy and
 * ServiceMonitor.
 *
 * Watch configuration:
 * - the cluster itself, with the default primary predicate (spec, finalizer, deletion or
 *   annotation changes; our status writes do not loop);
 * - owned kinds, watched metadata-only, every change re-enqueuing the owner: StatefulSet (its
 *   status drives the phase), Service, ConfigMap, PodDisruptionBudget and NetworkPolicy (an edit
 *   or deletion by someone else is undone).
 *
 * ServiceMonitors are not watched: the kind may not exist, and a watch on a missing kind fails.
 * Neither are the TLS Secrets nor CRDs: a cluster waiting for a Secret or for the ServiceMonitor
 * CRD polls every 30 s instead (see reconcile and checks).
 * No finalizer: every child is garbage-collected through its owner reference.
 */
import { StreamBusClusterKind, defineFunction } from '../../shared/index.js';
import { asCluster } from './parse.js';
import { reconcile } from './reconcile.js';
import { streamBusClusterWatch } from './watch.js';

export const streamBusClusterFunction = defineFunction({
  kind: StreamBusClusterKind,
  parse: asCluster,
  reconcile,
  watch: streamBusClusterWatch,
});

export { reconcile } from './reconcile.js';
export { asCluster, parseSpec, type StreamBusCluster } from './parse.js';
export { desiredObjects, type DesiredObjects } from './desired.js';
export { StreamBusClusterSpec } from './spec.js';
