/**
 * @module cli/demo/status
 * What the demo reports: every object of Sluice's kinds in its scope (those it applied and those
 * Sluice made from them), with the Ready condition and the phase.
 */
import {
  findCondition,
  isRecord,
  namespacedName,
  type KindInfo,
  type KubeClient,
  type KubeObject,
} from '../../runtime/index.js';
import { SLUICE_KINDS } from '../../shared/index.js';
import { inScope } from './scope.js';

/** One line of the status table. */
export interface StatusRow {
  readonly kind: string;
  readonly name: string;
  readonly ready: string;
  readonly reason: string | undefined;
  readonly phase: string | undefined;
}

/** `Kind.group`, shortened to the kind where the kind name is unique among Sluice's kinds. */
export function kindLabel(kind: KindInfo): string {
  const twins = SLUICE_KINDS.filter((k) => k.kind === kind.kind).length;
  return twins > 1 ? `${kind.kind}.${kind.group}` : kind.kind;
}

function rowOf(kind: KindInfo, obj: KubeObject): StatusRow {
  const ready = findCondition(obj.status, 'Ready');
  const phase = isRecord(obj.status) && typeof obj.status.phase === 'string' ? obj.status.phase : undefined;
  const { namespace, name = '' } = obj.metadata;
  return {
    kind: kindLabel(kind),
    name: namespacedName(namespace, name),
    ready: obj.metadata.deletionTimestamp ? 'Deleting' : (ready?.status ?? 'Unknown'),
    reason: ready?.reason,
    phase,
  };
}

/** The objects of every Sluice kind in the scope, kind by kind. */
export async function scopedObjects(
  kube: KubeClient,
  namespaces: readonly string[],
): Promise<{ kind: KindInfo; object: KubeObject }[]> {
  const found: { kind: KindInfo; object: KubeObject }[] = [];
  for (const kind of SLUICE_KINDS) {
    const lists = kind.namespaced
      ? await Promise.all(namespaces.map((ns) => kube.listAll(kind, ns)))
      : [await kube.listAll(kind)];
    for (const object of lists.flat()) if (inScope(object, namespaces)) found.push({ kind, object });
  }
  return found;
}

/** The status table of the scope. */
export async function statusRows(kube: KubeClient, namespaces: readonly string[]): Promise<StatusRow[]> {
  return (await scopedObjects(kube, namespaces)).map(({ kind, object }) => rowOf(kind, object));
}

/** Whether every row is Ready. */
export function allReady(rows: readonly StatusRow[]): boolean {
  return rows.length > 0 && rows.every((r) => r.ready === 'True');
}

/** `kind name: Ready=… (reason)`, for progress lines. */
export function describeRow(r: StatusRow): string {
  return `${r.kind} ${r.name}: Ready=${r.ready}${r.reason ? ` (${r.reason})` : ''}${r.phase ? `, phase ${r.phase}` : ''}`;
}
