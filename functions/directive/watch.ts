/**
 * @module functions/directive/watch
 * What triggers a Directive reconcile besides its own changes: the Tawon Streams it owns, and any
 * Stream it refers to or created.
 */
import { DirectiveKind } from '../../shared/kinds.js';
import { refOf } from '../../runtime/kube/object-ref.js';
import type { KubeObject } from '../../runtime/kube/types.js';
import { type Mapper } from '../../runtime/controller/mappers.js';
import { isRecord } from '../../runtime/util.js';

/** The label naming the Directive that created a Stream. */
export const DIRECTIVE_LABEL = 'tawon.mantisnet.com/directive';

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
