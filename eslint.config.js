import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const TFJS = {
  group: ['@tensorflow/*'],
  message: 'Only model/, data/, training/ and storage/ may use tfjs (DESIGN.md §2).',
};
const noImport = (patterns, message) => patterns.map((group) => ({ group: [group], message }));

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'public', 'test-results', 'playwright-report', '.scratch'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  // Import boundaries: the direction is downward only (DESIGN.md §2).
  {
    files: ['src/ui/**', 'src/app/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            TFJS,
            ...noImport(
              [
                '**/data/*',
                '**/storage/*',
                '**/model/load',
                '**/model/inspect',
                '**/training/worker',
                '**/training/head',
                '**/training/features',
                '**/training/backends',
              ],
              'The UI reaches the engine only through training/client (and reads state/, strategy/, model/catalog).',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['src/state/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            TFJS,
            ...noImport(
              ['**/ui/*', '**/app/*', '**/training/client', '**/training/worker'],
              'state/ sits below the UI and the worker client.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['src/strategy/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            TFJS,
            ...noImport(
              ['react', '**/ui/*', '**/state/*', '**/training/*', '**/model/*', '**/data/*'],
              'strategy/ is pure: no tfjs, no React, no engine.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['src/model/**', 'src/data/**', 'src/training/**', 'src/storage/**'],
    ignores: ['src/training/client.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: noImport(
            ['react', 'react-dom', '**/ui/*', '**/app/*', '**/state/*'],
            'The engine does not know about the UI or the store.',
          ),
        },
      ],
    },
  },
);
