/**
 * Calibrates the similarity estimate (src/strategy/estimate.ts) on every pair of a
 * bundled model and a bundled kind of target the studio offers, and writes
 * docs/similarity-calibration.md:
 *
 *   npm run experiment:similarity
 *   npm run experiment:similarity -- --draws 40 --sizes 5,10,20,40 --out docs/similarity-calibration.md
 *
 * For each pair, the studio's own probe code (src/training/probe.ts) computes the top
 * features and the pixel features of a pool of target images once. Each draw then takes
 * n images per class from the pool (seeded), splits them into halves `PROBE_SPLITS`
 * times exactly as the studio does, and applies the studio's verdict rule (`verdictOf`)
 * to the per-split differences "top-feature accuracy − pixel accuracy". A verdict is
 * right when it names the pair's known relation (a sample of the source domain =
 * similar; a far domain = different), wrong when it names the other one; unsure is
 * neither. A sweep of other thresholds shows how the choice was made.
 *
 * Features are cached under node_modules/.cache/thaw-similarity (delete it to recompute).
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { mulberry32, shuffleInPlace } from '../../src/data/split';
import { catalogEntry } from '../../src/model/catalog';
import { layerGraph } from '../../src/model/graph';
import { buildModel } from '../../src/model/load';
import type { InputSpec } from '../../src/model/preprocess';
import {
  MIN_PROBE_IMAGES_PER_CLASS,
  estimateSimilarity,
  similarityThreshold,
  type SimilarityVerdict,
} from '../../src/strategy/estimate';
import { PIXELS_LAYER, type ProbePoint } from '../../src/domain';
import {
  PIXEL_SIDE,
  PROBE_POINTS,
  PROBE_SPLITS,
  probeLayers,
  smallestClass,
  pixelSide,
  probeFeatures,
  probeSplits,
  splitAccuracies,
  topLayer,
  type FeatureMatrix,
} from '../../src/training/probe';
import { readNsfwjsMobileNetV2 } from '../bundled-models';
import { useBackend } from './backend';
import { DIGIT_CLASSES, FASHION_TARGET_CLASSES, loadDigitClass, loadFashionClass } from './data';

const require = createRequire(import.meta.url);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CACHE_DIR = join(ROOT, 'node_modules/.cache/thaw-similarity');

// ------------------------------------------------------------------ models and targets

interface Source {
  id: string;
  label: string;
  artifacts: () => tf.io.ModelArtifacts;
  spec: InputSpec;
  featureLayer: string;
}

interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

function artifactsOf(json: ModelJson, read: (path: string) => Uint8Array): tf.io.ModelArtifacts {
  const parts = json.weightsManifest.flatMap((g) => g.paths.map(read));
  const all = new Uint8Array(parts.reduce((n, b) => n + b.byteLength, 0));
  let at = 0;
  for (const b of parts) {
    all.set(b, at);
    at += b.byteLength;
  }
  return {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: all.buffer,
    format: 'layers-model',
  };
}

function publicModel(dir: string): () => tf.io.ModelArtifacts {
  return () => {
    const base = join(ROOT, 'public/models', dir);
    const json = JSON.parse(readFileSync(join(base, 'model.json'), 'utf8')) as ModelJson;
    return artifactsOf(json, (p) => readFileSync(join(base, p)));
  };
}

function nsfwjsModel(): tf.io.ModelArtifacts {
  const files = readNsfwjsMobileNetV2();
  return artifactsOf(JSON.parse(files.modelJson) as ModelJson, (p) => {
    const b = files.weights.get(p);
    if (!b) throw new Error(`nsfwjs: no weight file ${p}`);
    return b;
  });
}

function featureLayerOf(id: string): string {
  const entry = catalogEntry(id);
  if (!entry) throw new Error(`catalog has no "${id}"`);
  return entry.featureLayer;
}

/** The bundled models, with the catalog's input and feature layer (src/model/catalog.ts). */
export const SOURCES: readonly Source[] = [
  {
    id: 'teaching-cnn',
    label: 'Teaching CNN (Fashion source classes)',
    artifacts: publicModel('teaching-cnn'),
    spec: { size: 28, channels: 1, valueRange: [0, 1] },
    featureLayer: featureLayerOf('teaching-cnn'),
  },
  {
    id: 'mobilenet-v2-035',
    label: 'MobileNetV2 α=0.35 ImageNet (photo backbone)',
    artifacts: publicModel('mobilenet-v2-035'),
    spec: { size: 224, channels: 3, valueRange: [-1, 1] },
    featureLayer: featureLayerOf('mobilenet-v2-035'),
  },
  {
    id: 'mobilenet-v2',
    label: 'MobileNetV2 1.0 (nsfwjs)',
    artifacts: nsfwjsModel,
    spec: { size: 224, channels: 3, valueRange: [0, 1] },
    featureLayer: featureLayerOf('mobilenet-v2'),
  },
];

