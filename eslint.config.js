import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import tseslint from 'typescript-eslint';

const TFJS = {
  group: ['@tensorflow/*'],
  message:
    'Only model/, data/, training/ and storage/ may use tfjs (DESIGN.md §2, docs/architecture.md); the worker calls them.',
};

/**
 * The floors of src/ and what each may import (docs/architecture.md). A folder not listed
 * under `may` is off limits to it; every folder may import itself.
 */
const FLOORS = {
  domain: [],
  strategy: ['domain'],
  data: ['domain'],
  model: ['domain', 'data'],
  training: ['domain', 'data', 'model'],
  storage: ['domain'],
  worker: ['domain', 'data', 'model', 'training', 'storage'],
  client: ['domain', 'worker/protocol.ts'],
  state: ['domain', 'strategy', 'model/catalog.ts'],
  ui: ['domain', 'strategy', 'state', 'model/catalog.ts'],
  app: [
    'storage',
    'domain',
    'strategy',
    'state',
    'ui',
    'client',
    'data/traverse.ts',
    'data/folder-rules.ts',
    'model/catalog.ts',
    'worker/protocol.ts',
  ],
};

const zones = Object.entries(FLOORS).map(([floor, may]) => ({
  target: `./src/${floor}`,
  from: './src',
  except: [`./${floor}`, ...may.map((m) => `./${m}`)],
  message: `src/${floor}/ may import only ${[floor, ...may].join(', ')} (docs/architecture.md).`,
}));

export default tseslint.config(
  {
    ignores: [
      'dist',
      'dist-*',
      'bench',
      'node_modules',
      'public',
      'test-results',
      'playwright-report',
      '.scratch',
      'runner',
    ],
  },
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
  // Import boundaries: each floor imports only the floors below it, and nothing imports in a circle.
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver()],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones }],
      'import-x/no-cycle': 'error',
    },
  },
  {
    files: ['src/{ui,app,state,strategy,domain,client,worker}/**'],
    // The worker's job tests build small networks to run the jobs on.
    ignores: ['src/worker/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [TFJS] }] },
  },
  {
    files: ['src/{strategy,domain}/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            TFJS,
            { group: ['react', 'react-dom'], message: 'Pure TypeScript: no React.' },
          ],
        },
      ],
    },
  },
);
