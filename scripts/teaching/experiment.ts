/**
 * Reproduces the transfer table behind the teaching CNN's lessons (docs/teaching-transfer.md):
 * scratch vs pretrained-frozen vs pretrained-fine-tuned at several freeze depths, on a
 * similar target (the other 5 Fashion-MNIST classes) and a different one (5 handwritten
 * digits, or the same digits inverted), with K training images per class, several seeds,
 * held-out test images. Every row is a layer plan of the studio, trained by the studio's
 * own engine (`trainWithPlan`, via ./studio-run.ts) with its early stopping.
 *
 *   npm run experiment:teaching
 *   npm run experiment:teaching -- --seeds 1,2,3 --k 20 --out docs/teaching-transfer.md
 *   npm run experiment:teaching -- --k 10 --targets fashion,digits-inverted --section k10
 *
 * `--section NAME` writes the tables as one section of the existing document (between
 * `<!-- section:NAME -->` markers, replaced on the next run) instead of the whole file.
 *
 * Each seed draws its own K-shot training and validation images, the new head's initial
 * weights and the shuffling; within a seed every plan sees the same split (paired).
 */
import type * as tf from '@tensorflow/tfjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { PlanLayer } from '../../src/domain';
import { useBackend, type TeachingBackend } from './backend';
import {
  DIGIT_CLASSES,
  FASHION_TARGET_CLASSES,
  loadDigitClass,
  loadFashionClass,
  type ClassSplit,
} from './data';
import { FINETUNE_LR, NEW_LR, configs, planLetters, type Config } from './plans';
import {
  PrefixCaches,
  frozenSignature,
  randomArtifacts,
  readArtifacts,
  seedData,
  studioRun,
  teachingLayers,
  teachingParams,
} from './studio-run';

export interface Target {
  id: string;
  label: string;
  classes: ClassSplit[];
}

export interface ExperimentSettings {
  seeds: number[];
  /** Training images per class, one table per value. */
  ks: number[];
  /** Validation images per class (from the training pool), for early stopping. */
  validationPerClass: number;
  testPerClass: number;
  /** Most epochs a run may take. */
  epochs: number;
  /** Early stopping on the validation loss (the studio's rule; the best epoch's weights are kept). */
  patience: number;
  minDelta: number;
  batchSize: number;
}

export const DEFAULT_SETTINGS: ExperimentSettings = {
  seeds: [1, 2, 3],
  ks: [20],
  validationPerClass: 20,
  testPerClass: 400,
  epochs: 300,
  patience: 10,
  minDelta: 1e-3,
  batchSize: 10,
};

interface RunRecord {
  accuracy: number;
  bestEpoch: number;
  hitCap: boolean;
}

/** Trains one row on one seed's data with the studio's engine. */
async function runConfig(
  context: {
    pretrained: tf.io.ModelArtifacts;
    layers: readonly PlanLayer[];
    backend: TeachingBackend;
    targetId: string;
    k: number;
  },
  config: Config,
  seed: number,
  data: ReturnType<typeof seedData>,
  caches: PrefixCaches,
  settings: ExperimentSettings,
): Promise<RunRecord> {
  const artifacts = config.randomWeights ? await randomArtifacts(1000 + seed) : context.pretrained;
  const weights = config.randomWeights ? 'random' : 'pretrained';
  const outcome = await studioRun({
    artifacts,
    cacheKey: `${context.targetId}|K${context.k}|seed${seed}|${weights}|${frozenSignature(context.layers, config.plan)}`,
    caches,
    plan: config.plan,
    data,
    params: teachingParams(seed, {
      learningRate: NEW_LR,
      fineTuneLearningRate: config.fineTuneLearningRate,
      batchSize: settings.batchSize,
      epochs: settings.epochs,
      earlyStopping: { enabled: true, patience: settings.patience, minDelta: settings.minDelta },
    }),
    backend: context.backend,
  });
  return { accuracy: outcome.test, bestEpoch: outcome.bestEpoch, hitCap: outcome.hitCap };
}

