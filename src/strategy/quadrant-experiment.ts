/**
 * The quadrant experiment as pure bookkeeping: the arms it trains on the user's data (the
 * plan applied now, the chosen quadrant's textbook plan, Teachable Machine's recipe), the
 * same run trained once when two arms are the same plan, the order of the runs, the time
 * left, and the verdict of each arm against the applied plan from paired seeds (same split,
 * same test images): mean ± sd of the difference and a paired t-test at 95%.
 */
import { countModes, type LayerPlan, type TrainParams } from '../domain';
import { samePlan } from './layer-plan';
import { candidate } from './quadrant-candidates';
import { QUADRANT_PARAMS, quadrantPlan, type Quadrant } from './quadrant';
import type { StrategyLayer } from './quadrant-layers';
import { armsTimeLeft, meanSd, t95, type MeanSd } from './paired';

export type ArmId = 'applied' | 'textbook' | 'recipe';

export const ARM_LABEL: Readonly<Record<ArmId, string>> = {
  applied: 'Applied plan',
  textbook: 'Textbook plan',
  recipe: "Teachable Machine's recipe",
};

/**
 * Default seeds per arm, and the default cap on the epochs of a run that trains layers of the
 * network (early stopping may end it sooner). A head on cached features keeps its plan's
 * epochs: its epochs are cheap, and a head stopped short of converging would lose unfairly.
 */
export const EXPERIMENT_DEFAULT_SEEDS = 3;
export const EXPERIMENT_DEFAULT_MAX_EPOCHS = 15;

export interface ExperimentArm {
  id: ArmId;
  /** The arms this run stands for: its own id first, then the arms that are the same plan. */
  covers: ArmId[];
  plan: LayerPlan;
  /** Every run's parameters but its seeds. */
  params: TrainParams;
  /** The plan's own epochs, when the experiment's cap lowered them. */
  cappedFrom: number | null;
}

export interface ArmsInput {
  layers: readonly StrategyLayer[];
  /** The network's own feature layer (its card's), where the recipe and the quadrant plans take features. */
  featureLayer: string;
  quadrant: Quadrant;
  /** What is applied now: the store's plan and parameters. */
  plan: LayerPlan;
  params: TrainParams;
  /** No run that trains layers of the network (fine-tunes or re-initializes) trains more epochs than this; null: no cap. */
  maxEpochs: number | null;
}

/** Whether two set-ups train the same run: same plan, same parameters that act on that plan (seeds aside). */
export function sameSetup(
  layers: readonly StrategyLayer[],
  a: { plan: LayerPlan; params: TrainParams },
  b: { plan: LayerPlan; params: TrainParams },
): boolean {
  if (!samePlan(layers, a.plan, b.plan)) return false;
  const fineTunes = countModes(layers, a.plan)['fine-tune'] > 0;
  const key = (p: TrainParams) => {
    // Seeds differ run by run; the rest act on fine-tuned layers only.
    const seeds = { seed: 0, splitSeed: undefined };
    const idle = { fineTuneLearningRate: 0, conservation: 0, batchNormTraining: false };
    return canonical(fineTunes ? { ...p, ...seeds } : { ...p, ...seeds, ...idle });
  };
  return key(a.params) === key(b.params);
}

/** JSON with every object's keys sorted, so equal settings give equal text. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/**
 * The arms, in the order applied, textbook, recipe; an arm that is the same run as an
 * earlier one is not trained again but listed in that arm's `covers`. The textbook and
 * recipe arms keep the applied run's other settings (batch size, split, optimizer,
 * augmentation, early stopping) and take their plan's rates, head and epochs.
 */
export function experimentArms(input: ArmsInput): ExperimentArm[] {
  const { layers, featureLayer, quadrant, params } = input;
  const textbook = quadrantPlan(quadrant, [...layers], featureLayer);
  const recipe = candidate('recipe', layers, featureLayer);
  if (!recipe) throw new Error('This network has no layer for a head on its features.');
  const { batchNormTraining, ...recipeParams } = recipe.params;
  const setups: { id: ArmId; plan: LayerPlan; params: TrainParams }[] = [
    { id: 'applied', plan: input.plan, params },
    {
      id: 'textbook',
      plan: textbook.plan,
      // The textbook plans keep batch-norm statistics fixed, as `Apply textbook plan` does.
      params: { ...params, ...textbook.params, batchNormTraining: false },
    },
    {
      id: 'recipe',
      plan: recipe.plan,
      params: {
        ...params,
        ...recipeParams,
        batchNormTraining,
        epochs: QUADRANT_PARAMS['small-similar'].epochs,
      },
    },
  ];
  const arms: ExperimentArm[] = [];
  for (const s of setups) {
    const cap = input.maxEpochs;
    const modes = countModes(layers, s.plan);
    const trainsLayers = modes['fine-tune'] + modes.reinit > 0;
    const capped = cap !== null && trainsLayers && s.params.epochs > cap;
    const run = {
      plan: s.plan,
      params: capped ? { ...s.params, epochs: cap } : s.params,
    };
    const same = arms.find((a) => sameSetup(layers, a, run));
    if (same) same.covers.push(s.id);
    else
      arms.push({ id: s.id, covers: [s.id], ...run, cappedFrom: capped ? s.params.epochs : null });
  }
  return arms;
}

