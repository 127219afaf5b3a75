/**
 * The benchmark page: hands one job at a time to the benchmark worker and gives back its
 * answer. `npm run bench` calls `window.thawBench(config)` through Playwright.
 */
import type { BaselineConfig, BaselineReply } from './protocol';

let worker: Worker | null = null;

function run(config: BaselineConfig): Promise<BaselineReply> {
  worker?.terminate();
  // A fresh worker per job: every backend starts cold, as in a new studio tab.
  const w = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  worker = w;
  return new Promise((resolve) => {
    w.onmessage = (e: MessageEvent<BaselineReply | { type: 'log'; text: string }>) => {
      if (e.data.type === 'log') console.log(e.data.text);
      else resolve(e.data);
    };
    w.onerror = (e) => resolve({ type: 'error', message: e.message || 'the worker crashed' });
    w.postMessage(config);
  });
}

(window as unknown as { thawBench: typeof run }).thawBench = run;
document.getElementById('status')!.dataset.ready = 'yes';