export interface TargetResult {
  target: Target;
  k: number;
  /** config id → accuracies in seed order. */
  cells: Map<string, number[]>;
  /** config id → kept (best) epoch, in seed order. */
  epochs: Map<string, number[]>;
  /** config id → seeds that ran to the epoch cap. */
  capped: Map<string, number>;
  seconds: number;
}

/** Runs every configuration × seed on one target at one K. */
export async function runTarget(
  pretrained: tf.io.ModelArtifacts,
  backend: TeachingBackend,
  target: Target,
  k: number,
  settings: ExperimentSettings,
  list: Config[],
  log: (line: string) => void,
): Promise<TargetResult> {
  const t0 = performance.now();
  const layers = teachingLayers();
  const cells = new Map<string, number[]>(list.map((c) => [c.id, []]));
  const epochs = new Map<string, number[]>(list.map((c) => [c.id, []]));
  const capped = new Map<string, number>(list.map((c) => [c.id, 0]));
  for (const seed of settings.seeds) {
    const data = seedData(
      target.classes,
      k,
      settings.validationPerClass,
      settings.testPerClass,
      seed,
    );
    const caches = new PrefixCaches();
    for (const config of list) {
      const tc = performance.now();
      const run = await runConfig(
        { pretrained, layers, backend, targetId: target.id, k },
        config,
        seed,
        data,
        caches,
        settings,
      );
      cells.get(config.id)!.push(run.accuracy);
      epochs.get(config.id)!.push(run.bestEpoch);
      if (run.hitCap) capped.set(config.id, capped.get(config.id)! + 1);
      log(
        `${target.id} K=${k} seed ${seed} ${config.id}: ${(run.accuracy * 100).toFixed(1)}%, kept epoch ${run.bestEpoch}${run.hitCap ? ' (cap)' : ''} (${((performance.now() - tc) / 1000).toFixed(1)} s)`,
      );
    }
  }
  return { target, k, cells, epochs, capped, seconds: (performance.now() - t0) / 1000 };
}
// ---------------------------------------------------------------- statistics and report

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]): number =>
  xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
/** Two-sided 95% critical values of Student's t, by degrees of freedom. */
const T95 = [Infinity, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];
const tCritical = (df: number): number => T95[df] ?? 1.96;

export interface Difference {
  mean: number;
  std: number;
  /** Paired t-test at 95%: the mean difference is beyond seed noise. */
  significant: boolean;
}

