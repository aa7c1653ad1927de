/**
 * @module cli/demo/cluster
 * What the demo does to the API server outside Sluice: install the CRDs, create its namespaces and
 * the StorageClasses the examples name, and apply manifests as a user would (server-side apply
 * under its own field manager, so Sluice's `sluice` manager and the demo never fight over a field).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import {
  Builtin,
  KubeApiError,
  apiVersionOf,
  isRecord,
  resourcePath,
  type KubeClient,
  type KubeObject,
  type ResourceType,
} from '../../runtime/index.js';

/** The field manager of the demo's own writes. */
export const DEMO_FIELD_MANAGER = 'sluice-demo';

/** The field manager of the CRDs (the one the tests use too, so neither takes the other's fields). */
export const CRD_FIELD_MANAGER = 'sluice-crds';

/** The environment's volume provisioner (kwok), whose claims bind without a storage backend. */
export const KWOK_PROVISIONER = 'kwok.x-k8s.io/volume';

/** Server-side applies `obj` under `manager`; the apiVersion and kind come from `type`. */
export function applyAs<K extends KubeObject = KubeObject>(
  kube: KubeClient,
  type: ResourceType,
  obj: KubeObject,
  manager: string = DEMO_FIELD_MANAGER,
): Promise<K> {
  return kube.rest.request<K>({
    method: 'PATCH',
    path: resourcePath(type, obj.metadata.namespace, obj.metadata.name ?? ''),
    contentType: 'application/apply-patch+yaml',
    body: { ...obj, apiVersion: apiVersionOf(type), kind: type.kind },
    query: { fieldManager: manager, force: true },
  });
}

/** The CRD manifests of `dir`, one per `*.yaml` file. */
export function readCrds(dir: string): KubeObject[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const doc: unknown = parse(readFileSync(path.join(dir, f), 'utf8'));
      if (!isRecord(doc) || !isRecord(doc.metadata)) throw new Error(`${f} is not a manifest`);
      return doc as KubeObject;
    });
}

function established(crd: KubeObject | undefined): boolean {
  const status = isRecord(crd?.status) ? crd.status : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  return conditions.some((c) => isRecord(c) && c.type === 'Established' && c.status === 'True');
}

/**
 * Applies every CRD and waits until each is Established (its kinds are served).
 * @throws when one is not Established within `timeoutMs`.
 */
export async function installCrds(
  kube: KubeClient,
  crds: readonly KubeObject[],
  timeoutMs = 60_000,
): Promise<void> {
  for (const crd of crds) await applyAs(kube, Builtin.CustomResourceDefinition, crd, CRD_FIELD_MANAGER);
  const deadline = Date.now() + timeoutMs;
  for (const crd of crds) {
    const name = crd.metadata.name ?? '';
    while (!established(await kube.get(Builtin.CustomResourceDefinition, undefined, name))) {
      if (Date.now() > deadline) throw new Error(`CustomResourceDefinition ${name} is not Established`);
      await sleep(250);
    }
  }
}

/** Creates a namespace unless it exists; resolves whether it was created. */
export async function ensureNamespace(
  kube: KubeClient,
  name: string,
  labels: Record<string, string>,
): Promise<boolean> {
  const existing = await kube.get(Builtin.Namespace, undefined, name);
  if (existing?.metadata.deletionTimestamp) {
    throw new Error(`namespace ${name} is still being deleted (a previous demo?); try again in a moment`);
  }
  if (existing) return false;
  await kube.create(Builtin.Namespace, { metadata: { name, labels } });
  return true;
}

/**
 * Creates the StorageClass `name` with the environment's provisioner unless one of that name
 * exists (whatever its provisioner: another user's class is left alone). Resolves whether it was created.
 */
export async function ensureStorageClass(kube: KubeClient, name: string): Promise<boolean> {
  if (await kube.get(Builtin.StorageClass, undefined, name)) return false;
  try {
    await kube.create(Builtin.StorageClass, {
      metadata: { name },
      provisioner: KWOK_PROVISIONER,
      volumeBindingMode: 'Immediate',
      reclaimPolicy: 'Delete',
    });
    return true;
  } catch (err) {
    if (err instanceof KubeApiError && err.isConflict) return false;
    throw err;
  }
}

/**
 * Polls until `probe` holds or `timeoutMs` passes.
 * @returns whether it held.
 */
export async function waitFor(
  probe: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 500,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > deadline) return false;
    await sleep(intervalMs);
  }
}
