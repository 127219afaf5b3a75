/**
 * Builds the benchmark's baseline page into `<outDir>/bench/` of an already built studio,
 * so `vite preview` serves both from one origin (the page reads the studio's models and
 * photo sample). Used by `scripts/bench.mjs` only.
 */
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('./page', import.meta.url)),
  base: '/bench/',
  // Unminified like the studio's worker (vite.config.ts): tfjs's wasm threads need it.
  worker: { format: 'es', rolldownOptions: { output: { minify: false } } },
  logLevel: 'warn',
  build: { emptyOutDir: false, chunkSizeWarningLimit: 4000, target: 'es2022' },
});
