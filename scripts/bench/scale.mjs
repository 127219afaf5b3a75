// Scale: a folder of many images through the studio (ingestion, features, head-only
// epochs) while the page's and the worker's memory are sampled, to find the peak and
// whether anything breaks. The folder repeats the photo sample's images under new names
// (hard links: no disk used), so every image is decoded and run like a new one.
import { linkSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summary } from './stats.mjs';
import { heaps, ingest, openStudio, setEpochs, steadyEpoch, train, useModel } from './studio.mjs';

export function scaleFolder(manifest, total) {
  const root = join(mkdtempSync(join(tmpdir(), 'thaw-bench-scale-')), `photos-${total}`);
  const classes = manifest.classes;
  for (let i = 0; i < total; i++) {
    const c = classes[i % classes.length];
    const k = Math.floor(i / classes.length);
    const file = c.files[k % c.files.length];
    mkdirSync(join(root, c.name), { recursive: true });
    linkSync(join('public/samples/photos', c.name, file), join(root, c.name, `${k}-${file}`));
  }
  return root;
}

/** Samples both heaps every `everyMs` until stopped; keeps the largest of each. */
function sampler(page, browser, everyMs) {
  const peak = { pageHeap: 0, workerHeap: 0, workerBuffers: 0, samples: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const h = await heaps(page, browser);
        peak.pageHeap = Math.max(peak.pageHeap, h.mainUsed ?? 0);
        peak.workerHeap = Math.max(peak.workerHeap, h.workerUsed ?? 0);
        peak.workerBuffers = Math.max(peak.workerBuffers, h.workerBacking ?? 0);
        peak.samples += 1;
      } catch {
        /* the page is busy or gone; try again */
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    peak,
    stop: async () => {
      running = false;
      await loop;
      return peak;
    },
  };
}

export async function scaleRun(
  browser,
  baseURL,
  { manifest, images, backend, model, size, epochs },
) {
  const folder = scaleFolder(manifest, images);
  const out = {
    images,
    backend,
    model: model.id,
    modelLabel: model.label,
    size,
    epochs,
    completed: false,
  };
  const { context, page, active } = await openStudio(browser, baseURL, backend);
  out.active = active;
  let crashed = false;
  page.on('crash', () => (crashed = true));
  const memory = sampler(page, browser, 5000);
  try {
    await useModel(page, model, size);
    await setEpochs(page, epochs);
    const ing = await ingest(page, folder, images);
    out.ingestS = ing.ms / 1000;
    out.ingestImagesPerSecond = ing.imagesPerSecond;
    out.afterIngest = { ...memory.peak };
    const run = await train(page);
    out.featuresS = run.featuresMs / 1000;
    out.featuresImagesPerSecond = images / (run.featuresMs / 1000);
    out.featuresBackend = run.featuresBackend;
    out.epochMs = steadyEpoch(run);
    out.firstEpochMs = run.epochMs[0];
    out.epochs = summary(run.epochMs);
    out.tensors = run.tensors;
    out.longTasks = run.longTasks.length;
    out.stored = (
      await page
        .getByRole('status')
        .filter({ hasText: 'Stored:' })
        .innerText()
        .catch(() => '')
    )
      .replace(/\s+/g, ' ')
      .trim();
    out.completed = true;
  } catch (err) {
    out.error = crashed ? 'the page crashed' : String(err.message ?? err).split('\n')[0];
  } finally {
    out.peak = await memory.stop();
    await context.close().catch(() => {});
  }
  return out;
}
