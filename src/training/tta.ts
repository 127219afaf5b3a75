/**
 * Test-time augmentation at the end of a run: each validation and test image is classified
 * from the mean of the softmax of the image and of its mirror image (`model/classifier.ts`
 * `flipAveraged`, the same rule Predict uses). The plain predictions come along, so a run
 * reports what the flip changed.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../data/image-set';
import type { Split } from '../data/split';
import {
  INFERENCE_BATCH,
  type BackendName,
  type JobBackends,
  type TrainedWeights,
} from '../domain';
import { flipAveraged } from '../model/classifier';
import { toModelInput, type InputSpec } from '../model/preprocess';
import { chunks } from './evaluation';
import { switchTo } from './switch';

/** The predicted class of each validation and test sample, in split order. */
export interface SplitPredictions {
  validation: number[];
  test: number[];
}

export interface FlipScorer {
  /** Reads the images of these samples before `features` and `images` are asked for them. */
  load: (indices: readonly number[]) => Promise<void>;
  /** The network's input for these samples: images, [b, h, w, c] (inside a tidy). */
  images: (indices: readonly number[]) => tf.Tensor4D;
  /** The network's features of an input batch, in inference mode (inside a tidy). */
  features: (x: tf.Tensor4D) => tf.Tensor2D;
  /** The trained head, with the feature centring and scale it was trained on. */
  head: Pick<
    TrainedWeights['head'],
    'kernel' | 'bias' | 'mean' | 'std' | 'featureDim' | 'numClasses'
  >;
}

/** The predicted class of each sample, plain and flip-averaged, in batches. */
export async function flipAveragedClasses(
  scorer: FlipScorer,
  indices: readonly number[],
  batchSize: number,
): Promise<{ plain: number[]; flipped: number[] }> {
  const { head } = scorer;
  const plain: number[] = [];
  const flipped: number[] = [];
  const [kernel, bias, mean, std] = [
    tf.tensor2d(head.kernel, [head.featureDim, head.numClasses]),
    tf.tensor1d(head.bias),
    tf.tensor1d(head.mean),
    tf.tensor1d(head.std),
  ];
  const probabilities = (x: tf.Tensor4D) =>
    tf.softmax(scorer.features(x).sub(mean).div(std).matMul(kernel).add(bias)) as tf.Tensor2D;
  try {
    for (const idx of chunks(indices, batchSize)) {
      await scorer.load(idx);
      const [p, f] = tf.tidy(() => {
        const x = scorer.images(idx);
        return [probabilities(x).argMax(1), flipAveraged(probabilities, x).argMax(1)];
      });
      plain.push(...(await p!.data()));
      flipped.push(...(await f!.data()));
      tf.dispose([p!, f!]);
    }
  } finally {
    tf.dispose([kernel, bias, mean, std]);
  }
  return { plain, flipped };
}

/**
 * Plain and flip-averaged predictions of a run's validation and test images, read from
 * `images`; the whole network runs on the backend chosen for it (a lone head may have
 * trained on another), and the backend active before is restored.
 */
export async function flipSplitPredictions(
  run: {
    images: ImageSet;
    spec: InputSpec;
    split: Pick<Split, 'validation' | 'test'>;
    backends: JobBackends;
  },
  head: FlipScorer['head'],
  features: FlipScorer['features'],
): Promise<{ flipped: SplitPredictions; plain: SplitPredictions }> {
  let pixels: Uint8Array[] = [];
  const scorer: FlipScorer = {
    load: async (idx) => void (pixels = await run.images.read(idx)),
    images: () => toModelInput(pixels, run.spec) as tf.Tensor4D,
    features,
    head,
  };
  const before = tf.getBackend() as BackendName;
  if (!(await switchTo(run.backends.features)))
    throw new Error(`The ${run.backends.features} backend is not available.`);
  try {
    const validation = await flipAveragedClasses(scorer, run.split.validation, INFERENCE_BATCH);
    const test = await flipAveragedClasses(scorer, run.split.test, INFERENCE_BATCH);
    return {
      flipped: { validation: validation.flipped, test: test.flipped },
      plain: { validation: validation.plain, test: test.plain },
    };
  } finally {
    await switchTo(before);
  }
}
