/**
 * Job for forgetting: the source task's test images, decoded once per model (the accuracy
 * of the network's own head on them is measured in `training/forgetting.ts`). A model
 * without source classes keeps none; the job ends with `source-test-loaded` either way.
 */
import { classifyFolder } from '../../data/folder-rules';
import { SOURCE_TEST_PER_CLASS } from '../../domain';
import type { JobHandler } from '../context';

/** Folder names cannot hold every character of a class name ("T-shirt/top"): compare letters and digits only. */
const classKey = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

export const loadSourceTest: JobHandler<'load-source-test'> = async (ctx, req, reply) => {
  const model = ctx.model;
  if (!model?.card.sourceClasses) return reply({ type: 'source-test-loaded' });
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
  reply({ type: 'source-test-loaded' });
};
