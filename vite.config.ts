import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { bundledModels } from './scripts/bundled-models.ts';

/**
 * What the built studio may load. No script from anywhere but its own origin (wasm is
 * compiled from its own files: 'wasm-unsafe-eval'); workers from its origin or blob:;
 * fetches to its origin, and to any https: URL or a local model server only because the
 * user may ask for a remote model by URL. Nothing else leaves the page.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "connect-src 'self' blob: data: https: http://localhost:* http://127.0.0.1:*",
  "img-src 'self' blob: data:",
  "media-src 'self' blob: mediastream:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

/** Cross-origin isolation: SharedArrayBuffer, so tfjs's wasm backend can run threaded. */
export const CROSS_ORIGIN_ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Puts the policy into the built `index.html`, so it holds wherever the files are served.
 * Not in dev: the dev server's hot reload needs an inline script.
 */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'thaw-content-security-policy',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY },
        injectTo: 'head-prepend',
      },
    ],
  };
}

export default defineConfig({
  plugins: [react(), bundledModels(), contentSecurityPolicy()],
  worker: {
    format: 'es',
    // Unminified: tfjs's threaded wasm starts its threads from the source text of one of
    // its functions, which minification ties to names outside it.
    rolldownOptions: { output: { minify: false } },
  },
  // Pre-bundle the worker's dependencies at start-up: discovered later, they would make
  // the dev server reload the page on a first visit.
  optimizeDeps: {
    include: [
      '@tensorflow/tfjs',
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-backend-webgpu',
    ],
  },
  server: { port: 5173, headers: CROSS_ORIGIN_ISOLATION },
  // The same policy as a header on everything `vite preview` serves, the worker's script
  // included (a worker does not inherit the page's meta tag).
  preview: {
    headers: {
      ...CROSS_ORIGIN_ISOLATION,
      'Content-Security-Policy': `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`,
    },
  },
  build: { chunkSizeWarningLimit: 4000, target: 'es2022' },
});