/** A target: per class, images as the studio holds them at the model's side (uint8 RGB). */
interface Target {
  id: string;
  label: string;
  /** Per class, images at `side` (28-px grey targets are resized by the caller). */
  classes: { name: string; images: Uint8Array[] }[];
  side: number;
}

/** 784 grey values in [0, 1] → 28×28 RGB bytes (optionally inverted: 1 − x). */
function greyToRgb(pixels: Float32Array, invert: boolean): Uint8Array {
  const out = new Uint8Array(pixels.length * 3);
  for (let i = 0; i < pixels.length; i++) {
    const v = Math.round((invert ? 1 - pixels[i]! : pixels[i]!) * 255);
    out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = v;
  }
  return out;
}

function greyTarget(
  id: string,
  label: string,
  classes: { name: string; pool: Float32Array[] }[],
  perClass: number,
  invert = false,
): Target {
  return {
    id,
    label,
    side: 28,
    classes: classes.map((c) => ({
      name: c.name,
      images: c.pool.slice(0, perClass).map((p) => greyToRgb(p, invert)),
    })),
  };
}

interface Png {
  width: number;
  height: number;
  data: Uint8Array;
}
const { PNG } = require('pngjs') as { PNG: { sync: { read: (b: Buffer) => Png } } };

/** A folder sample of square PNGs as the studio decodes it: RGB, transparent parts drawn over black. */
export function readPhotos(dir: string): Omit<Target, 'id' | 'label'> {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    classes: { name: string; files: string[] }[];
  };
  let side = 0;
  const classes = manifest.classes.map((c) => ({
    name: c.name,
    images: c.files.map((f) => {
      const png = PNG.sync.read(readFileSync(join(dir, c.name, f)));
      side = png.width;
      const n = png.width * png.height;
      const rgb = new Uint8Array(n * 3);
      for (let p = 0; p < n; p++)
        for (let k = 0; k < 3; k++)
          rgb[p * 3 + k] = Math.round((png.data[p * 4 + k]! * png.data[p * 4 + 3]!) / 255);
      return rgb;
    }),
  }));
  return { side, classes };
}

function photoTarget(): Target {
  return {
    id: 'photos',
    label: 'Photos sample',
    ...readPhotos(join(ROOT, 'public/samples/photos')),
  };
}

/** Bilinear resize of RGB bytes (the canvas' smooth scaling, near enough). */
export function resizeRgb(images: Uint8Array[], from: number, to: number): Uint8Array[] {
  if (from === to) return images;
  return images.map((img) =>
    tf.tidy(() => {
      const x = tf.tensor3d(img, [from, from, 3], 'int32').toFloat();
      const y = tf.image.resizeBilinear(x, [to, to], false, true).round().clipByValue(0, 255);
      return Uint8Array.from(y.dataSync());
    }),
  );
}

interface Pair {
  source: Source;
  target: Target;
  expected: 'similar' | 'different';
}

// ------------------------------------------------------------------ features (cached)

/** The probe's features of a pool of target images: the pixels and every probed layer. */
interface PoolFeatures {
  labels: number[];
  pixels: FeatureMatrix;
  layers: { name: string; source: 'layer' | 'top'; depth: number; matrix: FeatureMatrix }[];
  seconds: number;
}

function cachePath(pair: Pair, poolPerClass: number): string {
  const { id, featureLayer } = pair.source;
  return join(CACHE_DIR, `${id}__${featureLayer}__${pair.target.id}__${poolPerClass}.json`);
}

