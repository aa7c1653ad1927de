/**
 * @module functions/tanzu-stream
 * The Streaming Runtime's Stream function (`streaming.tanzu.vmware.com/v1alpha1`, namespaced): a
 * claim on a ClusterStream, auto-provisioning one when none exists, and a Service Binding Secret
 * for the workloads. Its declaration; `watch.ts` holds the mappers.
 *
 * Triggers besides its own changes: its binding Secret (owned); any change of a ClusterStream it
 * is bound to or names (status changes matter here: Ready, storage address); and a change of a
 * ClusterStream's binding Secret in the operator's namespace (credentials rotated).
 */
import { Builtin, declareFunction, resourceVersionChanged } from '../../runtime/index.js';
import { SETTINGS_NEEDS } from '../../shared/context.js';
import { ClusterStreamKind, TanzuStreamKind } from '../../shared/kinds.js';
import { bindingSecretToStreams, clusterStreamToStreams } from './watch.js';

export const tanzuStreamFunction = declareFunction(TanzuStreamKind, {
  needs: SETTINGS_NEEDS,
  access: {
    // Claims and auto-provisioning.
    rules: [
      {
        apiGroups: [ClusterStreamKind.group],
        resources: [ClusterStreamKind.plural],
        verbs: ['get', 'create', 'patch'],
      },
    ],
    // Its own binding Secret, beside the Stream.
    secrets: ['create', 'patch'],
    // The ClusterStream's binding Secret.
    operatorSecrets: ['get'],
  },
  controller: (c) =>
    c
      .owns(Builtin.Secret)
      .watches(ClusterStreamKind, clusterStreamToStreams, { predicate: resourceVersionChanged })
      .watches(Builtin.Secret, bindingSecretToStreams, {
        metadataOnly: true,
        predicate: resourceVersionChanged,
      }),
  handlers: () => import('./handlers.js'),
});
