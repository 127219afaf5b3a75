/**
 * The whole trained classifier as one tfjs layers model, in the shape code written for a
 * Teachable Machine model expects: it takes the image as Teachable Machine's library
 * feeds it (RGB, x/127 − 1) and returns class probabilities. Inside: an input adapter
 * (a fixed 1×1 convolution mapping that input to the range and channels the network was
 * trained on), the network up to the feature layer with the run's trained weights,
 * pooling, and the new head with its feature scaling folded into the dense weights.
 */
import * as tf from '@tensorflow/tfjs';
import { INFERENCE_BATCH, type TrainedWeights } from '../domain';
import { buildModel } from './load';
import type { InputSpec } from './preprocess';

/** Teachable Machine's library scales pixels as x / 127 − 1 (`@teachablemachine/image`, utils/tf.js). */
export const TM_DIVISOR = 127;

/** uint8 RGB images → the classifier's input, exactly as Teachable Machine's library makes it. */
export function tmInput(images: readonly Uint8Array[], size: number): tf.Tensor4D {
  const pixels = size * size * 3;
  const bytes = new Uint8Array(images.length * pixels);
  images.forEach((img, i) => bytes.set(img, i * pixels));
  return tf.tidy(
    () =>
      tf
        .tensor4d(bytes, [images.length, size, size, 3], 'int32')
        .toFloat()
        .div(tf.scalar(TM_DIVISOR))
        .sub(tf.scalar(1)) as tf.Tensor4D,
  );
}

/**
 * Kernel and bias of the 1×1 convolution that turns u = x/127 − 1 (RGB) into what the
 * network was trained on: x/255·(hi − lo) + lo, per channel, or the mean of R, G and B
 * for a grayscale network (as the studio's `toModelInput`).
 */
export function adapterWeights(spec: Pick<InputSpec, 'channels' | 'valueRange'>): {
  kernel: Float32Array;
  bias: Float32Array;
} {
  const [lo, hi] = spec.valueRange;
  // x = (u + 1)·127 ⇒ v = (u + 1)·127/255·(hi − lo) + lo = a·u + (a + lo)
  const a = (TM_DIVISOR / 255) * (hi - lo);
  const out = spec.channels;
  const kernel = new Float32Array(3 * out);
  for (let c = 0; c < 3; c++)
    for (let o = 0; o < out; o++) kernel[c * out + o] = out === 1 ? a / 3 : c === o ? a : 0;
  return { kernel, bias: new Float32Array(out).fill(a + lo) };
}

/** Writes a run's trained weights into a freshly built network (by Keras weight name). */
export function applyTrainedWeights(model: tf.LayersModel, layers: TrainedWeights['layers']): void {
  const byName = new Map(model.weights.map((w) => [w.originalName, w]));
  for (const stored of layers) {
    const target = byName.get(stored.name);
    if (!target)
      throw new Error(
        `The network has no weight "${stored.name}": this run was trained on another network.`,
      );
    const t = tf.tensor(stored.values, stored.shape);
    target.write(t);
    t.dispose();
  }
}

/** The head's dense weights with the feature centring and scale folded in: (f − m)/s·K + b = f·(K/s) + (b − Σ m/s·K). */
export function foldedHead(head: TrainedWeights['head']): {
  kernel: Float32Array;
  bias: Float32Array;
} {
  const { featureDim: d, numClasses: n, kernel, bias, mean, std } = head;
  const k = new Float32Array(d * n);
  const b = Float32Array.from(bias);
  for (let i = 0; i < d; i++) {
    const s = std[i] || 1;
    for (let j = 0; j < n; j++) {
      k[i * n + j] = kernel[i * n + j]! / s;
      b[j]! -= (mean[i]! / s) * kernel[i * n + j]!;
    }
  }
  return { kernel: k, bias: b };
}

export interface ClassifierInput {
  artifacts: tf.io.ModelArtifacts;
  spec: InputSpec;
  featureLayer: string;
  weights: Omit<TrainedWeights, 'runId'>;
}

