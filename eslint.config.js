// Lint configuration: typescript-eslint with type information, plus Sluice's own boundary rules.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { boundaries } from './scripts/eslint/boundaries.mjs';

export default tseslint.config(
  { ignores: ['dist/**', 'dist-*/**', 'node_modules/**', '.sluice/**', 'deploy/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { sluice: { rules: { boundaries } } },
    rules: {
      'sluice/boundaries': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read the environment through runtime/config.ts only.',
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'process',
              importNames: ['env'],
              message: 'Read the environment through runtime/config.ts only.',
            },
            {
              name: 'node:process',
              importNames: ['env'],
              message: 'Read the environment through runtime/config.ts only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['runtime/config.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Runs before npm ci and before anything is compiled, so it cannot use shared/config.ts.
    files: ['scripts/supported-node.mjs'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
