/**
 * @module boundaries
 * A local ESLint rule that enforces Sluice's import boundaries on resolved paths, so that
 * `../../functions/x` and `@/functions/x` style spellings cannot slip past a string pattern.
 *
 * Rules (folders are top-level folders of the repository):
 * - `functions/` and `dispatcher/` never import each other;
 * - `functions/<a>/` never imports `functions/<b>/` (nor the worker host at the `functions/` root);
 * - `shared/` imports neither `functions/` nor `dispatcher/` nor `cli/`;
 * - only the composition roots (`cli/`, `test/`, `bench/`) may import both sides.
 */
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');

/** Splits a repository-relative path into its top folder and, under functions/, the kind folder. */
function place(file) {
  const rel = path.relative(root, file).split(path.sep);
  const top = rel[0] ?? '';
  const kind = top === 'functions' && rel.length > 2 ? rel[1] : undefined;
  return { top, kind };
}

const forbidden = {
  functions: new Set(['dispatcher', 'cli', 'test', 'bench']),
  dispatcher: new Set(['functions', 'cli', 'test', 'bench']),
  shared: new Set(['functions', 'dispatcher', 'cli', 'test', 'bench']),
};

export const boundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'keep functions/, dispatcher/ and shared/ apart as DESIGN.md section 1 says' },
    schema: [],
    messages: {
      crossTop: '{{from}}/ must not import {{to}}/: the two sides meet only through shared/.',
      crossKind:
        'functions/{{from}}/ must not import {{to}}: a reconciler imports shared/ and its own folder only.',
    },
  },
  create(context) {
    const file = context.filename;
    const from = place(file);
    function check(node) {
      const source = node.source && node.source.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = place(path.resolve(path.dirname(file), source));
      const banned = forbidden[from.top];
      if (banned && banned.has(target.top)) {
        context.report({ node, messageId: 'crossTop', data: { from: from.top, to: target.top } });
        return;
      }
      if (from.kind && target.top === 'functions' && target.kind !== from.kind) {
        const to = target.kind ? `functions/${target.kind}/` : 'the worker host at functions/';
        context.report({ node, messageId: 'crossKind', data: { from: from.kind, to } });
      }
    }
    return {
      ImportDeclaration: check,
      ExportAllDeclaration: check,
      ExportNamedDeclaration: check,
      ImportExpression: check,
    };
  },
};