export async function buildClassifier(input: ClassifierInput): Promise<tf.LayersModel> {
  const { spec, featureLayer, weights } = input;
  const base = await buildModel(input.artifacts);
  try {
    applyTrainedWeights(base, weights.layers);
    const feature = base.getLayer(featureLayer).output as tf.SymbolicTensor;
    const backbone = tf.model({ inputs: base.inputs, outputs: feature, name: 'thaw_backbone' });
    const image = tf.input({ shape: [spec.size, spec.size, 3], name: 'image' });
    const adapter = adapterWeights(spec);
    const adapterLayer = tf.layers.conv2d({
      filters: spec.channels,
      kernelSize: 1,
      name: 'thaw_input_adapter',
      trainable: false,
    });
    let x = adapterLayer.apply(image) as tf.SymbolicTensor;
    x = backbone.apply(x) as tf.SymbolicTensor;
    if (x.shape.length === 4)
      x = tf.layers.globalAveragePooling2d({ name: 'thaw_pool' }).apply(x) as tf.SymbolicTensor;
    else if (x.shape.length > 2)
      x = tf.layers.flatten({ name: 'thaw_flatten' }).apply(x) as tf.SymbolicTensor;
    const head = foldedHead(weights.head);
    const headLayer = tf.layers.dense({
      units: weights.head.numClasses,
      activation: 'softmax',
      name: 'thaw_head',
    });
    const probs = headLayer.apply(x) as tf.SymbolicTensor;
    tf.tidy(() => {
      adapterLayer.setWeights([
        tf.tensor4d(adapter.kernel, [1, 1, 3, spec.channels]),
        tf.tensor1d(adapter.bias),
      ]);
      headLayer.setWeights([
        tf.tensor2d(head.kernel, [weights.head.featureDim, weights.head.numClasses]),
        tf.tensor1d(head.bias),
      ]);
    });
    return tf.model({ inputs: image, outputs: probs, name: 'thaw_classifier' });
  } catch (err) {
    base.dispose();
    throw err;
  }
}

/** The classifier as tfjs layers files: `model.json` (weights in `weights.bin`) and the weights. */
export async function saveClassifier(
  model: tf.LayersModel,
): Promise<{ modelJson: string; weights: ArrayBuffer }> {
  let out: { modelJson: string; weights: ArrayBuffer } | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const weights =
        a.weightData instanceof ArrayBuffer
          ? a.weightData
          : tf.io.concatenateArrayBuffers(a.weightData as ArrayBuffer[]);
      const json = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        modelTopology: a.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
      };
      out = { modelJson: JSON.stringify(json), weights };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return out!;
}

/** The images mirrored left to right (a batch in NHWC: the width axis reversed). */
export function flipImages(x: tf.Tensor4D): tf.Tensor4D {
  return tf.reverse(x, 2);
}

/**
 * Test-time augmentation with a horizontal flip: the mean of the class probabilities of the
 * images and of their mirror images. `probabilities` maps a batch to softmax outputs.
 */
export function flipAveraged(
  probabilities: (x: tf.Tensor4D) => tf.Tensor2D,
  x: tf.Tensor4D,
): tf.Tensor2D {
  return tf.tidy(() => probabilities(x).add(probabilities(flipImages(x))).div(2) as tf.Tensor2D);
}

/**
 * Class probabilities of the exported classifier for each image (uint8 RGB at `size`), in
 * batches; with `flip`, averaged with those of the mirror image (test-time augmentation).
 */
export async function classifyImages(
  model: tf.LayersModel,
  images: readonly Uint8Array[],
  size: number,
  flip = false,
): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  const predict = (x: tf.Tensor4D) => model.predict(x) as tf.Tensor2D;
  for (let start = 0; start < images.length; start += INFERENCE_BATCH) {
    const probs = tf.tidy(() => {
      const x = tmInput(images.slice(start, start + INFERENCE_BATCH), size);
      return flip ? flipAveraged(predict, x) : predict(x);
    });
    const values = (await probs.data()) as Float32Array;
    const n = probs.shape[1];
    probs.dispose();
    for (let i = 0; i * n < values.length; i++) out.push(values.slice(i * n, (i + 1) * n));
  }
  return out;
}
