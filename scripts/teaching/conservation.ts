/**
 * Conservation training on the teaching CNN: fine-tune the whole pretrained network on
 * the Fashion target with L2-SP pulling every pretrained weight toward its starting value
 * (λ/2 · Σ‖w − w₀‖², the studio's `conservation`), at several λ, and measure both sides
 * of the trade: accuracy on the target's held-out images, and accuracy on the *source*
 * task's held-out images when the network's original head is put back on the fine-tuned
 * body (what the studio's forgetting check measures).
 *
 *   npx tsx scripts/teaching/conservation.ts                 # writes a section of docs/teaching-transfer.md
 *   npx tsx scripts/teaching/conservation.ts --lambdas 0,1 --seeds 1 --out /tmp/t.md
 *
 * Same data rules as the transfer table (scripts/teaching/experiment.ts): K images per
 * class from each target class's pool, seeded; 400 held-out test images per class. Each
 * run is the studio's engine (`trainWithPlan`) with `TrainParams.conservation` = λ.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { pristineSourceAccuracy } from '../../src/training/forgetting';
import { useBackend } from './backend';
import { FASHION_TARGET_CLASSES, SOURCE_CLASSES, loadFashionClass } from './data';
import { paired, withSection } from './experiment';
import { BODY_LAYERS, NEW_LR } from './plans';
import {
  PrefixCaches,
  TEACHING_SPEC,
  readArtifacts,
  seedData,
  sourceImages,
  studioRun,
  teachingParams,
} from './studio-run';

/** Every pretrained layer Fine-tune (and pulled toward w₀ by L2-SP), the studio's new head on fc. */
const PLAN = {
  modes: Object.fromEntries(BODY_LAYERS.map((name) => [name, 'fine-tune' as const])),
  featureLayer: 'fc',
};

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: readonly number[]) =>
  xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
const pct = (x: number) => (x * 100).toFixed(1);
const pm = (xs: readonly number[]) => `${pct(mean(xs))} ± ${pct(sd(xs))}`;
const delta = (a: number[], b: number[]) => {
  const d = paired(a, b);
  return `${d.mean >= 0 ? '+' : '−'}${pct(Math.abs(d.mean))} ± ${pct(d.std)}${d.significant ? ' *' : ''}`;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string', default: '1,2,3' },
      k: { type: 'string', default: '10' },
      lambdas: { type: 'string', default: '0,0.01,0.1,1' },
      lr: { type: 'string', default: '0.001' },
      epochs: { type: 'string', default: '60' },
      'test-per-class': { type: 'string', default: '400' },
      'validation-per-class': { type: 'string', default: '20' },
      model: { type: 'string', default: 'public/models/teaching-cnn' },
      out: { type: 'string', default: 'docs/teaching-transfer.md' },
    },
  });
  const seeds = values.seeds.split(',').map(Number);
  const k = Number(values.k);
  const lambdas = values.lambdas.split(',').map(Number);
  const lr = Number(values.lr);
  const epochs = Number(values.epochs);
  const testPerClass = Number(values['test-per-class']);
  const validationPerClass = Number(values['validation-per-class']);
  const t0 = performance.now();
  const backend = await useBackend('wasm');
  const artifacts = readArtifacts(values.model);
  const target = FASHION_TARGET_CLASSES.map(loadFashionClass);
  const sourceTest = sourceImages(SOURCE_CLASSES.map(loadFashionClass), testPerClass);
  const before = await pristineSourceAccuracy(artifacts, TEACHING_SPEC, sourceTest);
  const targetAcc = new Map<number, number[]>(lambdas.map((l) => [l, []]));
  const sourceAcc = new Map<number, number[]>(lambdas.map((l) => [l, []]));
  for (const seed of seeds) {
    const data = seedData(target, k, validationPerClass, testPerClass, seed);
    for (const lambda of lambdas) {
      const t1 = performance.now();
      const outcome = await studioRun({
        artifacts,
        cacheKey: `conservation|seed${seed}`,
        caches: new PrefixCaches(),
        plan: PLAN,
        data,
        // A fixed number of epochs, so every λ trains as long.
        params: teachingParams(seed, {
          learningRate: NEW_LR,
          fineTuneLearningRate: lr,
          batchSize: 10,
          epochs,
          conservation: lambda,
          earlyStopping: { enabled: false, patience: 0, minDelta: 0 },
        }),
        backend,
        source: sourceTest,
      });
      const onTarget = outcome.test;
      const onSource = outcome.source ?? NaN;
      targetAcc.get(lambda)!.push(onTarget);
      sourceAcc.get(lambda)!.push(onSource);
      console.log(
        `seed ${seed} λ=${lambda}: target ${pct(onTarget)}%, source ${pct(onSource)}% (${((performance.now() - t1) / 1000).toFixed(0)} s)`,
      );
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const base = lambdas[0]!;
  const quote = (a: string) => (/[\s"']/.test(a) ? `"${a}"` : a);
  const command = ['npx tsx scripts/teaching/conservation.ts', ...process.argv.slice(2).map(quote)]
    .join(' ')
    .trim();
  const body = [
    '## Conservation training: target accuracy against memory of the source task',
    '',
    `Generated by \`${command}\` (scripts/teaching/conservation.ts) — do not edit by hand. Wall time ${(seconds / 60).toFixed(1)} min on the ${backend} backend.`,
    '',
    `- Trained by the studio's engine (\`trainWithPlan\`): every pretrained layer (conv1–5, fc) Fine-tune at LR ${lr}, the studio's new head on fc at ${NEW_LR}; Adam, batch 10, ${epochs} epochs with early stopping off (a fixed budget, so every λ trains as long: capped by design, not converged), on the Fashion target, K = ${k} images per class (the training images of the transfer table; ${validationPerClass} validation images per class are drawn but only reported on), seeds ${seeds.join(', ')}.`,
    "- L2-SP adds λ/2 · Σ‖w − w₀‖² over the Fine-tune weights (w₀ = pretrained values): the studio's *conservation* parameter (`TrainParams.conservation`).",
    `- *Target*: accuracy on ${testPerClass} held-out images per target class. *Source*: the network's own 5-class head on the fine-tuned body (the studio's forgetting check, src/training/forgetting.ts), accuracy on ${testPerClass} held-out images per source class (before fine-tuning: ${pct(before)}%).`,
    `- Δ = paired difference to λ = ${base} over seeds, mean ± sd; \`*\` = beyond seed noise (paired t-test, 95%).`,
    '',
    '| λ (L2-SP) | target acc % | Δ target (pp) | source acc % | Δ source (pp) |',
    '| --- | --- | --- | --- | --- |',
    ...lambdas.map((l) => {
      const t = targetAcc.get(l)!;
      const s = sourceAcc.get(l)!;
      return `| ${l} | ${pm(t)} | ${l === base ? '—' : delta(t, targetAcc.get(base)!)} | ${pm(s)} | ${l === base ? '—' : delta(s, sourceAcc.get(base)!)} |`;
    }),
    '',
  ].join('\n');
  const doc = existsSync(values.out) ? readFileSync(values.out, 'utf8') : '';
  writeFileSync(values.out, withSection(doc, 'conservation', body));
  console.log(body);
  console.log(`wrote ${values.out} in ${(seconds / 60).toFixed(1)} min`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
