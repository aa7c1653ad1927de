/**
 * @module functions/stream-store
 * The StreamStore function (`tawon.mantisnet.com/v1alpha1`): a NATS JetStream server as a
 * StatefulSet on a claim, with stream defaults and hard limits. Its declaration: the objects it
 * owns trigger it, and so do the Tawon Streams that name it (its status counts them).
 */
import { Builtin, declareFunction, deletionChanged, generationChanged, or } from '../../runtime/index.js';
import { StreamStoreKind, TawonStreamKind } from '../../shared/kinds.js';
import { streamToStore } from './watch.js';

export const streamStoreFunction = declareFunction(StreamStoreKind, {
  controller: (c) =>
    c
      .owns(Builtin.StatefulSet)
      .owns(Builtin.Service)
      .owns(Builtin.ConfigMap)
      .watches(TawonStreamKind, streamToStore, { predicate: or(generationChanged, deletionChanged) }),
  access: {
    rules: [
      // Applied (a PATCH that may create).
      { apiGroups: [''], resources: ['configmaps', 'services'], verbs: ['create', 'patch'] },
      { apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['create', 'patch'] },
      // Its status counts the Streams on it.
      { apiGroups: [TawonStreamKind.group], resources: [TawonStreamKind.plural], verbs: ['list'] },
    ],
  },
  handlers: () => import('./handlers.js'),
});
