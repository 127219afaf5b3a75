// The benchmarks' shared start: builds the studio and the benchmark page (scripts/bench/page/)
// into `outDir`, serves both with `vite preview` on `port` (one origin, the studio's headers:
// cross-origin isolated, so wasm runs threaded) and waits until it answers. The server stops
// when the process exits; `stop()` stops it earlier.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

export async function buildAndServe(outDir, port) {
  for (const args of [
    ['vite', 'build', '--logLevel', 'warn', '--outDir', outDir, '--emptyOutDir'],
    [
      'vite',
      'build',
      '--config',
      'scripts/bench/vite.config.ts',
      '--outDir',
      join(outDir, 'bench'),
    ],
  ])
    if (spawnSync('npx', args, { stdio: 'inherit' }).status !== 0) process.exit(1);
  const server = spawn(
    'npx',
    [
      'vite',
      'preview',
      '--outDir',
      outDir,
      '--port',
      String(port),
      '--strictPort',
      '--host',
      '127.0.0.1',
    ],
    { stdio: 'ignore', detached: true },
  );
  const stop = () => {
    try {
      process.kill(-server.pid);
    } catch {
      /* already gone */
    }
  };
  process.on('exit', stop);
  const baseURL = `http://127.0.0.1:${port}/`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(baseURL)).ok) break;
    } catch {
      /* not up yet */
    }
    if (i > 120) throw new Error('vite preview did not start');
    await new Promise((r) => setTimeout(r, 500));
  }
  return { baseURL, stop };
}
