/**
 * Times one training step (forward + backward + SGD update) of a small CNN
 * (conv16-conv16-pool-conv32-conv32-pool-GAP-dense10, 28×28×1, batch 32) on `cpu` and on
 * `wasm` with the conv gradient kernels of src/training/wasm-grads.ts, and prints ms/step
 * and the ratio from the same run. Speed is reported, never asserted (DESIGN.md §7).
 *
 *   node scripts/bench-wasm-grads.mjs [wasmSteps=20] [cpuSteps=1]
 *
 * The kernels are imported straight from the TypeScript source: the `typescript` package
 * (a devDependency) strips the types in memory, so there is no build step and no copy.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

const BATCH = 32;
const WASM_STEPS = Number(process.argv[2] ?? 20);
const CPU_STEPS = Number(process.argv[3] ?? 1); // a cpu step takes tens of seconds: its Conv2DBackpropFilter is a naive loop

async function importTs(relative) {
  const source = readFileSync(new URL(relative, import.meta.url), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  // A data: URL cannot resolve bare specifiers; point it at the very module this script uses.
  const js = outputText.replaceAll(
    "from '@tensorflow/tfjs'",
    `from ${JSON.stringify(import.meta.resolve('@tensorflow/tfjs'))}`,
  );
  return import(`data:text/javascript,${encodeURIComponent(js)}`);
}

function buildCnn() {
  const conv = (filters, extra = {}) =>
    tf.layers.conv2d({
      filters,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tf.initializers.heNormal({ seed: filters }),
      ...extra,
    });
  const model = tf.sequential();
  model.add(conv(16, { inputShape: [28, 28, 1] }));
  model.add(conv(16));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(conv(32));
  model.add(conv(32));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(
    tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
  );
  return model;
}

/** Mean ms per training step on `backend`, after `warmup` unmeasured steps. */
async function msPerStep(backend, steps, warmup) {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} is not available`);
  const model = buildCnn();
  const xs = tf.randomUniform([BATCH, 28, 28, 1], 0, 1, 'float32', 1);
  const ys = tf.tidy(() =>
    tf.oneHot(
      tf.tensor1d(
        Array.from({ length: BATCH }, (_, i) => i % 10),
        'int32',
      ),
      10,
    ),
  );
  const optimizer = tf.train.sgd(0.01);
  const times = [];
  let firstLoss = NaN;
  for (let i = 0; i < warmup + steps; i++) {
    const start = performance.now();
    const t = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true })),
      true,
    );
    const loss = (await t.data())[0];
    if (i === 0) firstLoss = loss;
    t.dispose();
    if (i >= warmup) times.push(performance.now() - start);
  }
  tf.dispose([xs, ys]);
  optimizer.dispose();
  model.dispose();
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  console.log(
    `${backend.padEnd(5)} ${mean.toFixed(1).padStart(9)} ms/step  (${steps} step${steps === 1 ? '' : 's'}, min ${Math.min(...times).toFixed(1)} ms, first loss ${firstLoss.toFixed(5)})`,
  );
  return mean;
}

const { registerWasmConvGradients } = await importTs('../src/training/wasm-grads.ts');
registerWasmConvGradients();
console.log(`one training step, CNN 28×28×1, batch ${BATCH}`);
const wasm = await msPerStep('wasm', WASM_STEPS, 3);
const cpu = await msPerStep('cpu', CPU_STEPS, 0);
console.log(`speed-up wasm vs cpu: ×${(cpu / wasm).toFixed(0)}`);
