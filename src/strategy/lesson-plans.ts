/**
 * The parts of a lesson that are rules, not content: what a lesson is (its arms, the
 * comparison that states the claim), plans in the committed tables' letters, the training
 * every lesson shares, and the runs a lesson trains in order. The catalogue is `lessons.ts`.
 */
import {
  DEFAULT_PARAMS,
  type LayerMode,
  type LayerPlan,
  type PlanLayer,
  type TrainParams,
} from '../domain';
import { candidateDepths, planAtDepth } from './sweep';

/** What a lesson measures per run: accuracy on the target's held-out test images, or on the source task. */
export type LessonMetric = 'target' | 'source';

/** One plan a lesson trains, on one bundled sample, once per seed. */
export interface LessonArm {
  id: string;
  /** Short: it labels a bar. */
  label: string;
  /** The bundled sample it trains on (`SampleInfo.id`). */
  sample: string;
  plan: (layers: readonly PlanLayer[]) => LayerPlan;
  params: Partial<TrainParams>;
}

/** "`better` beats `worse` on `metric`" — the textbook claim as one comparison. */
export interface LessonComparison {
  better: string;
  worse: string;
  metric: LessonMetric;
  /** How the comparison reads in a sentence, e.g. "fine-tuning beat training from scratch". */
  says: string;
}

export type Verdict = 'held' | 'within-noise' | 'did-not-hold';

export interface Lesson {
  id: string;
  /** The button reads `Run lesson: <title>`. */
  title: string;
  /** The advice, as a textbook gives it. */
  claim: string;
  /** The setup in one line: network, data, how many images. */
  setup: string;
  modelId: string;
  seeds: number;
  arms: readonly LessonArm[];
  /** The first is the headline; the others are reported beside it. */
  comparisons: readonly LessonComparison[];
  /** Bars per arm: the target's test accuracy, and the source task's when forgetting matters. */
  metrics: readonly LessonMetric[];
  /** What the committed measurements say, citing the document (docs/….md). */
  table: string;
  /** The headline verdict the committed table found with the same setup, when it measured one. */
  expected: Verdict | null;
  /** What the lesson shows beyond the numbers (e.g. what a stand-in stands for); optional. */
  note?: string;
}

export const TEACHING_CNN = 'teaching-cnn';
/** The teaching CNN's pretrained body, in order (the committed tables' letters conv1…conv5 · fc). */
const BODY = ['conv1', 'conv2', 'conv3', 'conv4', 'conv5', 'fc'] as const;
const LETTER: Record<string, LayerMode> = { F: 'frozen', T: 'fine-tune', R: 'reinit' };

/**
 * A plan in the committed tables' letters: five for conv1…conv5 and one for fc (F Frozen,
 * T Fine-tune, R Re-initialize); fc `–` removes it and the head sits on global_pool.
 */
export function lettersPlan(conv: string, fc: 'F' | 'T' | 'R' | '–'): LayerPlan {
  const modes: Record<string, LayerMode> = {};
  [...conv].forEach((c, i) => (modes[BODY[i]!] = LETTER[c]!));
  if (fc !== '–') modes.fc = LETTER[fc]!;
  return { modes, featureLayer: fc === '–' ? 'global_pool' : 'fc' };
}

/** The layers a lesson's plans name: a network without them cannot run it. */
export const LESSON_LAYERS: readonly string[] = [...BODY, 'global_pool'];

/**
 * The training every lesson shares, as the committed teaching tables train: 10 training
 * images per class (a quarter of each 40-image class for validation, half held out for the
 * test), Adam, batch 10, 1e-3 for new and fine-tuned layers, early stopping (patience 10).
 */
export const LESSON_PARAMS: TrainParams = {
  ...DEFAULT_PARAMS,
  learningRate: 1e-3,
  fineTuneLearningRate: 1e-3,
  batchSize: 10,
  epochs: 60,
  validationFraction: 0.25,
  testFraction: 0.5,
  head: 'softmax',
  optimizer: 'adam',
  schedule: 'constant',
  conservation: 0,
  distillation: 0,
  augment: { flip: false, crop: false, brightness: false },
  batchNormTraining: false,
  earlyStopping: { enabled: true, patience: 10, minDelta: 1e-3 },
};

/** Fewest seeds a lesson runs: one seed cannot tell a difference from seed noise. */
export const LESSON_MIN_SEEDS = 2;
export const LESSON_MAX_SEEDS = 10;

/** The first seed of every lesson; seeds run 1, 2, 3, … like the committed tables'. */
export const LESSON_FIRST_SEED = 1;

/** An arm whose plan does not depend on the network's layers. */
export const fixed = (plan: LayerPlan) => () => plan;

/** A freeze depth of the sweep (frozen weighted layers), fc re-initialised above it. */
export function depthPlan(frozen: number) {
  return (layers: readonly PlanLayer[]): LayerPlan => {
    const base = lettersPlan('TTTTT', 'R');
    const depth = candidateDepths(layers, 'fc').find((d) => d.frozen === frozen);
    if (!depth) throw new Error(`This network has no block boundary after ${frozen} layers.`);
    return planAtDepth(layers, base, depth);
  };
}
/** One run a lesson will train: arm, seed, and the plan and parameters it sends. */
export interface LessonStep {
  armIndex: number;
  seed: number;
  sample: string;
  plan: LayerPlan;
  params: TrainParams;
}

/**
 * The runs of a lesson in order — grouped by sample so each is loaded once, then by arm, then
 * by seed. Every arm of a seed shares its split (`splitSeed` = seed), so arms pair by seed.
 */
export function lessonSteps(
  lesson: Lesson,
  layers: readonly PlanLayer[],
  seeds = lesson.seeds,
): LessonStep[] {
  const missing = LESSON_LAYERS.filter((name) => !layers.some((l) => l.name === name));
  if (missing.length > 0)
    throw new Error(`This lesson needs the teaching CNN's layers (${missing.join(', ')} missing).`);
  const plans = lesson.arms.map((arm) => arm.plan(layers));
  return lessonOrder(lesson, seeds).map(({ armIndex, seed }) => {
    const arm = lesson.arms[armIndex]!;
    return {
      armIndex,
      seed,
      sample: arm.sample,
      plan: plans[armIndex]!,
      params: { ...LESSON_PARAMS, ...arm.params, seed, splitSeed: seed },
    };
  });
}

/** Arm and seed of each run, in the order they train (by sample, then arm, then seed). */
export function lessonOrder(
  lesson: Lesson,
  seeds = lesson.seeds,
): { armIndex: number; seed: number }[] {
  const samples = [...new Set(lesson.arms.map((a) => a.sample))];
  return samples.flatMap((sample) =>
    lesson.arms.flatMap((arm, armIndex) =>
      arm.sample !== sample
        ? []
        : Array.from({ length: seeds }, (_, k) => ({
            armIndex,
            seed: LESSON_FIRST_SEED + k,
          })),
    ),
  );
}