/** Paired difference a − b over seeds. */
export function paired(a: number[], b: number[]): Difference {
  const d = a.map((v, i) => v - (b[i] ?? NaN));
  const m = mean(d);
  const s = std(d);
  const se = s / Math.sqrt(d.length);
  return {
    mean: m,
    std: s,
    significant: d.length > 1 && (se === 0 ? m !== 0 : Math.abs(m / se) > tCritical(d.length - 1)),
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? NaN
    : s.length % 2
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const pct = (v: number): string => (v * 100).toFixed(1);
const pm = (xs: number[]): string => `${pct(mean(xs))} ± ${pct(std(xs))}`;
const delta = (d: Difference): string =>
  `${d.mean >= 0 ? '+' : '−'}${pct(Math.abs(d.mean))} ± ${pct(d.std)}${d.significant ? ' *' : ''}`;

function table(results: TargetResult[], list: Config[]): string {
  const head = [
    'configuration',
    'conv1–5 · fc',
    `kept epoch (${results.map((r) => r.target.label).join(' / ')})`,
    ...results.flatMap((r) => [`${r.target.label} acc %`, 'Δ vs scratch (pp)']),
  ];
  const rows = list.map((c) => {
    const plan = planLetters(c.plan);
    const cells = results.flatMap((r) => {
      const accs = r.cells.get(c.id) ?? [];
      const scratch = r.cells.get('scratch') ?? [];
      return [pm(accs), c.id === 'scratch' ? '—' : delta(paired(accs, scratch))];
    });
    const epochs = results
      .map((r) => {
        const cap = r.capped.get(c.id) ?? 0;
        return `${median(r.epochs.get(c.id) ?? [])}${cap > 0 ? ` (${cap} capped)` : ''}`;
      })
      .join(' / ');
    return [c.label, plan, epochs, ...cells];
  });
  return [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** Plain-language checks of the expected effects, computed from the numbers. */
function findings(
  fashion: TargetResult,
  digits: TargetResult,
  list: Config[],
  withFashion = true,
): string[] {
  const get = (r: TargetResult, id: string) => r.cells.get(id) ?? [];
  const n = get(fashion, 'scratch').length;
  const has = (id: string) => list.some((c) => c.id === id);
  const verdict = (d: Difference, better: string, worse: string) =>
    d.significant ? (d.mean > 0 ? better : worse) : 'within seed noise';
  const out: string[] = [];

  // 1. Does pretraining help? Fine-tuning the whole pretrained network vs training from scratch.
  for (const r of withFashion ? [fashion, digits] : [digits]) {
    const d = paired(get(r, 'freeze-0-fc-ft'), get(r, 'scratch'));
    const pretrainedRows = list
      .filter((c) => c.id !== 'scratch' && !c.randomWeights)
      .map((c) => paired(get(r, c.id), get(r, 'scratch')));
    const up = pretrainedRows.filter((x) => x.significant && x.mean > 0).length;
    const down = pretrainedRows.filter((x) => x.significant && x.mean < 0).length;
    out.push(
      `**${r.target.label}: pretrained + fine-tuned vs scratch** (nothing frozen, fc fine-tuned): ${delta(d)} pp — ${verdict(d, 'pretraining helps, beyond seed noise', 'pretraining *hurts*, beyond seed noise')}. Of ${pretrainedRows.length} pretrained rows, ${up} beat scratch and ${down} fall behind it beyond seed noise.`,
    );
  }

  // 2. Does freezing hurt more on the dissimilar target? Frozen body vs scratch (Yosinski's baseline), then vs fine-tuning the same layers.
  const gap = (a: Difference, b: Difference) => {
    const g = b.mean - a.mean;
    const se = Math.sqrt(a.std ** 2 / n + b.std ** 2 / n);
    const beyond = se > 0 && Math.abs(g) > 2 * se;
    return `frozen costs ${pct(Math.abs(g))} pp ${g < 0 ? 'more' : 'less'} on ${digits.target.label} (2·SE ${pct(2 * se)} pp: ${beyond ? (g < 0 ? 'the expected effect, beyond seed noise' : 'the *opposite* of the expected effect, beyond seed noise') : 'within seed noise'})`;
  };
  for (const id of ['freeze-5-fc-ft', 'freeze-5-fc-reinit', 'head-on-pool', 'head-on-fc'].filter(
    has,
  )) {
    const f = paired(get(fashion, id), get(fashion, 'scratch'));
    const d = paired(get(digits, id), get(digits, 'scratch'));
    out.push(
      `**Frozen body vs scratch** (${id}): ${fashion.target.label} ${delta(f)} pp, ${digits.target.label} ${delta(d)} pp — ${gap(f, d)}.`,
    );
  }
  for (const fc of ['ft', 'reinit']) {
    const frozen = `freeze-5-fc-${fc}`;
    const tuned = `freeze-0-fc-${fc}`;
    if (!has(frozen) || !has(tuned)) continue;
    const f = paired(get(fashion, frozen), get(fashion, tuned));
    const d = paired(get(digits, frozen), get(digits, tuned));
    out.push(
      `**Frozen vs fine-tuned convs** (${frozen} − ${tuned}): ${fashion.target.label} ${delta(f)} pp, ${digits.target.label} ${delta(d)} pp — ${gap(f, d)}.`,
    );
  }

  // 3. Keep or re-initialise fc?
  for (const r of withFashion ? [fashion, digits] : [digits]) {
    const parts = [0, 1, 2, 4, 5]
      .filter((depth) => has(`freeze-${depth}-fc-ft`) && has(`freeze-${depth}-fc-reinit`))
      .map(
        (depth) =>
          `depth ${depth}: ${delta(paired(get(r, `freeze-${depth}-fc-reinit`), get(r, `freeze-${depth}-fc-ft`)))}`,
      );
    if (parts.length > 0)
      out.push(
        `**${r.target.label}: fc re-init − fc fine-tuned**, by number of frozen convs: ${parts.join('; ')} pp.`,
      );
  }

  // 3a. The studio's fine-tuning plans (head on global_pool, fc removed) vs scratch.
  for (const id of ['ft-all-pool', 'ft-upper-pool'].filter(has)) {
    const f = paired(get(fashion, id), get(fashion, 'scratch'));
    const d = paired(get(digits, id), get(digits, 'scratch'));
    out.push(
      `**Fine-tuned, head on global_pool, vs scratch** (${id}): ${fashion.target.label} ${delta(f)} pp, ${digits.target.label} ${delta(d)} pp.`,
    );
  }

  // 3b. Features from an intermediate layer (the studio's small-different cut) vs the whole body frozen.
  if (has('head-on-conv3') && has('head-on-pool')) {
    for (const r of withFashion ? [fashion, digits] : [digits]) {
      const cut = paired(get(r, 'head-on-conv3'), get(r, 'head-on-pool'));
      const vsScratch = paired(get(r, 'head-on-conv3'), get(r, 'scratch'));
      out.push(
        `**${r.target.label}: features from conv3 vs from global_pool** (head-on-conv3 − head-on-pool): ${delta(cut)} pp; head-on-conv3 vs scratch ${delta(vsScratch)} pp.`,
      );
    }
  }

  // 4. Are the pretrained conv features better than random ones?
  if (has('random-frozen')) {
    const f = paired(get(fashion, 'freeze-5-fc-reinit'), get(fashion, 'random-frozen'));
    const d = paired(get(digits, 'freeze-5-fc-reinit'), get(digits, 'random-frozen'));
    out.push(
      `**Pretrained vs random frozen convs** (both with a new fc): ${fashion.target.label} ${delta(f)} pp, ${digits.target.label} ${delta(d)} pp.`,
    );
  }
  out.push(
    `Many comparisons are made on ${n} seeds: a single \`*\` can be chance; trust what repeats across rows.`,
  );
  return out;
}

/** What each target is, for the report. */
const TARGET_NOTES: Record<string, string> = {
  fashion:
    '**Fashion** = Fashion-MNIST Pullover, Dress, Shirt, Sneaker, Ankle boot (similar domain)',
  digits:
    '**Digits** = MNIST digits 3, 4, 5, 7, 9 (different domain; chosen because raw-pixel 1-NN at 20 images/class scores 77.3% on them vs 78.4% on the Fashion target, so the two are equally hard before any transfer)',
  'digits-inverted':
    '**Inverted digits** = the same digits with every pixel inverted (1 − x: dark strokes on white; the bundled sample `digits-inverted`), a far domain for a network that only saw bright objects on black',
};

export function report(
  results: TargetResult[],
  list: Config[],
  settings: ExperimentSettings,
  meta: {
    command: string;
    seconds: number;
    backend: string;
    modelDir: string;
    card: string;
    /** Written as one `##` section of the document instead of the whole file. */
    section?: string;
  },
): string {
  const ks = [...new Set(results.map((r) => r.k))];
  const heading = meta.section ? '###' : '##';
  const targets = [...new Set(results.map((r) => r.target.id))];
  const lines = [
    meta.section ? `## ${meta.section}` : '# Teaching CNN: transfer table',
    '',
    `Generated by \`${meta.command}\` (scripts/teaching/experiment.ts) — do not edit by hand. Wall time ${(meta.seconds / 60).toFixed(1)} min on the ${meta.backend} backend (Node, 2 shared CPU cores).`,
    '',
    `- Pretrained model: \`${meta.modelDir}\` (${meta.card}).`,
    `- Targets (5 classes each): ${targets.map((t) => TARGET_NOTES[t] ?? t).join('; ')}.`,
    `- Training: every row is a layer plan of the studio (Frozen / Fine-tune / Re-initialize per layer, a new softmax head on the feature layer), trained by the studio's engine (\`trainWithPlan\`, src/training/engine.ts) exactly as the app trains it: the frozen prefix computed once per image, the head's input centred and scaled by the engine's own rule, Adam, batch ${settings.batchSize}, learning rate ${NEW_LR} for the head and Re-initialize layers and ${FINETUNE_LR} for Fine-tune layers (unless the row says otherwise). Re-initialize draws from the network's own seeded initializers, so *scratch* starts from the same weights for every seed; the seed varies the images, the head and the shuffling.`,
    `- Convergence: K training images per class and ${settings.validationPerClass} validation images per class, both drawn from each class's training pool (seeded). Early stopping on the validation loss (patience ${settings.patience} epochs, min Δ ${settings.minDelta}), the best epoch's weights kept, at most ${settings.epochs} epochs; the *kept epoch* column gives the median per target, and "(n capped)" marks seeds that reached ${settings.epochs} epochs without early stopping ending them (still improving: under-trained rather than converged).`,
    `- Test: ${settings.testPerClass} held-out images per class (${settings.testPerClass * 5} per target), never used for training and not among the bundled samples.`,
    `- Seeds ${settings.seeds.join(', ')}: each seed draws its own training and validation images, the new head's initial weights and the shuffling; all rows of a seed share its split (paired).`,
    '- Cells: test accuracy mean ± std over seeds; Δ = paired difference to scratch in percentage points, mean ± std; `*` = beyond seed noise (paired t-test, 95%).',
    '- Layer plan letters (conv1…conv5 · fc): F Frozen (pretrained, not trained), T Fine-tune (pretrained, trained), R Re-initialize (fresh weights, trained); – = after the feature layer (not used).',
    '- Seed noise: with 3 seeds a difference needs roughly 2–3 times its spread to pass the test; differences of 1–2 pp are usually within it.',
    `- Not in the default run (too slow for a default run on two shared cores), available with \`--only\` or \`--with\`: ${configs(
      teachingLayers(),
    )
      .filter((c) => c.optional)
      .map((c) => `\`${c.id}\``)
      .join(', ')}.`,
    '',
  ];
  for (const k of ks) {
    const rs = results.filter((r) => r.k === k);
    lines.push(`${heading} K = ${k} images per class`, '', table(rs, list), '');
    const fashion = rs.find((r) => r.target.id === 'fashion');
    const others = rs.filter((r) => r.target.id !== 'fashion');
    if (fashion && others.length > 0 && list.some((c) => c.id === 'freeze-0-fc-ft')) {
      lines.push(
        `${heading}# What the numbers say`,
        '',
        ...others
          .flatMap((other, i) => findings(fashion, other, list, i === 0))
          .filter((f, i, all) => all.indexOf(f) === i)
          .map((f) => `- ${f}`),
        '',
      );
    }
  }
  return lines.join('\n');
}

