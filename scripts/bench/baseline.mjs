// The frozen-prefix cache against tfjs `model.fit` with the same layers frozen, on the same
// images and backend, measured in the benchmark page's worker (scripts/bench/page/).
import { summary } from './stats.mjs';

/**
 * Runs one comparison; `images` are URLs of the studio's photo sample with their labels.
 * Returns the summaries and the raw repetitions.
 */
export async function compare(
  browser,
  baseURL,
  { backend, model, size, freezeUpTo, images, numClasses, epochs, batchSize, reps },
) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const log = [];
  page.on('console', (m) => log.push(m.text()));
  try {
    await page.goto(`${baseURL}bench/`);
    await page.waitForFunction(() => 'thawBench' in window, null, { timeout: 60_000 });
    const config = {
      backend,
      model: {
        url: model.url,
        nativeSize: model.nativeSize,
        size,
        channels: 3,
        valueRange: model.valueRange,
        featureLayer: model.featureLayer,
      },
      freezeUpTo,
      images,
      numClasses,
      epochs,
      batchSize,
      reps,
    };
    const r = await page.evaluate((c) => window.thawBench(c), config);
    if (r.type !== 'result') throw new Error(`baseline page: ${r.message}\n${log.join('\n')}`);
    const steady = (ms) => summary(ms.slice(1)).median;
    const engineEpoch = r.engine.map((e) => steady(e.epochMs));
    const naiveEpoch = r.naive.map((n) => steady(n.epochMs));
    // Ratios pair repetition i of each: they ran next to each other.
    const ratio = naiveEpoch.map((n, i) => n / engineEpoch[i]);
    const engineRun = r.engine.map((e) => e.totalMs);
    const naiveRun = r.naive.map((n) => n.totalMs);
    return {
      backend: r.backend,
      model: model.id,
      size,
      freezeUpTo,
      images: r.images,
      trainImages: r.trainImages,
      validationImages: r.validationImages,
      epochs,
      batchSize,
      trainableParams: r.trainableParams,
      frozenPrefixLayers: r.frozenPrefixLayers,
      prefixMs: summary(r.engine.map((e) => e.prefixMs)),
      engineEpochMs: summary(engineEpoch),
      engineFirstEpochMs: summary(r.engine.map((e) => e.epochMs[0])),
      naiveEpochMs: summary(naiveEpoch),
      naiveFirstEpochMs: summary(r.naive.map((n) => n.epochMs[0])),
      epochRatio: summary(ratio),
      engineRunMs: summary(engineRun),
      naiveRunMs: summary(naiveRun),
      runRatio: summary(naiveRun.map((n, i) => n / engineRun[i])),
      naiveError: r.naiveError
        ? /typed array length|memory|allocat/i.test(r.naiveError)
          ? `model.fit ran out of memory (${r.naiveError})`
          : `model.fit failed: ${r.naiveError}`
        : null,
      tensorsLeft: {
        engine: r.engine.map((e) => e.tensorsLeft),
        naive: r.naive.map((n) => n.tensorsLeft),
      },
      raw: { engine: r.engine, naive: r.naive },
    };
  } finally {
    await context.close();
  }
}