/** The label of an arm that stands for several: "Textbook plan = Teachable Machine's recipe". */
export const armLabel = (arm: Pick<ExperimentArm, 'covers'>): string =>
  arm.covers.map((id) => ARM_LABEL[id]).join(' = ');

/** One run to train: arm `armIndex` with `seed`, on the split of `splitSeed`. */
export interface ExperimentStep {
  armIndex: number;
  seed: number;
  plan: LayerPlan;
  params: TrainParams;
}

/**
 * Seed by seed, every arm in turn: an experiment stopped half-way still has whole pairs to
 * compare. Seeds are `params.seed`, +1, +2…; the split is the first seed's for every run.
 */
export function experimentSteps(
  arms: readonly ExperimentArm[],
  seedCount: number,
): ExperimentStep[] {
  const steps: ExperimentStep[] = [];
  const first = arms[0]?.params.seed ?? 0;
  for (let k = 0; k < seedCount; k++)
    arms.forEach((arm, armIndex) =>
      steps.push({
        armIndex,
        seed: first + k,
        plan: arm.plan,
        params: { ...arm.params, seed: first + k, splitSeed: first },
      }),
    );
  return steps;
}

/** One finished run of the experiment. Accuracies are fractions. */
export interface ExperimentRun {
  armIndex: number;
  seed: number;
  runId: string;
  valAccuracy: number;
  /** Accuracy on the held-out test images; null when the split keeps none. */
  testAccuracy: number | null;
  seconds: number;
}

/** The score compared: test accuracy, or validation accuracy when the split has no test images. */
export const scoreOf = (r: ExperimentRun): number => r.testAccuracy ?? r.valAccuracy;

export type ArmVerdict = 'better' | 'within-noise' | 'worse' | 'too-few';

export interface PairedDifference extends MeanSd {
  /** Half-width of the 95% interval of the mean difference (t · sd/√n); Infinity with one pair. */
  margin: number;
  verdict: ArmVerdict;
}

/**
 * Paired difference a − b, value by value (the same seed and split on both sides), and a
 * paired t-test at 95%: better or worse when the mean difference lies beyond t · sd/√n,
 * else within noise. Identical differences (sd 0) that are not 0 count as beyond noise.
 * Fewer than two pairs cannot be told apart from noise: `too-few`.
 */
export function paired(a: readonly number[], b: readonly number[]): PairedDifference | null {
  if (a.length !== b.length)
    throw new Error(`Paired values differ in number: ${a.length} and ${b.length}.`);
  const d = meanSd(a.map((v, i) => v - b[i]!));
  if (!d) return null;
  if (d.n < 2) return { ...d, margin: Infinity, verdict: 'too-few' };
  const margin = (t95(d.n - 1) * d.sd) / Math.sqrt(d.n);
  const beyond = margin === 0 ? Math.abs(d.mean) > 1e-12 : Math.abs(d.mean) > margin;
  return { ...d, margin, verdict: beyond ? (d.mean > 0 ? 'better' : 'worse') : 'within-noise' };
}

export interface ArmResult {
  arm: ExperimentArm;
  label: string;
  /** Score (test accuracy, else validation) over its seeds. */
  score: MeanSd | null;
  seconds: number | null;
  /** Against the applied plan, over the seeds both finished; null for the applied arm itself. */
  vsApplied: PairedDifference | null;
}

/** Per arm: its score over seeds and its paired difference against the applied plan's arm (index 0). */
export function experimentResults(
  arms: readonly ExperimentArm[],
  runs: readonly ExperimentRun[],
): ArmResult[] {
  const byArm = (i: number) =>
    new Map(runs.filter((r) => r.armIndex === i).map((r) => [r.seed, r]));
  const applied = byArm(0);
  return arms.map((arm, i) => {
    const mine = byArm(i);
    const values = [...mine.values()];
    const seeds = [...mine.keys()].filter((s) => applied.has(s));
    return {
      arm,
      label: armLabel(arm),
      score: meanSd(values.map(scoreOf)),
      seconds: meanSd(values.map((r) => r.seconds))?.mean ?? null,
      vsApplied:
        i === 0
          ? null
          : paired(
              seeds.map((s) => scoreOf(mine.get(s)!)),
              seeds.map((s) => scoreOf(applied.get(s)!)),
            ),
    };
  });
}

/** Seconds left in the runs still to come (`armsTimeLeft`). */
export const experimentTimeLeft = armsTimeLeft;

/** How a sentence names an arm. */
const ARM_NOUN: Readonly<Record<ArmId, string>> = {
  applied: 'the applied plan',
  textbook: 'the textbook plan',
  recipe: "Teachable Machine's recipe",
};

/** The sentence that says which arms are one and the same run, or null when all differ. */
export function sameRunNote(arms: readonly ExperimentArm[]): string | null {
  const parts = arms
    .filter((a) => a.covers.length > 1)
    .map((a) => {
      const [own, ...others] = a.covers.map((id) => ARM_NOUN[id]);
      return `${own} is ${others.join(' and ')}`;
    });
  if (parts.length === 0) return null;
  const sentence = parts.join('; ');
  return `${sentence[0]!.toUpperCase()}${sentence.slice(1)}: it is trained once.`;
}