/** The digits with every pixel inverted (1 − x), as the bundled `digits-inverted` sample. */
function invert(c: ClassSplit): ClassSplit {
  const flip = (im: Float32Array) => im.map((v) => 1 - v);
  return { name: c.name, pool: c.pool.map(flip), test: c.test.map(flip) };
}

const TARGETS: Record<string, () => Target> = {
  fashion: () => ({
    id: 'fashion',
    label: 'Fashion',
    classes: FASHION_TARGET_CLASSES.map(loadFashionClass),
  }),
  digits: () => ({ id: 'digits', label: 'Digits', classes: DIGIT_CLASSES.map(loadDigitClass) }),
  'digits-inverted': () => ({
    id: 'digits-inverted',
    label: 'Inverted digits',
    classes: DIGIT_CLASSES.map(loadDigitClass).map(invert),
  }),
};

/** `doc` with the section `name` (between its markers) replaced by `body`, or appended. */
export function withSection(doc: string, name: string, body: string): string {
  const open = `<!-- section:${name} -->`;
  const close = `<!-- /section:${name} -->`;
  const block = `${open}\n${body.trim()}\n${close}\n`;
  const a = doc.indexOf(open);
  const b = doc.indexOf(close);
  if (a >= 0 && b > a) return doc.slice(0, a) + block + doc.slice(b + close.length + 1);
  return `${doc.trimEnd()}\n\n${block}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string' },
      k: { type: 'string' },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      'test-per-class': { type: 'string' },
      only: { type: 'string' },
      with: { type: 'string' },
      targets: { type: 'string', default: 'fashion,digits' },
      section: { type: 'string' },
      title: { type: 'string' },
      model: { type: 'string', default: 'public/models/teaching-cnn' },
      'validation-per-class': { type: 'string' },
      patience: { type: 'string' },
      out: { type: 'string', default: 'docs/teaching-transfer.md' },
    },
  });
  const ints = (s: string) => s.split(',').map((v) => Number.parseInt(v, 10));
  const settings: ExperimentSettings = {
    ...DEFAULT_SETTINGS,
    ...(values.seeds ? { seeds: ints(values.seeds) } : {}),
    ...(values.k ? { ks: ints(values.k) } : {}),
    ...(values.epochs ? { epochs: Number(values.epochs) } : {}),
    ...(values['batch-size'] ? { batchSize: Number(values['batch-size']) } : {}),
    ...(values['test-per-class'] ? { testPerClass: Number(values['test-per-class']) } : {}),
    ...(values['validation-per-class']
      ? { validationPerClass: Number(values['validation-per-class']) }
      : {}),
    ...(values.patience ? { patience: Number(values.patience) } : {}),
  };
  const t0 = performance.now();
  const backend = await useBackend('wasm');
  const pretrained = readArtifacts(values.model);
  const card = JSON.parse(readFileSync(`${values.model}/model-card.json`, 'utf8')) as {
    sourceTestAccuracy: number;
    trainingImagesPerClass: number;
    epochs: number;
  };
  const only = values.only?.split(',');
  const extra = values.with?.split(',') ?? [];
  const list = configs(teachingLayers()).filter((c) =>
    only ? c.id === 'scratch' || only.includes(c.id) : !c.optional || extra.includes(c.id),
  );
  const targets = values.targets.split(',').map((id) => {
    const target = TARGETS[id]?.();
    if (!target) throw new Error(`no target "${id}" (${Object.keys(TARGETS).join(', ')})`);
    return target;
  });
  const results: TargetResult[] = [];
  for (const k of settings.ks)
    for (const target of targets)
      results.push(
        await runTarget(pretrained, backend, target, k, settings, list, (l) => console.log(l)),
      );
  const seconds = (performance.now() - t0) / 1000;
  const quote = (a: string) => (/[\s"']/.test(a) ? `"${a}"` : a);
  const command = [
    'npm run experiment:teaching',
    ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2).map(quote)] : []),
  ].join(' ');
  const md = report(results, list, settings, {
    command,
    seconds,
    backend,
    modelDir: values.model,
    card: `source test accuracy ${(card.sourceTestAccuracy * 100).toFixed(1)}%, ${card.trainingImagesPerClass} images/class × ${card.epochs} epochs`,
    ...(values.section ? { section: values.title ?? values.section } : {}),
  });
  writeFileSync(
    values.out,
    values.section ? withSection(readFileSync(values.out, 'utf8'), values.section, md) : md + '\n',
  );
  console.log(md);
  console.log(`wrote ${values.out} in ${(seconds / 60).toFixed(1)} min`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
