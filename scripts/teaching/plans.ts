/**
 * The rows of the teaching transfer table as the studio's own layer plans: per layer a
 * `LayerMode` (Frozen / Fine-tune / Re-initialize) and a feature layer where the studio's
 * new head sits, built with the plan editor's helpers (src/strategy/layer-plan.ts).
 */
import type { LayerMode, LayerPlan, PlanLayer } from '../../src/domain';
import { freezeUpTo, setMode, takeFeaturesFrom } from '../../src/strategy/layer-plan';
import { CONV_LAYERS } from './model';

/** The layers whose mode a row sets, in order; the studio's head is always new. */
export const BODY_LAYERS = [...CONV_LAYERS, 'fc'] as const;

export interface Config {
  id: string;
  label: string;
  plan: LayerPlan;
  /** Frozen layers keep seeded *random* weights instead of the pretrained ones (a control). */
  randomWeights?: boolean;
  /** `TrainParams.fineTuneLearningRate` of this row. */
  fineTuneLearningRate: number;
  /** Left out unless named with `--only` or `--with`. */
  optional?: boolean;
}

/** Learning rate of the new head and Re-initialize layers. */
export const NEW_LR = 1e-3;
/**
 * One rate for Fine-tune layers too: this network has 39,000 weights and fine-tunes well at
 * 1e-3; `ft-all-gentle` measures 1e-4.
 */
export const FINETUNE_LR = 1e-3;
export const GENTLE_LR = 1e-4;

const FROZEN_WORD = [
  'nothing frozen',
  'conv1 frozen',
  'conv1–2 frozen',
  'conv1–3 frozen',
  'conv1–4 frozen',
  'conv1–5 frozen',
];

/**
 * conv1..conv`depth` Frozen and the rest Fine-tune (the plan editor's "freeze up to"),
 * features from `featureLayer`. Depth 0 freezes up to the input layer: nothing.
 */
function frozenThrough(
  layers: readonly PlanLayer[],
  depth: number,
  featureLayer: string,
): LayerPlan {
  const upTo = depth === 0 ? layers[0]!.name : CONV_LAYERS[depth - 1]!;
  const inUse = layers.slice(0, layers.findIndex((l) => l.name === featureLayer) + 1);
  return takeFeaturesFrom(freezeUpTo(inUse, { modes: {}, featureLayer }, upTo), featureLayer);
}

function sweepRow(
  layers: readonly PlanLayer[],
  depth: number,
  fc: LayerMode,
  optional: boolean,
): Config {
  const rest = depth === 0 ? 'conv1–5' : depth === 4 ? 'conv5' : `conv${depth + 1}–5`;
  const parts = [
    FROZEN_WORD[depth],
    depth < 5 ? `fine-tune ${rest}` : '',
    `fc ${fc === 'reinit' ? 're-init' : 'fine-tuned'}`,
  ];
  return {
    id: `freeze-${depth}-fc-${fc === 'reinit' ? 'reinit' : 'ft'}`,
    label: parts.filter(Boolean).join(', '),
    plan: setMode(frozenThrough(layers, depth, 'fc'), 'fc', fc),
    fineTuneLearningRate: FINETUNE_LR,
    ...(optional ? { optional } : {}),
  };
}

/** Every row: scratch, a freeze-depth sweep × {fc fine-tuned, fc re-init}, heads at other layers, controls. */
export function configs(layers: readonly PlanLayer[]): Config[] {
  const lr = FINETUNE_LR;
  const scratch = BODY_LAYERS.reduce((plan, name) => setMode(plan, name, 'reinit'), {
    modes: {},
    featureLayer: 'fc',
  } as LayerPlan);
  const sweep = [0, 1, 2, 4, 5].flatMap((depth) =>
    (['fine-tune', 'reinit'] as const).map((fc) => sweepRow(layers, depth, fc, depth === 1)),
  );
  return [
    {
      id: 'scratch',
      label: 'scratch (all layers random, trained)',
      plan: scratch,
      fineTuneLearningRate: lr,
    },
    ...sweep,
    {
      id: 'head-on-fc',
      label: 'conv1–5 + fc frozen, new head only',
      plan: setMode(frozenThrough(layers, 5, 'fc'), 'fc', 'frozen'),
      fineTuneLearningRate: lr,
    },
    {
      id: 'head-on-pool',
      label: 'conv1–5 frozen, head on global_pool (fc removed)',
      plan: frozenThrough(layers, 5, 'global_pool'),
      fineTuneLearningRate: lr,
    },
    {
      id: 'ft-all-pool',
      label: 'nothing frozen, fine-tune conv1–5, head on global_pool (fc removed)',
      plan: frozenThrough(layers, 0, 'global_pool'),
      fineTuneLearningRate: lr,
      optional: true,
    },
    {
      id: 'ft-upper-pool',
      label: 'conv1–2 frozen, fine-tune conv3–5, head on global_pool (fc removed)',
      plan: frozenThrough(layers, 2, 'global_pool'),
      fineTuneLearningRate: lr,
      optional: true,
    },
    {
      id: 'head-on-conv3',
      label: 'conv1–3 frozen, head on conv3 pooled (conv4–5, fc removed)',
      plan: frozenThrough(layers, 3, 'conv3'),
      fineTuneLearningRate: lr,
      optional: true,
    },
    {
      id: 'random-frozen',
      label: 'control: *random* conv1–5 frozen, fc re-init',
      plan: setMode(frozenThrough(layers, 5, 'fc'), 'fc', 'reinit'),
      randomWeights: true,
      fineTuneLearningRate: lr,
    },
    {
      id: 'ft-all-gentle',
      label: `nothing frozen, fc fine-tuned, pretrained layers at LR ${GENTLE_LR}`,
      plan: frozenThrough(layers, 0, 'fc'),
      fineTuneLearningRate: GENTLE_LR,
      optional: true,
    },
  ];
}

/** How many of conv1…conv5, fc a feature layer keeps. */
const KEPT_LAYERS: Readonly<Record<string, number>> = {
  conv1: 1,
  pool1: 2,
  conv2: 2,
  conv3: 3,
  conv4: 4,
  pool2: 4,
  conv5: 5,
  global_pool: 5,
  fc: 6,
};

const LETTER: Record<LayerMode, string> = { frozen: 'F', 'fine-tune': 'T', reinit: 'R' };

/** "FFTTT · R": the mode of conv1…conv5 · fc; – for a layer after the feature layer (removed). */
export function planLetters(plan: LayerPlan): string {
  const cut = KEPT_LAYERS[plan.featureLayer] ?? BODY_LAYERS.length;
  const letters = BODY_LAYERS.map((name, i) =>
    i < cut ? LETTER[plan.modes[name] ?? 'frozen'] : '–',
  );
  return `${letters.slice(0, 5).join('')} · ${letters[5]}`;
}