type Stored = { dim: number; data: number[] };
const store = (m: FeatureMatrix): Stored => ({ dim: m.dim, data: Array.from(m.data) });
const load = (m: Stored): FeatureMatrix => ({ dim: m.dim, data: Float32Array.from(m.data) });

async function poolFeatures(pair: Pair, poolPerClass: number): Promise<PoolFeatures> {
  const file = cachePath(pair, poolPerClass);
  if (existsSync(file)) {
    const c = JSON.parse(readFileSync(file, 'utf8')) as {
      labels: number[];
      seconds: number;
      pixels: Stored;
      layers: { name: string; source: 'layer' | 'top'; depth: number; matrix: Stored }[];
    };
    return {
      labels: c.labels,
      seconds: c.seconds,
      pixels: load(c.pixels),
      layers: c.layers.map((l) => ({ ...l, matrix: load(l.matrix) })),
    };
  }
  const t0 = performance.now();
  const labels: number[] = [];
  const images: Uint8Array[] = [];
  pair.target.classes.forEach((c, k) => {
    const chosen = c.images.slice(0, poolPerClass);
    images.push(...resizeRgb(chosen, pair.target.side, pair.source.spec.size));
    labels.push(...chosen.map(() => k));
  });
  const model = await buildModel(pair.source.artifacts());
  try {
    const graph = layerGraph(model);
    const end = graph.steps.findIndex((s) => s.layer.name === pair.source.featureLayer);
    if (end < 0) throw new Error(`${pair.source.id}: no layer ${pair.source.featureLayer}`);
    // The studio's probe: the same layers (src/training/probe.ts, `probe`).
    const top = topLayer(graph, end);
    const indices = [...new Set([...probeLayers(graph, end, PROBE_POINTS), top])].sort(
      (x, y) => x - y,
    );
    const feats = await probeFeatures(graph, indices, images, pair.source.spec, () => {});
    if (!feats) throw new Error('stopped');
    const result: PoolFeatures = {
      labels,
      pixels: feats.pixels,
      layers: indices.map((i, k) => ({
        name: graph.steps[i]!.layer.name,
        source: i === top ? 'top' : 'layer',
        depth: i / Math.max(1, top),
        matrix: feats.layers[k]!,
      })),
      seconds: (performance.now() - t0) / 1000,
    };
    mkdirSync(CACHE_DIR, { recursive: true });
    writeFileSync(
      file,
      JSON.stringify({
        ...result,
        pixels: store(result.pixels),
        layers: result.layers.map((l) => ({ ...l, matrix: store(l.matrix) })),
      }),
    );
    return result;
  } finally {
    model.dispose();
  }
}

// ------------------------------------------------------------------ draws and verdicts

/** One draw: n images per class from the pool (seeded), probed as the studio probes them. */
export function drawOnce(features: PoolFeatures, n: number, seed: number): ProbePoint[] {
  const random = mulberry32(seed);
  const numClasses = Math.max(...features.labels) + 1;
  const chosen: number[] = [];
  for (let c = 0; c < numClasses; c++) {
    const members = features.labels.flatMap((l, i) => (l === c ? [i] : []));
    chosen.push(...shuffleInPlace(members, random).slice(0, n));
  }
  const subLabels = chosen.map((i) => features.labels[i]!);
  const splits = probeSplits(subLabels, PROBE_SPLITS, seed).map((s) => ({
    fit: s.fit.map((i) => chosen[i]!),
    score: s.score.map((i) => chosen[i]!),
  }));
  const acc = (m: FeatureMatrix) =>
    splitAccuracies(m.data, m.dim, features.labels, numClasses, splits);
  const perClass = smallestClass(subLabels, numClasses);
  return [
    { layer: PIXELS_LAYER, source: 'pixels', depth: 0, splits: acc(features.pixels), perClass },
    ...features.layers.map((l): ProbePoint => ({
      layer: l.name,
      source: l.source,
      depth: l.depth,
      splits: acc(l.matrix),
      perClass,
    })),
  ];
}

type Draw = ProbePoint[];

