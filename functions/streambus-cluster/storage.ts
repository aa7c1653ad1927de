/**
 * @module functions/streambus-cluster/storage
 * Detects changes the API server would refuse: a StatefulSet's volumeClaimTemplates cannot change
 * after creation, so a new storage.size, storage.raftSize or storage.class must be reported, not
 * applied (and not silently dropped). Pure.
 */
import { isRecord, Quantity, type KubeObject } from '../../runtime/index.js';
import type { StatefulSetManifest } from './desired-statefulset.js';

/**
 * True when both are the same Kubernetes quantity, however spelled (`1Gi`, `1024Mi`), as the API
 * server compares them; a malformed one equals nothing.
 */
function sameQuantity(a: string | number, b: string | number): boolean {
  const x = Quantity.tryParse(a);
  const y = Quantity.tryParse(b);
  return x !== undefined && y !== undefined && x.equals(y);
}

interface TemplateView {
  readonly storageClassName: string | undefined;
  readonly storage: string | number | undefined;
}

/** The claim templates of a StatefulSet read from the API server, by name. */
function templatesOf(spec: unknown): Map<string, TemplateView> {
  const out = new Map<string, TemplateView>();
  const list = isRecord(spec) ? spec.volumeClaimTemplates : undefined;
  if (!Array.isArray(list)) return out;
  for (const t of list as unknown[]) {
    if (!isRecord(t) || !isRecord(t.metadata) || typeof t.metadata.name !== 'string') continue;
    const s = isRecord(t.spec) ? t.spec : {};
    const requests = isRecord(s.resources) && isRecord(s.resources.requests) ? s.resources.requests : {};
    const storage = requests.storage;
    out.set(t.metadata.name, {
      storageClassName: typeof s.storageClassName === 'string' ? s.storageClassName : undefined,
      storage: typeof storage === 'string' || typeof storage === 'number' ? storage : undefined,
    });
  }
  return out;
}

/**
 * What differs between the claim templates of the existing StatefulSet and the desired ones, one
 * sentence each; empty when nothing does (or when there is no StatefulSet yet).
 */
export function storageChange(existing: KubeObject | undefined, desired: StatefulSetManifest): string[] {
  if (!existing) return [];
  const have = templatesOf(existing.spec);
  const want = templatesOf(desired.spec);
  const out: string[] = [];
  for (const [name, w] of want) {
    const h = have.get(name);
    if (!h) {
      out.push(`claim template ${name} does not exist in the StatefulSet`);
      continue;
    }
    if (h.storageClassName !== w.storageClassName) {
      out.push(
        `claim template ${name}: storage class ${h.storageClassName ?? '(default)'} → ${w.storageClassName ?? '(default)'}`,
      );
    }
    if (w.storage !== undefined && (h.storage === undefined || !sameQuantity(h.storage, w.storage))) {
      out.push(`claim template ${name}: size ${String(h.storage ?? '(none)')} → ${String(w.storage)}`);
    }
  }
  for (const name of have.keys()) {
    if (!want.has(name)) out.push(`claim template ${name} would be removed`);
  }
  return out;
}
