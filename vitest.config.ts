import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    // One worker per core: vitest's default keeps one core free, which on a 2-core machine
    // runs every file one after another.
    maxWorkers: availableParallelism(),
  },
});
