import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { bundledModels } from './scripts/bundled-models.ts';

export default defineConfig({
  plugins: [react(), bundledModels()],
  worker: { format: 'es' },
  // Pre-bundle the worker's dependencies at start-up: discovered later, they would make
  // the dev server reload the page on a first visit.
  optimizeDeps: {
    include: [
      '@tensorflow/tfjs',
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-backend-webgpu',
    ],
  },
  server: { port: 5173 },
  build: { chunkSizeWarningLimit: 4000, target: 'es2022' },
});