export interface Tally {
  right: number;
  unsure: number;
  wrong: number;
}

const topOf = (d: Draw) => d.find((p) => p.source === 'top')!;
const pixelsOf = (d: Draw) => d.find((p) => p.source === 'pixels')!;
const differences = (d: Draw) => topOf(d).splits.map((t, i) => t - pixelsOf(d).splits[i]!);

export function tally(
  draws: readonly Draw[],
  expected: 'similar' | 'different',
  rule: (d: Draw) => SimilarityVerdict,
): Tally {
  const t: Tally = { right: 0, unsure: 0, wrong: 0 };
  for (const d of draws) {
    const v = rule(d);
    if (v === 'unsure') t.unsure++;
    else if (v === expected) t.right++;
    else t.wrong++;
  }
  return t;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const sd = (xs: readonly number[]) =>
  xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? NaN
    : (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2;
};
const pp = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}`;
const share = (k: number, n: number) => `${Math.round((100 * k) / Math.max(1, n))}%`;
const add = (a: Tally, b: Tally): Tally => ({
  right: a.right + b.right,
  unsure: a.unsure + b.unsure,
  wrong: a.wrong + b.wrong,
});
const ZERO: Tally = { right: 0, unsure: 0, wrong: 0 };
const shares = (t: Tally) => {
  const n = t.right + t.unsure + t.wrong;
  return `${share(t.right, n)} / ${share(t.unsure, n)} / ${share(t.wrong, n)}`;
};

interface Cell {
  pair: Pair;
  n: number;
  draws: Draw[];
}

/** The studio's verdict (src/strategy/estimate.ts) with the network's own calibration, or a given threshold. */
const studioRule =
  (pair: Pair, threshold?: number) =>
  (d: Draw): SimilarityVerdict =>
    estimateSimilarity(d, {
      model: probed(pair),
      ...(threshold === undefined ? {} : { threshold }),
    }).verdict;

/** One split alone (the first), no range and no minimum: what a single probe would say. */
const oneSplitRule =
  (threshold: number) =>
  (d: Draw): SimilarityVerdict =>
    differences(d)[0]! >= threshold ? 'similar' : 'different';

const probed = (pair: Pair) => ({
  id: pair.source.id,
  resolution: pair.source.spec.size,
  valueRange: pair.source.spec.valueRange,
});
const thresholdOf = (pair: Pair) => similarityThreshold(probed(pair))!;

function cellRow(cell: Cell): string {
  const means = cell.draws.map((d) => mean(differences(d)));
  const widths = cell.draws.map((d) => Math.max(...differences(d)) - Math.min(...differences(d)));
  const t = tally(cell.draws, cell.pair.expected, studioRule(cell.pair));
  const one = tally(cell.draws, cell.pair.expected, oneSplitRule(thresholdOf(cell.pair)));
  const n = cell.draws.length;
  const perClass = Math.min(...cell.draws.map((d) => topOf(d).perClass));
  const wrongWord = cell.pair.expected === 'similar' ? 'different' : 'similar';
  const most =
    t.right >= t.unsure && t.right >= t.wrong
      ? cell.pair.expected
      : t.unsure >= t.wrong
        ? 'unsure'
        : wrongWord;
  return `| ${cell.pair.source.label} | ${cell.pair.target.label} | ${cell.pair.expected} | ${perClass} | ${pp(mean(means))} ± ${(sd(means) * 100).toFixed(1)} | ${(median(widths) * 100).toFixed(1)} | **${most}** | ${share(t.right, n)} | ${share(t.unsure, n)} | ${share(t.wrong, n)} | ${share(one.right, n)} |`;
}

/** Per network: the similar target's mean difference, the nearest different one's, their midpoint. */
function midpoints(cells: readonly Cell[], n: number): string[] {
  const sources = [...new Set(cells.map((c) => c.pair.source))];
  return sources.map((source) => {
    const mine = cells.filter((c) => c.pair.source === source && c.n === n);
    const m = (c: Cell) => mean(c.draws.map((d) => mean(differences(d))));
    const similar = mine.filter((c) => c.pair.expected === 'similar');
    const different = mine.filter((c) => c.pair.expected === 'different');
    const s = mean(similar.map(m));
    const nearest = different.reduce((best, c) =>
      Math.abs(m(c) - s) < Math.abs(m(best) - s) ? c : best,
    );
    const mid = (s + m(nearest)) / 2;
    const used = thresholdOf(mine[0]!.pair);
    return `| ${source.label} | ${source.spec.size} px | ${pp(s)} (${similar.map((c) => c.pair.target.id).join(', ')}) | ${pp(m(nearest))} (${nearest.pair.target.id}) | ${pp(mid)} | **${pp(used)}**${Math.abs(Math.round(mid * 20) / 20 - used) > 1e-9 ? ' (differs from the rounded midpoint: update src/strategy/estimate.ts)' : ''} |`;
  });
}

function perSize(cells: readonly Cell[]): string[] {
  const sizes = [...new Set(cells.map((c) => c.n))];
  return [
    '| n per class | right | unsure | wrong | rows with a wrong verdict |',
    '|---|---|---|---|---|',
    ...sizes.map((n) => {
      const mine = cells.filter((c) => c.n === n);
      const ts = mine.map((c) => tally(c.draws, c.pair.expected, studioRule(c.pair)));
      const sum = ts.reduce(add, ZERO);
      const total = sum.right + sum.unsure + sum.wrong;
      const bad = mine
        .map((c, i) =>
          ts[i]!.wrong > 0 ? `${c.pair.source.id} → ${c.pair.target.id} (${ts[i]!.wrong})` : '',
        )
        .filter(Boolean);
      return `| ${n} | ${share(sum.right, total)} | ${share(sum.unsure, total)} | ${share(sum.wrong, total)} (${sum.wrong} of ${total}) | ${bad.join(', ') || 'none'} |`;
    }),
  ];
}

function sweep(cells: readonly Cell[], offsets: number[]): string[] {
  const sources = [...new Set(cells.map((c) => c.pair.source))];
  const sizes = [...new Set(cells.map((c) => c.n))].filter((n) => n >= MIN_PROBE_IMAGES_PER_CLASS);
  const rows = sources.flatMap((source) => {
    const mine = cells.filter((c) => c.pair.source === source);
    const used = thresholdOf(mine[0]!.pair);
    return offsets.map((o) => {
      const th = Math.round((used + o) * 100) / 100;
      const parts = sizes.map((n) =>
        shares(
          mine
            .filter((c) => c.n === n)
            .map((c) => tally(c.draws, c.pair.expected, studioRule(c.pair, th)))
            .reduce(add, ZERO),
        ),
      );
      return `| ${source.label} | ${pp(th)} pp${o === 0 ? ' (used)' : ''} | ${parts.join(' | ')} |`;
    });
  });
  return [
    `| network | threshold | ${sizes.map((n) => `n = ${n}: right / unsure / wrong`).join(' | ')} |`,
    `|---|---|${'---|'.repeat(sizes.length)}`,
    ...rows,
  ];
}

/** Mean accuracy of the pixels, each probed layer and the top features, at the largest size. */
function profiles(cells: readonly Cell[], n: number): string[] {
  return cells
    .filter((c) => c.n === n)
    .map((c) => {
      const points = c.draws[0]!;
      const parts = points.map((p, k) => {
        const acc = mean(c.draws.map((d) => mean(d[k]!.splits)));
        const name = p.source === 'top' ? `**${p.layer}** (top)` : p.layer;
        return `${name} ${(acc * 100).toFixed(0)}`;
      });
      return `| ${c.pair.source.label} | ${c.pair.target.label} | ${parts.join(' · ')} |`;
    });
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      draws: { type: 'string', default: '40' },
      sizes: { type: 'string', default: '5,10,15,20,40' },
      pool: { type: 'string', default: '200' },
      'photo-pool': { type: 'string', default: '80' },
      sources: { type: 'string' },
      out: { type: 'string', default: 'docs/similarity-calibration.md' },
    },
  });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const backend = await useBackend('wasm');
  const draws = Number(values.draws);
  const sizes = values.sizes.split(',').map(Number);
  const pool = Number(values.pool);
  const photoPool = Number(values['photo-pool']);
  const pairs = makePairs(pool, photoPool, values.sources?.split(','));
  const cells: Cell[] = [];
  const featureLines: string[] = [];
  let featureSeconds = 0;
  let cached = true;
  for (const pair of pairs) {
    const poolPerClass = pair.source.spec.size === 28 ? pool : photoPool;
    cached &&= existsSync(cachePath(pair, poolPerClass));
    const features = await poolFeatures(pair, poolPerClass);
    featureSeconds += features.seconds;
    const counts = pair.target.classes.map((c) => Math.min(poolPerClass, c.images.length));
    const top = features.layers.find((l) => l.source === 'top')!;
    featureLines.push(
      `| ${pair.source.label} | ${pair.target.label} | ${top.name} (${top.matrix.dim}) | ${pixelSide(pair.source.spec.size)}² × ${pair.source.spec.channels} | ${Math.min(...counts)}–${Math.max(...counts)} | ${features.seconds.toFixed(0)} s |`,
    );
    console.log(
      `${pair.source.id} → ${pair.target.id}: features in ${features.seconds.toFixed(1)} s`,
    );
    for (const n of sizes) {
      const cell: Cell = {
        pair,
        n,
        draws: Array.from({ length: draws }, (_, d) =>
          drawOnce(features, n, 100_003 * n + 7 * d + 1),
        ),
      };
      cells.push(cell);
      console.log(cellRow(cell));
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu0);
  const cpuSeconds = (used.user + used.system) / 1e6;
  const command = [
    'npm run experiment:similarity',
    ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : []),
  ].join(' ');
  const largest = Math.max(...sizes);
  const md = [
    '# Similarity estimate: calibration',
    '',
    `Generated by \`${command}\` (scripts/teaching/calibrate.ts) — do not edit by hand. Wall time ${(seconds / 60).toFixed(1)} min, CPU time ${(cpuSeconds / 60).toFixed(1)} min, on the ${backend} backend (tfjs ${tf.version.tfjs}, Node ${process.version}, ${cpus().length} cores shared with other work). Features are cached in node_modules/.cache/thaw-similarity (the *time to compute* column below; ${(featureSeconds / 60).toFixed(1)} min in all when computed); this run ${cached ? 'read them from the cache' : 'computed them'}.`,
    '',
    "**What the studio computes.** *Estimate similarity* (src/training/probe.ts, src/strategy/estimate.ts) scores a nearest-centroid classifier on the network's *top features* — the deepest layer before the network's own source head (the teaching CNN's `fc`, past its feature layer `global_pool`; the nsfwjs MobileNetV2's `dense_2`; the photo backbone has no head, so its feature layer) — and on the *raw pixels* (the network's input, averaged to at most " +
      `${PIXEL_SIDE}×${PIXEL_SIDE} px), on ${PROBE_SPLITS} seeded half/half splits of the loaded images (up to 40 per class): centroids fit on one half, accuracy on the other. ` +
      `Difference = top − pixels, split by split. Verdict: **unsure** when the smallest class has fewer than ${MIN_PROBE_IMAGES_PER_CLASS} images or the network has no calibration; **similar** when every split's difference reaches the network's threshold; **different** when none does; **unsure** when the splits fall on both sides.`,
    '',
    `**How it is checked.** For every pair of a bundled network and a bundled kind of target, the features of a pool of target images are computed once with the studio's probe code; each of ${draws} draws takes n images per class from the pool (seeded) and runs the studio's splits and verdict. *Right* = the verdict names the pair's relation, *wrong* = it names the other one, *unsure* is neither. Relations: for the teaching CNN (pretrained on five Fashion-MNIST classes) the other five Fashion-MNIST classes are similar, handwritten digits and inverted digits different; for the ImageNet networks the photo sample is similar, and 28-px greyscale digits, inverted digits and Fashion-MNIST clothes are different. *One split right* = how often the first split alone, against the same threshold, names the relation — what a single half/half probe would say.`,
    '',
    '## Thresholds',
    '',
    `One threshold does not fit every network: the photo backbone's ImageNet features beat the pixels by 5–15 points even on digits, while the teaching CNN's 64 top features sit a few points *under* the pixels on its similar target. So each network has its own, set at the midpoint between its similar target's mean difference and the nearest different target's, at ${largest} images per class, rounded to 5 pp (src/strategy/estimate.ts, \`SIMILARITY_CALIBRATION\`). Networks or input sizes not listed get an unsure verdict with their numbers.`,
    '',
    '| network | input | similar (mean) | nearest different (mean) | midpoint | threshold used |',
    '|---|---|---|---|---|---|',
    ...midpoints(cells, largest),
    '',
    '## Verdicts per pair and sample size',
    '',
    `${PROBE_SPLITS} splits per draw, ${draws} draws per row. *n per class* = images per class the draws hold (the photo sample has 25–30 per class, so its draws at larger n take whole classes); *mean difference* = mean over draws of the draw's mean over splits, ± sd over draws; *range width* = median over draws of max − min across the splits; *verdict* = the most frequent verdict.`,
    '',
    '| network | target | relation | n per class | mean difference (pp) | range width (pp) | verdict | right | unsure | wrong | one split right |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...cells.map(cellRow),
    '',
    '## All pairs, per sample size',
    '',
    ...perSize(cells),
    '',
    '## Other thresholds',
    '',
    `The same draws with each network's threshold moved (at least ${MIN_PROBE_IMAGES_PER_CLASS} images per class; right / unsure / wrong over that network's pairs).`,
    '',
    ...sweep(cells, [-0.1, -0.05, 0, 0.05, 0.1]),
    '',
    '## Accuracy by layer',
    '',
    `Mean nearest-centroid accuracy (%) at ${largest} images per class: pixels, the probed layers, the top features.`,
    '',
    '| network | target | accuracy by layer |',
    '|---|---|---|',
    ...profiles(cells, largest),
    '',
    '## Features',
    '',
    '| network | target | top features (dim) | pixel baseline | pool per class | time to compute |',
    '|---|---|---|---|---|---|',
    ...featureLines,
    '',
    'Targets at 28 px are resized bilinearly to 224 px (greyscale as RGB) for the photo networks, as the studio resizes a dropped image; photos are drawn over black where transparent, as the studio decodes them.',
    '',
  ].join('\n');
  writeFileSync(values.out, md);
  console.log(md);
  console.log(`wrote ${values.out} in ${(seconds / 60).toFixed(1)} min`);
}

