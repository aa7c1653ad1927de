/**
 * @module boundaries
 * A local ESLint rule that enforces Sluice's import boundaries on resolved paths, so that
 * `../../functions/x` style spellings cannot slip past a string pattern.
 *
 * Rules (folders are top-level folders of the repository):
 * - `runtime/` (the library) imports only `runtime/` and packages;
 * - `shared/` (the operator's domain code and broker clients) imports `runtime/` and `shared/`;
 * - `functions/<a>/` imports `runtime/`, `shared/` and its own folder, never `functions/<b>/`;
 *   the catalogue at the `functions/` root imports only each function's declaration (`index.ts`);
 * - `examples/<name>/` imports its own folder and, for Sluice, only the public entry point (the
 *   package name `sluice`), as a function written outside this repository would;
 * - the composition roots (`cli/`, `test/`, `bench/`) may import anything.
 */
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');

/** Splits a repository-relative path into its top folder, its second-level folder and its file name. */
function place(file) {
  const rel = path.relative(root, file).split(path.sep);
  const top = rel[0] ?? '';
  const sub = rel.length > 2 ? rel[1] : undefined;
  return { top, sub, base: rel[rel.length - 1] ?? '', depth: rel.length };
}

/** Top folders each layer may import (besides packages); `undefined` means anything. */
const allowed = {
  runtime: new Set(['runtime']),
  shared: new Set(['runtime', 'shared']),
  functions: new Set(['runtime', 'shared', 'functions']),
  examples: new Set(['examples']),
};

export const boundaries = {
  meta: {
    type: 'problem',
    docs: {
      description: 'keep runtime/, shared/, functions/ and examples/ layered as DESIGN.md section 1 says',
    },
    schema: [],
    messages: {
      crossTop: '{{from}}/ must not import {{to}}/: {{why}}',
      crossKind:
        'functions/{{from}}/ must not import {{to}}: a function imports runtime/, shared/ and its own folder only.',
      catalogue:
        'the function catalogue imports only each function declaration (functions/<kind>/index.ts), not {{to}}',
      crossExample:
        'examples/{{from}}/ must not import {{to}}: an example imports its own folder and the package `sluice` only.',
    },
  },
  create(context) {
    const file = context.filename;
    const from = place(file);
    const why = {
      runtime: 'the runtime is a library and knows nothing of the operator built on it.',
      shared: 'shared code sits between the runtime and the functions.',
      functions: 'functions are loaded by the hosts, never the other way round.',
      examples: 'an example uses only the public entry point.',
    };
    function check(node) {
      const source = node.source && node.source.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = place(path.resolve(path.dirname(file), source));
      const ok = allowed[from.top];
      if (ok && !ok.has(target.top)) {
        context.report({
          node,
          messageId: 'crossTop',
          data: { from: from.top, to: target.top, why: why[from.top] },
        });
        return;
      }
      if (from.top === 'functions' && target.top === 'functions') {
        if (from.sub && target.sub !== from.sub) {
          const to = target.sub ? `functions/${target.sub}/` : 'the catalogue at functions/';
          context.report({ node, messageId: 'crossKind', data: { from: from.sub, to } });
        } else if (!from.sub && !(target.sub && target.depth === 3 && target.base === 'index.js')) {
          context.report({ node, messageId: 'catalogue', data: { to: source } });
        }
      }
      if (from.top === 'examples' && target.sub !== from.sub) {
        context.report({ node, messageId: 'crossExample', data: { from: from.sub ?? '', to: source } });
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
