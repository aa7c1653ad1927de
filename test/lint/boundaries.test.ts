/**
 * The lint rules that keep the architecture honest fail on the imports they forbid, and pass on
 * the ones they allow. Runs ESLint with the project's own configuration on snippets placed (by
 * file path) in each folder.
 */
import test from 'ava';
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { repoRoot } from '../env/paths.js';

// The snippets are not files of the TypeScript project, so type-aware rules are switched off for them.
const eslint = new ESLint({ cwd: repoRoot, overrideConfig: [tseslint.configs.disableTypeChecked] });

async function messages(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, file) });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

const cases: [string, string, string, RegExp | null][] = [
  [
    'functions/demo/reconcile.ts',
    "export * from '../../dispatcher/main.js';",
    'functions importing dispatcher',
    /sluice\/boundaries/,
  ],
  [
    'dispatcher/watch.ts',
    "export * from '../functions/main.js';",
    'dispatcher importing functions',
    /sluice\/boundaries/,
  ],
  [
    'functions/alpha/reconcile.ts',
    "export * from '../beta/desired.js';",
    'one function importing another',
    /sluice\/boundaries/,
  ],
  [
    'functions/alpha/reconcile.ts',
    "export * from '../main.js';",
    'a function importing the worker host',
    /sluice\/boundaries/,
  ],
  [
    'shared/kube/client.ts',
    "export * from '../../dispatcher/main.js';",
    'shared importing dispatcher',
    /sluice\/boundaries/,
  ],
  [
    'shared/log.ts',
    'export const level = process.env.LEVEL;',
    'process.env outside shared/config.ts',
    /no-restricted-properties/,
  ],
  [
    'dispatcher/x.ts',
    "import { env } from 'node:process'; export const e = env;",
    'importing env from node:process',
    /no-restricted-imports/,
  ],
  [
    'functions/alpha/reconcile.ts',
    "export * from './desired.js';\nexport * from '../../shared/errors.js';",
    'a function importing its own folder and shared',
    null,
  ],
  [
    'cli/main.ts',
    "export * from '../functions/main.js';\nexport * from '../dispatcher/main.js';",
    'the command-line root importing both sides',
    null,
  ],
];

for (const [file, code, what, expected] of cases) {
  test(`lint ${expected ? 'refuses' : 'allows'} ${what}`, async (t) => {
    const found = await messages(file, code);
    t.false(
      found.some((m) => m.startsWith('parse')),
      found.join('\n'),
    );
    if (expected)
      t.true(
        found.some((m) => expected.test(m)),
        found.join('\n'),
      );
    else
      t.deepEqual(
        found.filter((m) => /boundaries|no-restricted/.test(m)),
        [],
      );
  });
}
