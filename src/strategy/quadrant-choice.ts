/**
 * What the quadrant picker applies: on a network with a committed table for the quadrant
 * (docs/quadrants.md), the row that table chose (`measuredPlan`); elsewhere the seed's
 * textbook plan (`quadrantPlan`). The textbook plan stays one click away, and both come
 * with the numbers the document measured for them, so a class can try either knowingly.
 */
import type { LayerPlan } from '../domain';
import { samePlan } from './layer-plan';
import { mean } from './paired';
import { quadrantEvidence, quadrantPlan, type Quadrant } from './quadrant';
import type { PlanParams, StrategyLayer } from './quadrant-layers';
import {
  chooseRow,
  measuredPlan,
  quadrantTable,
  rowAccuracy,
  rowDelta,
  type QuadrantTable,
  type TableRow,
} from './quadrant-table';

export const QUADRANT_DOC = 'docs/quadrants.md';

export interface AppliedParams extends PlanParams {
  batchNormTraining: boolean;
  batchSize?: number;
}

export interface QuadrantChoice {
  plan: LayerPlan;
  params: AppliedParams;
  /** One or two sentences: what is trained and why, naming the layers. */
  reason: string;
  /** `measured`: the table's choice; `textbook`: the seed's rule. */
  source: 'measured' | 'textbook';
  /** What the committed document measured for this plan, or null when nothing was. */
  measured: string | null;
}

const lr = (x: number) => x.toExponential();

function tableLine(t: QuadrantTable): string {
  const domain = t.domain.replace(/`/g, '');
  return `${QUADRANT_DOC}, ${domain}, ${t.perClass} training images per class, ${t.seeds} seeds`;
}

function rowLine(row: TableRow): string {
  const capped =
    row.capped > 0 ? ` (${row.capped} of ${row.test.length} runs reached the epoch cap)` : '';
  return `${rowAccuracy(row)} on held-out images${capped}`;
}

/** The plan the picker applies for `q` on network `modelId`. */
export function appliedQuadrantPlan(
  q: Quadrant,
  modelId: string,
  layers: StrategyLayer[],
  defaultFeatureLayer: string,
  opts?: { suggestedCut?: string },
): QuadrantChoice {
  const m = measuredPlan(q, modelId, layers, defaultFeatureLayer);
  if (!m) return textbookQuadrantPlan(q, modelId, layers, defaultFeatureLayer, opts);
  const { table, row } = m;
  const textbook = table.rows.find((r) => r.id === table.textbook);
  const recipe = table.rows.find((r) => r.id === 'recipe');
  const best = table.rows.find((r) => r.id === chooseRow(table.rows).best)!;
  const trained = Object.keys(m.plan.modes).length;
  const what =
    trained === 0
      ? `every layer up to ${m.plan.featureLayer} stays Frozen and a new ${m.params.head === 'svm' ? 'linear SVM' : 'softmax'} head is trained on its cached features (LR ${lr(m.params.learningRate)})`
      : `${trained} weighted layers train under a new softmax head on ${m.plan.featureLayer} (${row.label}; head LR ${lr(m.params.learningRate)})`;
  const why =
    best.id === row.id
      ? 'the best row of its table'
      : `the cheapest row within seed noise of the best, ${best.label} (${rowAccuracy(best)})`;
  const parts = [
    `${tableLine(table)}: this plan scored ${rowLine(row)}.`,
    textbook && textbook.id !== row.id
      ? `The textbook plan scored ${rowLine(textbook)}, ${rowDelta(textbook, row)} against it.`
      : textbook
        ? 'It is also the textbook plan.'
        : '',
    recipe && recipe.id !== row.id
      ? `Teachable Machine's recipe scored ${rowAccuracy(recipe)}.`
      : '',
  ];
  return {
    plan: m.plan,
    params: {
      ...m.params,
      batchNormTraining: row.id === 'scratch',
      batchSize: table.batchSize,
    },
    reason: `Measured on this network: ${what}, up to ${m.params.epochs} epochs with early stopping — ${why}.`,
    source: 'measured',
    measured: parts.filter(Boolean).join(' '),
  };
}

/** The seed's textbook plan for `q`, with what the committed document measured for it. */
export function textbookQuadrantPlan(
  q: Quadrant,
  modelId: string,
  layers: StrategyLayer[],
  defaultFeatureLayer: string,
  opts?: { suggestedCut?: string },
): QuadrantChoice {
  const made = quadrantPlan(q, layers, defaultFeatureLayer, opts);
  const table = quadrantTable(modelId, q);
  const row = table?.rows.find((r) => r.id === table.textbook);
  let measured: string | null = quadrantEvidence(q, modelId);
  if (table && row) {
    const chosen = table.rows.find((r) => r.id === chooseRow(table.rows).chosen)!;
    measured =
      `${tableLine(table)}: the textbook plan scored ${rowLine(row)}` +
      (chosen.id !== row.id
        ? `; the measured choice (${chosen.label}) ${rowAccuracy(chosen)}, ${rowDelta(row, chosen)} for the textbook plan.`
        : ', and it is the measured choice.');
  }
  return {
    plan: made.plan,
    params: { ...made.params, batchNormTraining: false, batchSize: table?.batchSize },
    reason: made.reason,
    source: 'textbook',
    measured,
  };
}

/**
 * Why `plan` is what it is, when it is quadrant `q`'s applied or textbook plan on this
 * network; null once the plan was edited away from both.
 */
export function quadrantChoiceReason(
  q: Quadrant,
  modelId: string,
  layers: StrategyLayer[],
  defaultFeatureLayer: string,
  plan: LayerPlan,
): string | null {
  for (const suggestedCut of [undefined, plan.featureLayer]) {
    for (const make of [appliedQuadrantPlan, textbookQuadrantPlan]) {
      let made: QuadrantChoice;
      try {
        made = make(q, modelId, layers, defaultFeatureLayer, { suggestedCut });
      } catch {
        return null; // a network without the default feature layer has no quadrant plan
      }
      if (samePlan(layers, made.plan, plan)) return made.reason;
    }
  }
  return null;
}

/** Mean test accuracy of a table row (for charts and tests). */
export const rowMean = (row: TableRow): number => mean(row.test);
