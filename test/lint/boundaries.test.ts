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
    'runtime/worker/x.ts',
    "export * from '../../shared/brokers/pool.js';",
    "the runtime importing the operator's shared code",
    /sluice\/boundaries/,
  ],
  [
    'runtime/dispatcher/x.ts',
    "export * from '../../functions/index.js';",
    'the runtime importing the functions',
    /sluice\/boundaries/,
  ],
  [
    'shared/tanzu/x.ts',
    "export * from '../../functions/tanzu-stream/index.js';",
    'shared importing a function',
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
    "export * from '../index.js';",
    'a function importing the catalogue',
    /sluice\/boundaries/,
  ],
  [
    'functions/index.ts',
    "export * from './alpha/reconcile.js';",
    'the catalogue importing a handler module',
    /sluice\/boundaries/,
  ],
  [
    'functions/alpha/reconcile.ts',
    "export * from '../../cli/main.js';",
    'a function importing the command line',
    /sluice\/boundaries/,
  ],
  [
    'examples/mirror/index.ts',
    "export * from '../../runtime/kube/client.js';",
    'an example reaching into the runtime past its entry point',
    /sluice\/boundaries/,
  ],
  [
    'shared/log.ts',
    'export const level = process.env.LEVEL;',
    'process.env outside runtime/config.ts',
    /no-restricted-properties/,
  ],
  [
    'runtime/x.ts',
    "import { env } from 'node:process'; export const e = env;",
    'importing env from node:process',
    /no-restricted-imports/,
  ],
  [
    'functions/alpha/reconcile.ts',
    "export * from './desired.js';\nexport * from '../../runtime/errors.js';\nexport * from '../../shared/kinds.js';",
    'a function importing its own folder, the runtime and shared',
    null,
  ],
  ['functions/index.ts', "export * from './alpha/index.js';", 'the catalogue importing a declaration', null],
  [
    'examples/mirror/index.ts',
    "export * from 'sluice';\nexport * from './desired.js';",
    'an example importing the package and its own folder',
    null,
  ],
  [
    'cli/main.ts',
    "export * from '../functions/index.js';\nexport * from '../runtime/dispatcher/main.js';",
    'the command-line root importing everything',
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
