/**
 * @module test/crds/objects
 * kubectl verbs the CRD tests use on custom objects: apply (client-side, with kubectl's default
 * validation, as a user would), read back, write status, capture a refusal, read the printed
 * table, and load the seed fixtures.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseDocument } from 'yaml';
import { repoRoot } from '../env/paths.js';
import { kubectl } from '../helpers/kube.js';

/** The folder of the seed examples, as YAML files. */
export const seedsDir: string = path.join(repoRoot, 'examples', 'seeds');

/** A stored custom object, as `kubectl get -o json` prints it. */
export interface StoredObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly generation?: number };
  readonly spec?: Record<string, unknown>;
  readonly status?: Record<string, unknown>;
}

/** A seed fixture: its file, its text, and the object it describes. */
export interface Fixture {
  readonly file: string;
  readonly text: string;
  readonly object: StoredObject;
}

/** Reads `examples/seeds/<file>`. */
export function loadFixture(file: string): Fixture {
  const text = readFileSync(path.join(seedsDir, file), 'utf8');
  return { file, text, object: parse(text) as StoredObject };
}

/**
 * The fixture's text with only `metadata.name` and/or `metadata.namespace` replaced; comments,
 * spec and everything else stay as written.
 */
export function placed(fixture: Fixture, where: { name?: string; namespace?: string }): string {
  const doc = parseDocument(fixture.text);
  if (where.name !== undefined) doc.setIn(['metadata', 'name'], where.name);
  if (where.namespace !== undefined) doc.setIn(['metadata', 'namespace'], where.namespace);
  return doc.toString();
}

/** `kubectl apply -f -`, client-side with kubectl's default validation, into `namespace` if given. */
export async function apply(yamlText: string, namespace?: string): Promise<string> {
  return kubectl(['apply', ...(namespace ? ['-n', namespace] : []), '-f', '-'], yamlText);
}

/** `kubectl apply -f <seed file>`, the file exactly as committed, into `namespace` if given. */
export async function applySeedFile(file: string, namespace?: string): Promise<string> {
  return kubectl(['apply', ...(namespace ? ['-n', namespace] : []), '-f', path.join(seedsDir, file)]);
}

/** `kubectl get <resource> <name> -o json`; `resource` may be `<plural>.<group>`. */
export async function getObject(resource: string, name: string, namespace?: string): Promise<StoredObject> {
  const out = await kubectl(['get', resource, name, ...(namespace ? ['-n', namespace] : []), '-o', 'json']);
  return JSON.parse(out) as StoredObject;
}

/** Merges `status` into the object's status through the status subresource. */
export async function patchStatus(
  resource: string,
  name: string,
  namespace: string | undefined,
  status: Record<string, unknown>,
): Promise<void> {
  await kubectl([
    'patch',
    resource,
    name,
    ...(namespace ? ['-n', namespace] : []),
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({ status }),
  ]);
}

/** `kubectl delete`, ignoring an object that is already gone. */
export async function remove(resource: string, name: string, namespace?: string): Promise<void> {
  await kubectl([
    'delete',
    resource,
    name,
    ...(namespace ? ['-n', namespace] : []),
    '--ignore-not-found',
    '--wait=false',
  ]);
}

/**
 * Runs a kubectl call that must fail and returns its error text (kubectl's stderr).
 * @throws when the call succeeds.
 */
export async function refusal(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  throw new Error('kubectl accepted what should have been refused');
}

/**
 * `kubectl get <resource> <name> -o wide` as a record from column header to cell. Cells are cut at
 * the header's column starts, so empty cells read as ''.
 */
export async function printedRow(
  resource: string,
  name: string,
  namespace?: string,
): Promise<Record<string, string>> {
  const out = await kubectl(['get', resource, name, ...(namespace ? ['-n', namespace] : []), '-o', 'wide']);
  const [header = '', row = ''] = out.split('\n');
  const starts = [...header.matchAll(/\S+/g)].map((m) => ({ name: m[0], at: m.index }));
  const cells: Record<string, string> = {};
  starts.forEach((col, i) => {
    const end = starts[i + 1]?.at ?? row.length;
    cells[col.name] = row.slice(col.at, end).trim();
  });
  return cells;
}
