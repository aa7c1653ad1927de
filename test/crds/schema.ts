/**
 * @module test/crds/schema
 * Reads the CRD files of `crds/` and walks their OpenAPI schemas: the shapes the CRD tests need,
 * a visitor over every schema node with its path, and the API server's structural defaulting
 * rule, so a test can predict exactly what the server stores for an object it sends.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { crdsDir } from '../helpers/crds.js';

/** The subset of an OpenAPI v3 schema node that CRDs use. */
export interface SchemaNode {
  readonly type?: string;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly items?: SchemaNode;
  readonly additionalProperties?: SchemaNode | boolean;
  readonly required?: readonly string[];
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly SchemaNode[];
  readonly oneOf?: readonly SchemaNode[];
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-list-type'?: string;
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
}

export interface PrinterColumn {
  readonly name: string;
  readonly type: string;
  readonly jsonPath: string;
  readonly description?: string;
  readonly priority?: number;
}

export interface CrdVersion {
  readonly name: string;
  readonly served: boolean;
  readonly storage: boolean;
  readonly subresources?: { readonly status?: object };
  readonly additionalPrinterColumns?: readonly PrinterColumn[];
  readonly schema: { readonly openAPIV3Schema: SchemaNode };
}

/** A CustomResourceDefinition as written in `crds/` (only the fields the tests read). */
export interface Crd {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec: {
    readonly group: string;
    readonly scope: 'Namespaced' | 'Cluster';
    readonly names: {
      readonly plural: string;
      readonly singular: string;
      readonly kind: string;
      readonly shortNames?: readonly string[];
    };
    readonly versions: readonly CrdVersion[];
  };
}

/** A CRD file and its parsed content. */
export interface CrdFile {
  readonly file: string;
  readonly crd: Crd;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Narrows parsed YAML to a {@link Crd}, checking the fields every test relies on. */
export function asCrd(raw: unknown, what: string): Crd {
  const spec = isRecord(raw) ? raw['spec'] : undefined;
  const meta = isRecord(raw) ? raw['metadata'] : undefined;
  if (
    !isRecord(raw) ||
    raw['kind'] !== 'CustomResourceDefinition' ||
    !isRecord(meta) ||
    typeof meta['name'] !== 'string' ||
    !isRecord(spec) ||
    typeof spec['group'] !== 'string' ||
    !isRecord(spec['names']) ||
    !Array.isArray(spec['versions']) ||
    spec['versions'].length === 0
  ) {
    throw new Error(`${what} is not a CustomResourceDefinition with a name, group, names and versions`);
  }
  return raw as unknown as Crd;
}

/** Every CRD file of `crds/`, sorted by file name. */
export function loadCrdFiles(): CrdFile[] {
  return readdirSync(crdsDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => ({ file, crd: asCrd(parse(readFileSync(path.join(crdsDir, file), 'utf8')), file) }));
}

/** The CRD of `<plural>.<group>`; throws when there is none. */
export function loadCrd(name: string): Crd {
  const found = loadCrdFiles().find((f) => f.crd.metadata.name === name);
  if (!found) throw new Error(`no CRD named ${name} in crds/`);
  return found.crd;
}

/** The one version of a CRD (Sluice serves v1alpha1 only). */
export function versionOf(crd: Crd): CrdVersion {
  const [version] = crd.spec.versions;
  if (!version) throw new Error(`${crd.metadata.name} has no version`);
  return version;
}

/** The root schema of a CRD's only version. */
export function rootSchema(crd: Crd): SchemaNode {
  return versionOf(crd).schema.openAPIV3Schema;
}

/** The schema node at a dotted path of properties (`spec.storage.reclaimPolicy`); `[]` steps into items. */
export function nodeAt(crd: Crd, dotted: string): SchemaNode {
  let node: SchemaNode | undefined = rootSchema(crd);
  for (const step of dotted.split('.')) {
    const arr = step.endsWith('[]');
    const key = arr ? step.slice(0, -2) : step;
    node = node?.properties?.[key];
    if (arr) node = node?.items;
  }
  if (!node) throw new Error(`${crd.metadata.name} has no field ${dotted}`);
  return node;
}

/** How a node hangs under its parent: a named property, an array's items, or a map's values. */
export type Edge = 'property' | 'items' | 'values' | 'root' | 'alternative';

/** Calls `visit` for every node of `schema`, depth first, with its path (`spec.tasks[].config`). */
export function walk(
  schema: SchemaNode,
  visit: (node: SchemaNode, at: string, edge: Edge) => void,
  at = '',
  edge: Edge = 'root',
): void {
  visit(schema, at, edge);
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    walk(child, visit, at ? `${at}.${key}` : key, 'property');
  }
  if (schema.items) walk(schema.items, visit, `${at}[]`, 'items');
  if (typeof schema.additionalProperties === 'object') {
    walk(schema.additionalProperties, visit, `${at}{}`, 'values');
  }
  for (const alt of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) walk(alt, visit, at, 'alternative');
}

/**
 * What the API server stores for `value` under `schema`: every absent property with a default gets
 * it, top-down, so a defaulted `{}` receives the defaults of its own properties; arrays and maps are
 * defaulted element by element. The input is not modified.
 */
export function withDefaults(schema: SchemaNode, value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = schema.items;
    return items ? value.map((v) => withDefaults(items, v)) : value;
  }
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = { ...value };
  const props = schema.properties ?? {};
  for (const [key, child] of Object.entries(props)) {
    if (out[key] === undefined && child.default !== undefined) out[key] = structuredClone(child.default);
    if (out[key] !== undefined) out[key] = withDefaults(child, out[key]);
  }
  const values = schema.additionalProperties;
  if (typeof values === 'object') {
    for (const key of Object.keys(out)) {
      if (!(key in props)) out[key] = withDefaults(values, out[key]);
    }
  }
  return out;
}
