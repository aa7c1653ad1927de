/**
 * @module functions/cluster-stream
 * The ClusterStream function (`streaming.tanzu.vmware.com/v1alpha1`, cluster-scoped): a topic on
 * Kafka, a stream on NATS JetStream or an exchange with its stream queues on RabbitMQ,
 * PersistentVolume style. Its declaration: see
 * `reconcile.ts` for the flow, `finalize.ts` for deletion, `ownership.ts` for who owns a topic,
 * `watch.ts` for the mappers.
 *
 * Triggers besides its own changes: its binding Secret (owned; changes after its first sighting);
 * any Stream that names it or is named by its claim, so that a Stream's deletion (a release) is
 * noticed at once rather than at the next resync; and the deletion of a BrokerClaim it waits for,
 * so that it takes the topic over at once.
 */
import {
  Builtin,
  declareFunction,
  deletionChanged,
  generationChanged,
  or,
  type FunctionDeclaration,
} from '../../runtime/index.js';
import { BROKER_SETTINGS_DRIFT_NEEDS } from '../../shared/context.js';
import { ClusterStreamKind, TanzuStreamKind, TawonStreamKind } from '../../shared/kinds.js';
import { BrokerClaimType } from '../../shared/ownership/claim-kind.js';
import { isUnmanaged } from '../../shared/ownership/management.js';
import { watchClaimReleases } from '../../shared/ownership/watch.js';
import { CLUSTER_STREAM_FINALIZER } from '../../shared/tanzu/names.js';
import type { FinalizeOptions } from './finalize.js';
import { ownedSecretChanged, streamToClusterStreams } from './watch.js';

/** The declaration, with another broker-gone limit for the finalizer. */
export function clusterStreamFunctionWith(opts: FinalizeOptions = {}): FunctionDeclaration {
  return declareFunction(ClusterStreamKind, {
    finalizer: CLUSTER_STREAM_FINALIZER,
    // An unmanaged ClusterStream holds no finalizer: Sluice will not delete its topic.
    keepsFinalizer: (obj) => !isUnmanaged(obj),
    needs: BROKER_SETTINGS_DRIFT_NEEDS,
    access: {
      rules: [
        // An auto-provisioned ClusterStream released with reclaimPolicy Delete deletes itself.
        { apiGroups: [ClusterStreamKind.group], resources: [ClusterStreamKind.plural], verbs: ['delete'] },
        // The claimant check.
        { apiGroups: [TanzuStreamKind.group], resources: [TanzuStreamKind.plural], verbs: ['get'] },
        // Who owns a topic: claimed, marked adopted, released, a stale claim evicted.
        {
          apiGroups: [BrokerClaimType.group],
          resources: [BrokerClaimType.plural],
          verbs: ['get', 'create', 'patch', 'delete'],
        },
        // Whether the holder of a claim (a Tawon Stream, for NATS) still exists.
        { apiGroups: [TawonStreamKind.group], resources: [TawonStreamKind.plural], verbs: ['get'] },
      ],
      // A Stream's broker binding Secret, in the Stream's namespace, for a ClusterStream
      // provisioned for that Stream (sluice.io/binding-namespace; see spec.ts bindingNamespaceOf).
      secrets: ['get'],
      // Broker credentials (get), its binding Secret (create, patch), deleted when reclaimed.
      operatorSecrets: ['get', 'create', 'patch', 'delete'],
    },
    controller: (c) =>
      watchClaimReleases(
        c
          .owns(Builtin.Secret, { predicate: ownedSecretChanged })
          // A Stream's creation, spec change or deletion; not its status writes.
          .watches(TanzuStreamKind, streamToClusterStreams, {
            predicate: or(generationChanged, deletionChanged),
          }),
        ClusterStreamKind,
      ),
    handlers: () =>
      import('./handlers.js').then((h) => ({
        ...h,
        finalize: opts.brokerGoneAfterMs === undefined ? h.finalize : h.finalizeWith(opts),
      })),
  });
}

export const clusterStreamFunction = clusterStreamFunctionWith();
