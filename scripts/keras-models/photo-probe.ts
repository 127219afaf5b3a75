// How well the pooled features of the bundled ImageNet networks separate the photo sample
// (public/samples/photos: 5 classes of real-object cut-outs), with no training at all:
// leave-one-out nearest class mean and nearest neighbour on L2-normalised features.
//
//   npx tsx scripts/keras-models/photo-probe.ts [model ids…]   (default: both MobileNetV2s)
//
// Images are read as the studio reads them: centre-cropped square, transparent pixels black,
// bilinear to 224 px, pixels scaled to the network's range [-1, 1]. Runs on tfjs' wasm backend.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const PHOTOS = join(ROOT, 'public/samples/photos');

function loadModel(id: string): Promise<tf.LayersModel> {
  const dir = join(ROOT, 'public/models', id);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const bin = readFileSync(join(dir, json.weightsManifest[0]!.paths[0]!));
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer,
    }),
  );
}

function readPhoto(path: string, size = 224): tf.Tensor3D {
  const png = PNG.sync.read(readFileSync(path));
  return tf.tidy(() => {
    const rgba = tf.tensor3d(new Uint8Array(png.data), [png.height, png.width, 4], 'int32');
    const alpha = rgba.slice([0, 0, 3], [-1, -1, 1]).toFloat().div(255);
    const rgb = rgba.slice([0, 0, 0], [-1, -1, 3]).toFloat().mul(alpha);
    const side = Math.min(png.height, png.width);
    const top = Math.floor((png.height - side) / 2);
    const left = Math.floor((png.width - side) / 2);
    const square = rgb.slice([top, left, 0], [side, side, 3]);
    return tf.image
      .resizeBilinear(square as tf.Tensor3D, [size, size])
      .div(127.5)
      .sub(1);
  });
}

function photos(): { path: string; label: number; name: string }[] {
  const classes = readdirSync(PHOTOS)
    .filter((d) => statSync(join(PHOTOS, d)).isDirectory())
    .sort();
  return classes.flatMap((c, label) =>
    readdirSync(join(PHOTOS, c))
      .filter((f) => f.endsWith('.png'))
      .sort()
      .map((f) => ({ path: join(PHOTOS, c, f), label, name: `${c}/${f}` })),
  );
}

function probe(features: Float32Array[], labels: number[]) {
  const unit = features.map((f) => {
    const n = Math.hypot(...f) || 1;
    return f.map((v) => v / n);
  });
  const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);
  const k = Math.max(...labels) + 1;
  let centroidHits = 0;
  let nnHits = 0;
  for (let i = 0; i < unit.length; i++) {
    const sums = Array.from({ length: k }, () => new Float32Array(unit[0]!.length));
    let best = -Infinity;
    let nn = -1;
    unit.forEach((u, j) => {
      if (j === i) return;
      u.forEach((v, d) => (sums[labels[j]!]![d]! += v));
      const s = dot(unit[i]!, u);
      if (s > best) [best, nn] = [s, labels[j]!];
    });
    const scores = sums.map((s) => dot(unit[i]!, s) / (Math.hypot(...s) || 1));
    if (scores.indexOf(Math.max(...scores)) === labels[i]) centroidHits++;
    if (nn === labels[i]) nnHits++;
  }
  return { centroid: centroidHits / unit.length, nearest: nnHits / unit.length };
}

async function main() {
  await tf.setBackend('wasm');
  const ids = process.argv.slice(2).length
    ? process.argv.slice(2)
    : ['mobilenet-v2-035', 'mobilenet-v2-100'];
  const list = photos();
  console.log(`${list.length} photos, backend ${tf.getBackend()}`);
  for (const id of ids) {
    const model = await loadModel(id);
    const started = performance.now();
    const features: Float32Array[] = [];
    for (const p of list) {
      const out = tf.tidy(() => model.predict(readPhoto(p.path).expandDims(0)) as tf.Tensor);
      features.push(out.dataSync() as Float32Array);
      out.dispose();
    }
    const seconds = (performance.now() - started) / 1000;
    const { centroid, nearest } = probe(
      features,
      list.map((p) => p.label),
    );
    console.log(
      `${id}: leave-one-out nearest class mean ${(100 * centroid).toFixed(1)}%, ` +
        `nearest neighbour ${(100 * nearest).toFixed(1)}% ` +
        `(${list.length} photos, ${(list.length / seconds).toFixed(1)} images/s)`,
    );
    model.dispose();
  }
}

void main();
