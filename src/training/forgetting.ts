/**
 * Forgetting: the accuracy of the network's own (source) head on the source task's test
 * images, before and after a run.
 */
import * as tf from '@tensorflow/tfjs';
import { SOURCE_TEST_BATCH } from '../domain';
import { FOLD, layerGraph, runSteps } from '../model/graph';
import { buildModel } from '../model/load';
import { toModelInput, type InputSpec } from '../model/preprocess';

/** Test images of the source task with their source-class labels. */
export interface SourceImages {
  images: readonly Uint8Array[];
  labels: readonly number[];
}

/** Accuracy of the network's own (source) head on the source test images. */
export async function sourceAccuracy(
  net: tf.LayersModel,
  spec: InputSpec,
  test: SourceImages,
): Promise<number> {
  const graph = layerGraph(net);
  let hits = 0;
  for (let start = 0; start < test.images.length; start += SOURCE_TEST_BATCH) {
    const batch = test.images.slice(start, start + SOURCE_TEST_BATCH);
    const pred = tf.tidy(() =>
      runSteps(
        graph,
        toModelInput(batch, spec),
        0,
        graph.steps.length - 1,
        () => false,
        FOLD,
      ).argMax(-1),
    );
    const values = await pred.data();
    pred.dispose();
    values.forEach((p, i) => (hits += p === test.labels[start + i] ? 1 : 0));
  }
  return hits / Math.max(1, test.images.length);
}

/** Source accuracy of the untouched pretrained network. */
export async function pristineSourceAccuracy(
  artifacts: tf.io.ModelArtifacts,
  spec: InputSpec,
  test: SourceImages,
): Promise<number> {
  const fresh = await buildModel(artifacts);
  try {
    return await sourceAccuracy(fresh, spec, test);
  } finally {
    fresh.dispose();
  }
}
