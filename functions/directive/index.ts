/**
 * @module functions/directive
 * The Directive function (`tawon.mantisnet.com/v1alpha1`): creates the Streams its `streams`
 * section names when they are absent, owned by the Directive; uses existing ones as they are;
 * resolves its publish tasks to Streams and their subjects in its status.
 *
 * Deletion needs no finalizer: Streams created with `retentionPolicy: Delete` carry a controller
 * owner reference and the garbage collector deletes them; `Retain` ones carry none and stay.
 *
 * Watch configuration:
 * - owns Tawon Streams (those with its owner reference);
 * - watches Tawon Streams, mapped to the Directives of their namespace that list them, name them in
 *   a publish task, or created them: so a Stream's readiness, appearance or deletion is reflected.
 */
import { DirectiveKind, defineFunction } from '../../shared/index.js';
import { reconcileDirective } from './reconcile.js';
import { parseDirective } from './spec.js';
import { directiveWatch } from './watch.js';

export { DIRECTIVE_LABEL, referencedStreams, streamToDirectives } from './watch.js';

export const directiveFunction = defineFunction({
  kind: DirectiveKind,
  parse: parseDirective,
  reconcile: reconcileDirective,
  watch: directiveWatch,
});

export { CREATED_BY_ANNOTATION } from './desired.js';
