/**
 * @module test/fuzz/mutations
 * Fuzzed specs, made by mutating a valid one: fast-check picks one to three places in the spec
 * tree and deletes them, gives them a value of another type, a hostile string, an extreme number,
 * an empty container, or adds an unknown field beside them. Places that name things outside the
 * test (a topic on the shared Kafka, a cluster-scoped object) keep a test prefix, so that a fuzzed
 * spec can never reach another test's objects.
 */
import fc from 'fast-check';
import { isRecord } from '../../runtime/index.js';

/** A path into a spec: object keys and array indexes. */
export type SpecPath = readonly (string | number)[];

export type Mutation =
  | { readonly op: 'delete'; readonly path: SpecPath }
  | { readonly op: 'set'; readonly path: SpecPath; readonly value: unknown; readonly why: string }
  | { readonly op: 'add'; readonly path: SpecPath; readonly key: string; readonly value: unknown };

/** Every path of `spec` (objects, arrays and leaves; the root excluded). */
export function pathsOf(spec: unknown, prefix: SpecPath = []): SpecPath[] {
  const out: SpecPath[] = [];
  if (Array.isArray(spec)) {
    spec.forEach((v, i) => out.push([...prefix, i], ...pathsOf(v, [...prefix, i])));
  } else if (isRecord(spec)) {
    for (const [k, v] of Object.entries(spec)) out.push([...prefix, k], ...pathsOf(v, [...prefix, k]));
  }
  return out;
}

const HOSTILE = [
  '',
  ' ',
  '..',
  '../x',
  '-',
  'A',
  'UPPER',
  'a_b',
  'a/b',
  'a b',
  '\u0000',
  'ünï',
  '-1',
  '0',
  '1e99',
  'true',
  'null',
  '${x}',
  '%s',
  'x'.repeat(300),
  '1Gi',
  '-5Gi',
  '10x',
  '1h',
  '-1s',
  'Delete',
  'Retain',
  'nats',
  'kafka',
];

/** Strings that tend to break parsers and names. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.string({ maxLength: 12 }),
  fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,30}$/),
);

/** Numbers at the edges. */
export const edgeNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(-1, 0, 1, 2, 3, 7, 65535, 65536, 2 ** 31, 2 ** 31 - 1, 2 ** 53, 1.5, -0.5, 1e300, -1e9),
  fc.integer({ min: -1000, max: 1_000_000 }),
);

function valueAt(root: unknown, path: SpecPath): unknown {
  let cur = root;
  for (const seg of path) {
    if (Array.isArray(cur) && typeof seg === 'number') cur = cur[seg];
    else if (isRecord(cur) && typeof seg === 'string') cur = cur[seg];
    else return undefined;
  }
  return cur;
}

/** A value of the same type as `current`, at an edge (what the schema lets through most often). */
function sameType(current: unknown): fc.Arbitrary<unknown> {
  if (typeof current === 'string') return hostileString;
  if (typeof current === 'number') return edgeNumber;
  if (typeof current === 'boolean') return fc.boolean();
  if (Array.isArray(current)) {
    const items: unknown[] = current;
    return fc.oneof(
      fc.constant([]),
      fc.constant([...items, ...items]),
      fc.array(hostileString, { maxLength: 3 }),
    );
  }
  return fc.dictionary(hostileString, fc.oneof(hostileString, edgeNumber), { maxKeys: 3 });
}

/** A mutation of `base` at one of its paths. */
export function mutation(base: unknown): fc.Arbitrary<Mutation> {
  const paths = pathsOf(base);
  const path = fc.constantFrom(...paths);
  const typed = fc
    .constantFrom(...paths)
    .chain((p) =>
      sameType(valueAt(base, p)).map((value): Mutation => ({ op: 'set', path: p, value, why: 'typed' })),
    );
  return fc.oneof(
    { arbitrary: typed, weight: 6 },
    { arbitrary: path.map((p): Mutation => ({ op: 'delete', path: p })), weight: 2 },
    {
      arbitrary: fc
        .record({ path, value: fc.jsonValue({ maxDepth: 2 }) })
        .map((r): Mutation => ({ op: 'set', ...r, why: 'any' })),
      weight: 1,
    },
    {
      arbitrary: fc
        .record({ path, value: fc.constantFrom<unknown>([], {}, '', null, [''], [{}]) })
        .map((r): Mutation => ({ op: 'set', ...r, why: 'empty' })),
      weight: 1,
    },
    {
      arbitrary: fc
        .record({
          path: fc.constantFrom<SpecPath>([], ...paths),
          key: fc.string({ minLength: 1, maxLength: 8 }),
          value: fc.jsonValue({ maxDepth: 1 }),
        })
        .map((r): Mutation => ({ op: 'add', ...r })),
      weight: 1,
    },
  );
}

/** One to three mutations of `base`. */
export function mutations(base: unknown): fc.Arbitrary<Mutation[]> {
  return fc.array(mutation(base), { minLength: 1, maxLength: 3 });
}

function parentOf(root: unknown, path: SpecPath): unknown {
  return valueAt(root, path.slice(0, -1));
}

/**
 * Applies the mutations to a copy of `base`. `guard` may rewrite the value set at a path (to
 * keep names inside the test's prefix); it receives the path as `a.b.0.c`.
 */
export function applyMutations(
  base: Record<string, unknown>,
  muts: readonly Mutation[],
  guard: (path: string, value: unknown) => unknown = (_p, v) => v,
): Record<string, unknown> {
  const spec = structuredClone(base);
  for (const m of muts) {
    if (m.op === 'add') {
      const target = m.path.length === 0 ? spec : parentOf(spec, [...m.path, '']);
      if (isRecord(target) && !Array.isArray(target)) target[m.key] = m.value;
      continue;
    }
    const parent = parentOf(spec, m.path);
    const last = m.path[m.path.length - 1];
    if (last === undefined) continue;
    const dotted = m.path.join('.');
    if (Array.isArray(parent) && typeof last === 'number') {
      if (m.op === 'delete') parent.splice(last, 1);
      else parent[last] = guard(dotted, m.value);
    } else if (isRecord(parent) && typeof last === 'string') {
      if (m.op === 'delete') delete parent[last];
      else parent[last] = guard(dotted, m.value);
    }
  }
  return spec;
}

/** A short account of mutations, for logs and failure messages. */
export function describeMutations(muts: readonly Mutation[]): string {
  return muts
    .map((m) =>
      m.op === 'delete'
        ? `delete ${m.path.join('.')}`
        : m.op === 'add'
          ? `add ${[...m.path, m.key].join('.')}=${JSON.stringify(m.value)}`
          : `set ${m.path.join('.')}=${JSON.stringify(m.value)?.slice(0, 60)}`,
    )
    .join('; ');
}
