/**
 * @module examples/configmap-mirror/handlers
 * The ConfigMapMirror's handlers: the Secret is the ConfigMap's data (all keys, or those listed),
 * server-side applied and owned by the mirror; the status says how many keys it holds, or why it
 * cannot (`SourceNotFound`, `KeysMissing`, `InvalidSpec`). A converged mirror writes nothing.
 */
import {
  Builtin,
  TerminalError,
  awaitChange,
  conditionsOf,
  controllerRef,
  setCondition,
  type KubeObject,
  type ReconcileResult,
} from 'sluice';
import { ConfigMapMirrorKind, type MirrorContext } from './index.js';

export interface Mirror extends KubeObject {
  readonly spec: { readonly source: string; readonly target?: string; readonly keys?: readonly string[] };
}

/** Checks the spec the API server accepted (the CRD's schema is the first check). */
export function parse(obj: KubeObject): Mirror {
  const spec = obj.spec as Record<string, unknown> | undefined;
  const source = spec?.source;
  if (typeof source !== 'string' || source === '')
    throw new TerminalError('InvalidSpec', 'spec.source must name a ConfigMap');
  const keys = spec?.keys;
  if (keys !== undefined && !(Array.isArray(keys) && keys.every((k) => typeof k === 'string')))
    throw new TerminalError('InvalidSpec', 'spec.keys must be a list of key names');
  return obj as Mirror;
}

/** The data the Secret gets: every key of the ConfigMap, or only the listed ones. */
export function mirroredData(
  data: Readonly<Record<string, string>>,
  keys: readonly string[] | undefined,
): { data: Record<string, string>; missing: string[] } {
  const wanted = keys ?? Object.keys(data);
  const missing = wanted.filter((k) => !(k in data));
  const out: Record<string, string> = {};
  for (const k of wanted) if (k in data) out[k] = data[k] ?? '';
  return { data: out, missing };
}

async function writeReady(
  mirror: Mirror,
  ctx: MirrorContext,
  ready: { status: 'True' | 'False'; reason: string; message: string },
  keys: number,
): Promise<void> {
  const status = (mirror.status ?? {}) as Record<string, unknown>;
  const generation = mirror.metadata.generation;
  await ctx.kube.writeStatus(ConfigMapMirrorKind, mirror, {
    ...status,
    ...(generation === undefined ? {} : { observedGeneration: generation }),
    keys,
    conditions: setCondition(
      conditionsOf(status),
      { type: 'Ready', ...ready, ...(generation === undefined ? {} : { observedGeneration: generation }) },
      ctx.clock.now(),
    ),
  });
}

export async function reconcile(mirror: Mirror, ctx: MirrorContext): Promise<ReconcileResult> {
  const namespace = mirror.metadata.namespace ?? '';
  const cm = await ctx.kube.get(Builtin.ConfigMap, namespace, mirror.spec.source);
  if (!cm) {
    await writeReady(
      mirror,
      ctx,
      {
        status: 'False',
        reason: 'SourceNotFound',
        message: `ConfigMap ${namespace}/${mirror.spec.source} does not exist`,
      },
      0,
    );
    return awaitChange();
  }
  const { data, missing } = mirroredData(
    (cm as { data?: Record<string, string> }).data ?? {},
    mirror.spec.keys,
  );
  const [labelKey, labelValue] = ctx.settings.label;
  await ctx.kube.apply(Builtin.Secret, {
    metadata: {
      name: mirror.spec.target ?? mirror.metadata.name ?? '',
      namespace,
      labels: { [labelKey]: labelValue },
      ownerReferences: [controllerRef(ConfigMapMirrorKind, mirror)],
    },
    // `data`, base64, rather than `stringData`: applied again unchanged, it writes nothing.
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  });
  await writeReady(
    mirror,
    ctx,
    missing.length > 0
      ? {
          status: 'False',
          reason: 'KeysMissing',
          message: `ConfigMap ${mirror.spec.source} has no key ${missing.join(', ')}`,
        }
      : {
          status: 'True',
          reason: 'Mirrored',
          message: `${Object.keys(data).length} keys of ConfigMap ${mirror.spec.source}`,
        },
    Object.keys(data).length,
  );
  return awaitChange();
}
