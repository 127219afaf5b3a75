/**
 * The candidate plans the quadrant tables compare (docs/quadrants.md), built from any
 * network's layer list: Teachable Machine's recipe, heads at two mid cuts (softmax and
 * linear SVM), freeze-early + fine-tune-upper at two depths, fine-tuning everything at
 * three rates and with L2-SP, and training from scratch. The experiment
 * (`scripts/quadrants/experiment.ts`) trains exactly these plans, and the picker applies
 * the one its table chose, so what the studio applies is what was measured.
 * Cuts and freeze lines fall on block boundaries (cut points), never inside a block.
 */
import type { LayerMode, LayerPlan } from '../domain';
import type { PlanParams, StrategyLayer } from './quadrant-layers';
import { blockBoundaryNear, featureIndex } from './quadrant-layers';

export type CandidateId =
  | 'recipe'
  | 'head-low-softmax'
  | 'head-low-svm'
  | 'head-high-softmax'
  | 'head-high-svm'
  | 'ft-upper-high'
  | 'ft-upper-low'
  | 'ft-all-1e-5'
  | 'ft-all-1e-4'
  | 'ft-all-1e-3'
  | 'ft-all-l2sp'
  | 'scratch';

export const CANDIDATE_IDS: readonly CandidateId[] = [
  'recipe',
  'head-low-softmax',
  'head-low-svm',
  'head-high-softmax',
  'head-high-svm',
  'ft-upper-high',
  'ft-upper-low',
  'ft-all-1e-5',
  'ft-all-1e-4',
  'ft-all-1e-3',
  'ft-all-l2sp',
  'scratch',
];

/**
 * Epoch cap of a head on cached features in the quadrant tables (early stopping ends it
 * sooner): the applied recipe and the quadrant experiment's recipe train this long at most.
 */
export const HEAD_EPOCHS = 300;

/** Where the two mid cuts and the two freeze lines sit, as fractions of the weighted depth. */
export const LOW_DEPTH = 0.6;
export const HIGH_DEPTH = 0.85;
/** Rate of the fine-tuned upper layers in the freeze-early rows. */
export const UPPER_RATE = 1e-4;
/** L2-SP strength of the `ft-all-l2sp` row (the textbook plan's λ for large, similar data). */
export const L2SP_LAMBDA = 0.01;
/** Rates of the small grid for fine-tuning everything; `ft-all-l2sp` uses the one validation picks. */
export const GRID_RATES = [1e-4, 1e-3] as const;

export interface Candidate {
  id: CandidateId;
  /** One line for the table and the picker. */
  label: string;
  plan: LayerPlan;
  params: Omit<PlanParams, 'epochs'> & { batchNormTraining: boolean };
  /** Only a head trains on cached features (cheap); otherwise layers of the network train. */
  headOnly: boolean;
}

function modesBetween(
  layers: readonly StrategyLayer[],
  from: number,
  to: number,
  mode: LayerMode,
): Record<string, LayerMode> {
  const modes: Record<string, LayerMode> = {};
  for (let i = from; i <= to; i++) if (layers[i]!.params > 0) modes[layers[i]!.name] = mode;
  return modes;
}

const HEAD = { learningRate: 1e-3, fineTuneLearningRate: 1e-5, conservation: 0 };

/**
 * Candidate `id` on the network `layers` whose pooled feature layer is
 * `defaultFeatureLayer`; `gridRate` is the fine-tune rate validation chose for
 * `ft-all-l2sp` (defaults to the larger grid rate's neighbour, 1e-4). Null when the
 * network is too shallow for the candidate's cut.
 */
export function candidate(
  id: CandidateId,
  layers: readonly StrategyLayer[],
  defaultFeatureLayer: string,
  gridRate: number = GRID_RATES[0],
): Candidate | null {
  const end = featureIndex(layers, defaultFeatureLayer);
  const feature = layers[end]!.name;
  const low = blockBoundaryNear(layers, end, LOW_DEPTH);
  const high = blockBoundaryNear(layers, end, HIGH_DEPTH);
  const frozenHead = (at: number, head: 'softmax' | 'svm', label: string): Candidate => ({
    id,
    label,
    plan: { modes: {}, featureLayer: layers[at]!.name },
    params: { ...HEAD, head, batchNormTraining: false },
    headOnly: true,
  });
  const fineTune = (
    from: number,
    rate: number,
    conservation: number,
    label: string,
  ): Candidate => ({
    id,
    label,
    plan: { modes: modesBetween(layers, from, end, 'fine-tune'), featureLayer: feature },
    params: {
      ...HEAD,
      fineTuneLearningRate: rate,
      conservation,
      head: 'softmax',
      batchNormTraining: false,
    },
    headOnly: false,
  });
  switch (id) {
    case 'recipe':
      return frozenHead(
        end,
        'softmax',
        `all frozen, softmax head on ${feature} (Teachable Machine's recipe)`,
      );
    case 'head-low-softmax':
    case 'head-low-svm':
    case 'head-high-softmax':
    case 'head-high-svm': {
      const at = id.startsWith('head-low') ? low : high;
      if (at === null) return null;
      const svm = id.endsWith('svm');
      return frozenHead(
        at,
        svm ? 'svm' : 'softmax',
        `all frozen, ${svm ? 'linear SVM' : 'softmax'} head on ${layers[at]!.name}`,
      );
    }
    case 'ft-upper-low':
    case 'ft-upper-high': {
      const at = id === 'ft-upper-low' ? low : high;
      if (at === null) return null;
      return fineTune(
        at + 1,
        UPPER_RATE,
        0,
        `frozen up to ${layers[at]!.name}, the rest fine-tuned at ${UPPER_RATE.toExponential()}, softmax head on ${feature}`,
      );
    }
    case 'ft-all-1e-5':
    case 'ft-all-1e-4':
    case 'ft-all-1e-3': {
      const rate = Number(id.slice('ft-all-'.length));
      return fineTune(
        0,
        rate,
        0,
        `every layer fine-tuned at ${rate.toExponential()}, softmax head on ${feature}`,
      );
    }
    case 'ft-all-l2sp':
      return fineTune(
        0,
        gridRate,
        L2SP_LAMBDA,
        `every layer fine-tuned at ${gridRate.toExponential()} with L2-SP λ = ${L2SP_LAMBDA}, softmax head on ${feature}`,
      );
    case 'scratch':
      return {
        id,
        label: `every layer re-initialized (from scratch), softmax head on ${feature}`,
        plan: { modes: modesBetween(layers, 0, end, 'reinit'), featureLayer: feature },
        params: { ...HEAD, head: 'softmax', batchNormTraining: true },
        headOnly: false,
      };
  }
}
