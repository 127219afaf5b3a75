/**
 * Job and helpers for forgetting: the source task's test images, and the accuracy of the
 * network's own (source) head on them before and after a run.
 */
import * as tf from '@tensorflow/tfjs';
import { classifyFolder } from '../../data/folder-rules';
import { SOURCE_TEST_BATCH, SOURCE_TEST_PER_CLASS } from '../../domain';
import { layerGraph, runSteps } from '../../model/graph';
import { buildModel } from '../../model/load';
import { toModelInput, type InputSpec } from '../../model/preprocess';
import type { SourceTest, WorkerContext } from '../context';
import type { LoadSourceTestRequest } from '../protocol';

/** Folder names cannot hold every character of a class name ("T-shirt/top"): compare letters and digits only. */
const classKey = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

export async function loadSourceTest(
  ctx: WorkerContext,
  req: LoadSourceTestRequest,
): Promise<void> {
  const model = ctx.model;
  if (!model?.card.sourceClasses) return;
  const names = model.card.sourceClasses.map(classKey);
  const { files: usable } = classifyFolder(req.files);
  const decoder = ctx.makeDecoder(model.resolution);
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  const taken = names.map(() => 0);
  for (const f of usable) {
    const label = names.indexOf(classKey(f.className));
    if (label < 0 || taken[label]! >= SOURCE_TEST_PER_CLASS) continue;
    taken[label]!++;
    const result = await decoder.decode(f.file);
    if (result?.ok) {
      images.push(result.pixels);
      labels.push(label);
    }
  }
  ctx.sourceTest = { modelVersion: model.version, images, labels, before: null };
}

/** Accuracy of the network's own (source) head on the source test images. */
export async function sourceAccuracy(
  net: tf.LayersModel,
  spec: InputSpec,
  test: SourceTest,
): Promise<number> {
  const graph = layerGraph(net);
  let hits = 0;
  for (let start = 0; start < test.images.length; start += SOURCE_TEST_BATCH) {
    const batch = test.images.slice(start, start + SOURCE_TEST_BATCH);
    const pred = tf.tidy(() =>
      runSteps(graph, toModelInput(batch, spec), 0, graph.steps.length - 1, () => false).argMax(-1),
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
  test: SourceTest,
): Promise<number> {
  const fresh = await buildModel(artifacts);
  try {
    return await sourceAccuracy(fresh, spec, test);
  } finally {
    fresh.dispose();
  }
}