function makePairs(pool: number, photoPool: number, sources?: string[]): Pair[] {
  const fashion = FASHION_TARGET_CLASSES.map(loadFashionClass);
  const digits = DIGIT_CLASSES.map(loadDigitClass);
  const grey = (perClass: number) => ({
    fashion: greyTarget(
      'fashion',
      'Fashion target (Pullover, Dress, Shirt, Sneaker, Ankle boot)',
      fashion,
      perClass,
    ),
    digits: greyTarget('digits', 'Digits (3, 4, 5, 7, 9)', digits, perClass),
    inverted: greyTarget('digits-inverted', 'Inverted digits (1 − x)', digits, perClass, true),
  });
  const teaching = grey(pool);
  const far = grey(photoPool);
  const photos = photoTarget();
  const bySource = (id: string) => SOURCES.find((s) => s.id === id)!;
  const at224 = (t: Target): Target => ({ ...t, label: `${t.label} at 224 px` });
  const photoPairs = (s: Source): Pair[] => [
    { source: s, target: photos, expected: 'similar' },
    { source: s, target: at224(far.digits), expected: 'different' },
    { source: s, target: at224(far.inverted), expected: 'different' },
    { source: s, target: at224(far.fashion), expected: 'different' },
  ];
  const pairs: Pair[] = [
    { source: bySource('teaching-cnn'), target: teaching.fashion, expected: 'similar' },
    { source: bySource('teaching-cnn'), target: teaching.digits, expected: 'different' },
    { source: bySource('teaching-cnn'), target: teaching.inverted, expected: 'different' },
    ...photoPairs(bySource('mobilenet-v2-035')),
    ...photoPairs(bySource('mobilenet-v2')),
  ];
  return sources ? pairs.filter((p) => sources.includes(p.source.id)) : pairs;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
