/**
 * Backend selection for the worker: registers webgpu, webgl, wasm and cpu, tries them in
 * order (or the user's choice), reads back what tfjs actually got, and decides which
 * backend each job uses. On a software-rendered GPU (SwiftShader, llvmpipe) feature
 * extraction goes to wasm and head training to cpu, which are many times faster there
 * (DESIGN.md §2); on a real GPU every job stays on it.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type { BackendChoice, BackendName, BackendReport, GpuKind } from '../domain';
import { registerBatchNormGradient } from './batchnorm-grad';
import { switchTo } from './switch';
import { registerWasmConvGradients } from './wasm-grads';
import { useBundledWasmFiles } from './wasm-files';

registerWasmConvGradients();
registerBatchNormGradient();
useBundledWasmFiles();

export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|microsoft basic render/i;

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: {
    vendor?: string;
    architecture?: string;
    description?: string;
    device?: string;
    isFallbackAdapter?: boolean;
  };
}

async function webgpuKind(): Promise<GpuKind> {
  const gpu = (
    navigator as Navigator & { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }
  ).gpu;
  const adapter = await gpu?.requestAdapter();
  if (!adapter) return 'none';
  const info = adapter.info ?? {};
  const text = [info.vendor, info.architecture, info.description, info.device].join(' ');
  return adapter.isFallbackAdapter || info.isFallbackAdapter || SOFTWARE_RENDERER.test(text)
    ? 'software'
    : 'hardware';
}

function webglKind(): GpuKind {
  try {
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
    if (!gl) return 'none';
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return SOFTWARE_RENDERER.test(renderer) ? 'software' : 'hardware';
  } catch {
    return 'none';
  }
}

/** Computes a small product on the active backend and checks it, so "active" means "works". */
async function smokeTest(): Promise<boolean> {
  const product = tf.tidy(() =>
    tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])),
  );
  const values = await product.data();
  product.dispose();
  return [19, 22, 43, 50].every((v, i) => Math.abs((values[i] ?? NaN) - v) < 1e-4);
}

/** What a server must send for the studio to be cross-origin isolated (README, vite.config.ts). */
export const ISOLATION_HEADERS =
  'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp';

let wasmStarted = false;

/**
 * Starts the wasm backend once per worker (its thread pool cannot change afterwards) with
 * `threads` threads. tfjs caps the pool at half of `navigator.hardwareConcurrency` (it
 * assumes two hardware threads per core), so the count it reads is raised while wasm starts:
 * on a 2-core machine it would otherwise run on one thread.
 */
async function startWasm(threads: number): Promise<void> {
  if (wasmStarted) return;
  wasmStarted = true;
  setThreadsCount(threads);
  const nav = globalThis.navigator as Navigator | undefined;
  const own = nav ? Object.getOwnPropertyDescriptor(nav, 'hardwareConcurrency') : undefined;
  if (nav)
    Object.defineProperty(nav, 'hardwareConcurrency', { value: threads * 2, configurable: true });
  const before = tf.getBackend();
  try {
    if ((await switchTo('wasm')) && before && before !== 'wasm')
      await switchTo(before as BackendName);
  } finally {
    if (nav) {
      if (own) Object.defineProperty(nav, 'hardwareConcurrency', own);
      else delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
    }
  }
}

/** How many threads wasm runs on, and why it is single-threaded when it is. */
function wasmThreads(): BackendReport['wasm'] {
  if (!tf.findBackend('wasm')) return null;
  const isolated = Boolean((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated);
  const threads = isolated ? getThreadsCount() : 1;
  const note = isolated
    ? ''
    : `wasm runs on one thread: the page is not cross-origin isolated (its server must send ${ISOLATION_HEADERS}).`;
  return { threads, isolated, note };
}

/**
 * Activates the chosen backend (or the best that works) and plans each job's backend.
 * `options.wasmThreads`: the wasm thread pool's size (default: one per core); it applies
 * only before wasm first starts in this worker.
 */
export async function selectBackend(
  requested: BackendChoice,
  options: { wasmThreads?: number } = {},
): Promise<BackendReport> {
  await startWasm(
    options.wasmThreads ??
      (globalThis.navigator as Navigator | undefined)?.hardwareConcurrency ??
      1,
  );
  const order =
    requested === 'auto'
      ? BACKEND_ORDER
      : [requested, ...BACKEND_ORDER.filter((b) => b !== requested)];
  let active: BackendName | null = null;
  for (const name of order) {
    if ((await switchTo(name)) && (await smokeTest())) {
      active = name;
      break;
    }
  }
  if (!active) throw new Error('No tfjs backend works in this browser.');
  const gpu: GpuKind =
    active === 'webgpu' ? await webgpuKind() : active === 'webgl' ? webglKind() : 'none';
  const notes: string[] = [];
  if (requested !== 'auto' && requested !== active)
    notes.push(`${requested} is not available here; using ${active}.`);
  let jobs: BackendReport['jobs'] = { features: active, head: active, fineTune: active };
  if (requested === 'auto' && (gpu === 'software' || active === 'wasm')) {
    // wasm trains conv layers through the gradient kernels registered above.
    jobs = { features: 'wasm', head: 'cpu', fineTune: 'wasm' };
    if (gpu === 'software')
      notes.push(
        'The GPU is a software rasterizer, so the network runs on wasm and a lone head trains on cpu.',
      );
    else notes.push('Small dense heads train faster on cpu than on wasm.');
  }
  const usesWasm = Object.values(jobs).includes('wasm');
  const wasm = usesWasm ? wasmThreads() : null;
  return { active, requested, gpu, jobs, note: notes.join(' '), wasm };
}
