import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { bundledModels } from './scripts/bundled-models.ts';

export default defineConfig({
  plugins: [react(), bundledModels()],
  worker: { format: 'es' },
  server: { port: 5173 },
  build: { chunkSizeWarningLimit: 4000, target: 'es2022' },
});
