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
import {
  DirectiveKind,
  TawonStreamKind,
  defineFunction,
  enqueueMapped,
  isRecord,
  refOf,
  type KubeObject,
  type Mapper,
} from '../../shared/index.js';
import { DIRECTIVE_LABEL } from './desired.js';
import { reconcileDirective } from './reconcile.js';
import { parseDirective } from './spec.js';

/** The Stream names a Directive object refers to (its streams and its stream publish tasks), unvalidated. */
export function referencedStreams(directive: KubeObject): Set<string> {
  const spec = isRecord(directive.spec) ? directive.spec : {};
  const names = new Set<string>();
  for (const s of Array.isArray(spec.streams) ? spec.streams : []) {
    if (isRecord(s) && typeof s.name === 'string') names.add(s.name);
  }
  for (const t of Array.isArray(spec.tasks) ? spec.tasks : []) {
    const config = isRecord(t) && t.task === 'publish' && isRecord(t.config) ? t.config : undefined;
    if (config?.type === 'stream' && typeof config.name === 'string') names.add(config.name);
  }
  return names;
}

/** Maps a Tawon Stream to the Directives that refer to it or created it. */
export const streamToDirectives: Mapper = (stream, stores) => {
  const name = stream.metadata.name ?? '';
  const creator = stream.metadata.labels?.[DIRECTIVE_LABEL];
  return stores
    .list(DirectiveKind)
    .filter(
      (d) =>
        d.metadata.namespace === stream.metadata.namespace &&
        (d.metadata.name === creator || referencedStreams(d).has(name)),
    )
    .map((d) => refOf(DirectiveKind, d));
};

export const directiveFunction = defineFunction({
  kind: DirectiveKind,
  parse: parseDirective,
  reconcile: reconcileDirective,
  watch: {
    owns: [{ kind: TawonStreamKind }],
    watches: [{ kind: TawonStreamKind, mapper: enqueueMapped(streamToDirectives) }],
  },
});

export { CREATED_BY_ANNOTATION, DIRECTIVE_LABEL } from './desired.js';
