/**
 * @module examples/configmap-mirror
 * An example function module, written as one outside this repository would be: it imports only
 * the package's public entry point (`sluice`). A ConfigMapMirror copies the data of a ConfigMap of
 * its namespace into a Secret it owns; a change of the ConfigMap, of the Secret, or of the mirror
 * reconciles it.
 *
 * Run it beside (or instead of) the built-in functions:
 *
 * ```sh
 * sluice dispatcher --functions dist/examples/configmap-mirror/index.js [--no-builtins]
 * sluice worker --functions dist/examples/configmap-mirror/index.js --kinds configmapmirrors.examples.sluice.io
 * ```
 *
 * This module is the declaration only: the dispatcher loads it and never the handlers
 * (`handlers.ts`), which the worker loads when it takes its first job.
 */
import {
  Builtin,
  declareFunction,
  defineKind,
  enqueueMapped,
  optional,
  provide as provideToken,
  refOf,
  token,
  type DependencyContainer,
  type Environment,
  type FunctionDeclaration,
  type KubeObject,
  type ReconcileContext,
} from 'sluice';

export const ConfigMapMirrorKind = defineKind({
  group: 'examples.sluice.io',
  version: 'v1alpha1',
  kind: 'ConfigMapMirror',
  plural: 'configmapmirrors',
  namespaced: true,
});

/** What the mirror's handlers need besides the core context: a label put on every Secret. */
export interface MirrorSettings {
  /** `MIRROR_LABEL`: the label (key=value) put on the Secrets written. @defaultValue `mirrored-by=sluice` */
  readonly label: readonly [string, string];
}

export const MIRROR_SETTINGS = token<MirrorSettings>('the ConfigMapMirror settings (MIRROR_LABEL)');

/** The context of the mirror's handlers. */
export type MirrorContext = ReconcileContext<{ readonly settings: MirrorSettings }>;

/** The mirrors of a ConfigMap: those of its namespace naming it as their source. */
const configMapToMirrors = enqueueMapped((cm: KubeObject, stores) =>
  stores
    .list(ConfigMapMirrorKind)
    .filter(
      (m) =>
        m.metadata.namespace === cm.metadata.namespace &&
        (m.spec as { source?: unknown } | undefined)?.source === cm.metadata.name,
    )
    .map((m) => refOf(ConfigMapMirrorKind, m)),
);

export const configMapMirrorFunction = declareFunction(ConfigMapMirrorKind, {
  needs: { settings: MIRROR_SETTINGS },
  controller: (c) => c.owns(Builtin.Secret).watches(Builtin.ConfigMap, configMapToMirrors),
  access: {
    // The ConfigMap it copies.
    rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
    // The Secret it writes (server-side apply: a PATCH that may create).
    secrets: ['create', 'patch'],
  },
  handlers: () => import('./handlers.js'),
});

/** What `sluice dispatcher|worker --functions` reads. */
export const functions: readonly FunctionDeclaration[] = [configMapMirrorFunction];

/**
 * Provides the mirror's needs, from the environment snapshot the process took.
 * @throws when MIRROR_LABEL is not `key=value`.
 */
export function provide(container: DependencyContainer, env: Environment): void {
  const raw = optional(env, 'MIRROR_LABEL') ?? 'mirrored-by=sluice';
  const [key, value, ...rest] = raw.split('=');
  if (!key || value === undefined || rest.length > 0)
    throw new Error(`MIRROR_LABEL must be key=value, got ${raw}`);
  provideToken(container, MIRROR_SETTINGS, { label: [key, value] });
}
