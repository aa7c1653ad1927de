/**
 * @module functions/directive
 * The Directive function (`tawon.mantisnet.com/v1alpha1`): creates the Tawon Streams its `streams`
 * section names when absent (owned, deleted with it on `retentionPolicy: Delete`) and resolves
 * its publish tasks to stream subjects. Its declaration:
 * - the Streams it created, from a metadata watcher selected by its label (seed 003's
 *   `owns_stream`: only the Directives' Streams are watched, not every Stream);
 * - any Tawon Stream it refers to or created, through the dispatcher's shared Stream cache.
 */
import { declareFunction, metadataWatcher } from '../../runtime/index.js';
import { DirectiveKind, TawonStreamKind } from '../../shared/kinds.js';
import { DIRECTIVE_LABEL, streamToDirectives } from './watch.js';

export const directiveFunction = declareFunction(DirectiveKind, {
  controller: (c, kube) =>
    c
      .ownsStream(metadataWatcher(kube, TawonStreamKind, { labelSelector: DIRECTIVE_LABEL }).touchedObjects())
      .watches(TawonStreamKind, streamToDirectives),
  // The Streams it creates, reads, lists and deletes.
  access: {
    rules: [
      {
        apiGroups: [TawonStreamKind.group],
        resources: [TawonStreamKind.plural],
        verbs: ['get', 'list', 'create', 'patch', 'delete'],
      },
    ],
  },
  handlers: () => import('./handlers.js'),
});
