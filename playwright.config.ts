import { defineConfig } from '@playwright/test';

/** Several test runs can share a machine: each picks its own port (and build folder). */
const PORT = Number(process.env.THAW_E2E_PORT ?? 4317);
const OUT = PORT === 4317 ? 'dist' : `dist-e2e-${PORT}`;

/**
 * Two browsers at once: every test opens its own page (own storage, own worker) and no spec
 * keeps state between its tests, so any two tests can run side by side. THAW_E2E_WORKERS
 * overrides the number (1 runs them one after another).
 */
const WORKERS = Number(process.env.THAW_E2E_WORKERS ?? 2);

export default defineConfig({
  testDir: 'e2e',
  workers: WORKERS,
  fullyParallel: true,
  retries: 0,
  timeout: 240_000,
  expect: { timeout: 30_000 },
  // The list as it runs, and every test's duration in playwright-report/durations.json.
  reporter: [['list'], ['json', { outputFile: 'playwright-report/durations.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH,
      args: [
        '--no-sandbox',
        '--enable-unsafe-webgpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        // A fake camera for the webcam tests, granted without a prompt.
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
      ],
    },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: `npx vite build --logLevel warn --outDir ${OUT} && npx vite preview --outDir ${OUT} --port ${PORT} --strictPort --host 127.0.0.1`,
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: false,
    timeout: 180_000,
  },
});
