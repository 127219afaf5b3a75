/**
 * The four transfer-learning situations (dataset size × similarity to the source data)
 * and the default layer plan each one implies (DESIGN.md §1), for whichever network is
 * loaded. Cuts and freeze boundaries fall only on cut points (block boundaries), never
 * inside a residual block, so the frozen part can be cached and nothing is cut mid-block.
 */
import { allFrozen, type LayerMode, type LayerPlan } from '../domain';
import { nearestCutPoint, samePlan } from './layer-plan';
import { HEAD_EPOCHS } from './quadrant-candidates';
import {
  blockBoundaryNear,
  featureIndex,
  innerCutPoints,
  type PlanParams,
  type StrategyLayer,
} from './quadrant-layers';

export type Quadrant = 'small-similar' | 'large-similar' | 'small-different' | 'large-different';

export interface QuadrantInfo {
  id: Quadrant;
  /** The radio label in the quadrant picker (UI-CONTRACT). */
  label: string;
  /** What to do and why, for a class of students. */
  explanation: string;
}

/**
 * In the picker's order. Each explanation is the textbook rule (DESIGN.md §1, with its
 * sources); what the committed tables measured on the loaded network is in
 * `QUADRANT_EVIDENCE`, shown beside it.
 */
export const QUADRANTS: readonly QuadrantInfo[] = [
  {
    id: 'small-similar',
    label: 'Small dataset, similar domain',
    explanation:
      'You have few images, and they look like the ones the network was trained on. The textbook plan: its features already describe images like yours, so keep the whole network frozen, drop its last layer, and use the rest as a fixed feature extractor; only a small new classifier (softmax or a linear SVM) is trained on its features, with a learning rate of about 1e-3. Fine-tuning many weights on a handful of examples risks overfitting. Because nothing in the network changes, each image goes through it once and its features are cached, so training takes seconds.',
  },
  {
    id: 'large-similar',
    label: 'Large dataset, similar domain',
    explanation:
      'You have many images, similar to the source data. The textbook plan: with this much data overfitting is less of a worry, so fine-tune every layer — start from the pretrained weights and keep training them by back-propagation together with a new head. Use a small learning rate for the pretrained layers (about 1e-5) so that good weights are adjusted rather than destroyed, and a larger one (about 1e-3) for the new head, which starts from random weights.',
  },
  {
    id: 'small-different',
    label: 'Small dataset, different domain',
    explanation:
      'You have few images, and they look unlike the source data. The textbook plan: fine-tuning would risk overfitting, and the top layers are specialised to the source task, while the early and middle layers compute more generic features (edges, corners, textures, simple parts; Yosinski et al. 2014). So cut the network at an intermediate block, keep what is left frozen, and train a linear SVM or softmax classifier on the features from there. If you have a little more data, a variant is to freeze the early layers and fine-tune the upper ones.',
  },
  {
    id: 'large-different',
    label: 'Large dataset, different domain',
    explanation:
      'You have many images, unlike the source data. That is enough to train the network from scratch; the textbook advice is still to start from the pretrained weights (on ImageNet halves, Yosinski et al. 2014 found copied-and-fine-tuned layers beat training from scratch at every depth). So fine-tune the whole pretrained network, with a somewhat larger learning rate for the pretrained layers than in the similar case (about 1e-4, since the weights have further to move) and about 1e-3 for the new head.',
  },
];

export type { PlanParams, StrategyLayer } from './quadrant-layers';

/**
 * Per-quadrant hyper-parameters.
 * - LRs: DESIGN.md §1 — 1e-3 for a new head, 1e-5 to fine-tune on similar data, 1e-4 on
 *   different data (the weights have further to move).
 * - Epochs: in the small quadrants only a head trains on cached features, so an epoch costs
 *   milliseconds but has only a few batches (100 images ≈ 6 batches of 16); at most
 *   HEAD_EPOCHS (300), ended by early stopping — the head-only rows of docs/quadrants.md kept
 *   epochs far past 50 (the same cap the tables gave them). Fine-tuning runs the whole network per epoch on a large dataset: 10
 *   epochs at 1e-5, 15 at 1e-4 where the weights must move further.
 * - Conservation: L2-SP acts only on fine-tuned weights, so it is 0 where all is frozen.
 *   Large-similar gets a small λ = 0.01: "large" starts at a few hundred images per class,
 *   still little for millions of weights, and the similar source weights are worth staying
 *   near (on the teaching CNN, λ = 0.01 kept source accuracy at 88% instead of 81% for
 *   −2.6 pp on the target at 20 images/class; with more data the pull matters less).
 *   Large-different gets 0: the source weights are only a starting point, and L2-SP's gain
 *   fades on dissimilar data (DESIGN.md §1).
 * - Head: softmax where the features fit (probabilities for the confusion view); a linear
 *   SVM on intermediate features with few images, where a max-margin L2-regularised head
 *   generalises better from few points in many dimensions (CNN features + linear SVM:
 *   Razavian et al. 2014, "CNN features off-the-shelf").
 */
export const QUADRANT_PARAMS: Readonly<Record<Quadrant, PlanParams>> = {
  'small-similar': {
    learningRate: 1e-3,
    fineTuneLearningRate: 1e-5,
    epochs: HEAD_EPOCHS,
    conservation: 0,
    head: 'softmax',
  },
  'large-similar': {
    learningRate: 1e-3,
    fineTuneLearningRate: 1e-5,
    epochs: 10,
    conservation: 0.01,
    head: 'softmax',
  },
  'small-different': {
    learningRate: 1e-3,
    fineTuneLearningRate: 1e-5,
    epochs: HEAD_EPOCHS,
    conservation: 0,
    head: 'svm',
  },
  'large-different': {
    learningRate: 1e-3,
    fineTuneLearningRate: 1e-4,
    epochs: 15,
    conservation: 0,
    head: 'softmax',
  },
};

/** Where an intermediate cut is aimed when no probe suggests one: ~60% of the weighted depth. */
export const INTERMEDIATE_DEPTH = 0.6;

/**
 * The intermediate cut for small-different: a usable `suggested` layer (snapped to a cut
 * point, with weights below it, before the feature layer), else the block boundary nearest
 * ~60% of the weighted depth (any cut point when the network has no residual blocks).
 * Null when the network is too shallow to cut below its feature layer.
 */
function intermediateCut(
  layers: readonly StrategyLayer[],
  end: number,
  suggested: string | undefined,
): { at: number; suggested: boolean } | null {
  const inside = innerCutPoints(layers, end);
  if (suggested !== undefined) {
    const snapped = layers.findIndex((l) => l.name === nearestCutPoint(layers, suggested));
    if (snapped >= 0 && inside.includes(snapped)) return { at: snapped, suggested: true };
  }
  const at = blockBoundaryNear(layers, end, INTERMEDIATE_DEPTH);
  return at === null ? null : { at, suggested: false };
}

/** Every weighted layer up to `end` in `mode`; layers after it are cut away and left unset. */
function modesUpTo(
  layers: readonly StrategyLayer[],
  end: number,
  mode: LayerMode,
): Record<string, LayerMode> {
  const modes: Record<string, LayerMode> = {};
  layers.forEach((l, i) => {
    if (i <= end && l.params > 0) modes[l.name] = mode;
  });
  return modes;
}

function countWeighted(layers: readonly StrategyLayer[], end: number): number {
  return layers.slice(0, end + 1).filter((l) => l.params > 0).length;
}

/** 0.001 → "1e-3": learning rates read as powers of ten. */
const lr = (x: number) => x.toExponential();

/**
 * The default plan of a quadrant on the loaded network (DESIGN.md §1), with its
 * hyper-parameters and a one- or two-sentence reason that names the layers chosen.
 * `suggestedCut` (from the layer probe) places the small-different cut when it is usable.
 */
export function quadrantPlan(
  q: Quadrant,
  layers: StrategyLayer[],
  defaultFeatureLayer: string,
  opts?: { suggestedCut?: string },
): { plan: LayerPlan; params: PlanParams; reason: string } {
  const params = { ...QUADRANT_PARAMS[q] };
  const end = featureIndex(layers, defaultFeatureLayer);
  const feature = layers[end]!.name;
  const n = countWeighted(layers, end);
  const head = `a new ${params.head === 'svm' ? 'linear SVM' : 'softmax'} head`;
  switch (q) {
    case 'small-similar':
      return {
        plan: allFrozen(feature),
        params,
        reason: `Few images of a familiar kind: all ${n} weighted layers up to ${feature} stay Frozen and ${head} is trained on ${feature}'s cached features (LR ${lr(params.learningRate)}, ${params.epochs} epochs), so only the head can fit your images.`,
      };
    case 'large-similar':
    case 'large-different': {
      const similar = q === 'large-similar';
      const weighted = layers.slice(0, end + 1).filter((l) => l.params > 0);
      const span =
        weighted.length > 0
          ? `from ${weighted[0]!.name} to ${weighted[weighted.length - 1]!.name}`
          : `up to ${feature}`;
      const conservation =
        params.conservation > 0
          ? `, with L2-SP λ = ${params.conservation} keeping them near the pretrained weights`
          : '';
      const why = similar
        ? 'A small LR adjusts the pretrained weights rather than overwriting them.'
        : 'Every layer starts from its pretrained weights (not from scratch), and the larger LR lets them move further.';
      return {
        plan: { modes: modesUpTo(layers, end, 'fine-tune'), featureLayer: feature },
        params,
        reason: `All ${n} weighted layers ${span} are fine-tuned at LR ${lr(params.fineTuneLearningRate)}${conservation}, and ${head} on ${feature} at ${lr(params.learningRate)} (${params.epochs} epochs). ${why}`,
      };
    }
    case 'small-different': {
      const cut = intermediateCut(layers, end, opts?.suggestedCut);
      if (!cut) {
        return {
          plan: allFrozen(feature),
          params,
          reason: `The network is too shallow to cut below ${feature}, so all its layers stay Frozen and ${head} is trained on ${feature} (LR ${lr(params.learningRate)}, ${params.epochs} epochs).`,
        };
      }
      const name = layers[cut.at]!.name;
      const where = cut.suggested
        ? 'the layer asked for'
        : `the block boundary nearest ${Math.round(INTERMEDIATE_DEPTH * 100)}% of the depth`;
      return {
        plan: allFrozen(name),
        params,
        reason: `Few images unlike the source: features come from ${name} (${where}), below the most source-specific layers; the ${countWeighted(layers, cut.at)} weighted layers up to it stay Frozen and everything after it up to ${feature} is cut away. ${head[0]!.toUpperCase()}${head.slice(1)} is trained on them (LR ${lr(params.learningRate)}, ${params.epochs} epochs): a max-margin, L2-regularised linear classifier, the textbook choice for few examples in many dimensions.`,
      };
    }
  }
}

/**
 * Why `plan` is what it is, when it is quadrant `q`'s own plan on this network: that plan's
 * reason; null once the plan was edited away from it. The quadrant's cut may have come from
 * the probe, so the plan's own feature layer is tried as the suggested cut too.
 */
export function quadrantReason(
  q: Quadrant,
  layers: StrategyLayer[],
  defaultFeatureLayer: string,
  plan: LayerPlan,
): string | null {
  for (const suggestedCut of [undefined, plan.featureLayer]) {
    let made: ReturnType<typeof quadrantPlan>;
    try {
      made = quadrantPlan(q, layers, defaultFeatureLayer, { suggestedCut });
    } catch {
      return null; // a network without the default feature layer has no quadrant plan
    }
    if (samePlan(layers, made.plan, plan)) return made.reason;
  }
  return null;
}

/**
 * What earlier committed tables measured for the textbook plans on a network that has no
 * quadrant table in docs/quadrants.md (catalog id → quadrant → one or two sentences citing
 * the table and its rows). The networks the quadrant tables cover take their numbers from
 * there (quadrant-choice.ts); a network or quadrant missing everywhere has no committed
 * measurement, and the panel says so.
 * `quadrant.test.ts` checks that every number quoted here is in the cited document.
 */
export const QUADRANT_EVIDENCE: Readonly<Record<string, Partial<Record<Quadrant, string>>>> = {
  'mobilenet-v2': {
    'small-similar':
      'docs/photo-accuracy.md, 3 seeds, photo sample: this plan (a head on block_12_add, the catalog’s feature layer for this network) scores 79.8 ± 5.5%, +13.1 ± 4.1 pp against a head on the pooled top (flatten_1): this network’s top blocks were retrained for content moderation and do worse on photos than its middle blocks.',
    'small-different':
      'No committed table measures this plan’s cut (block_7_add) or a far target on this network; the nearest row, a softmax head at block_9_add on the photo sample, scores 75.0 ± 6.2% against 79.8 ± 5.5% at block_12_add (docs/photo-accuracy.md).',
  },
};

/** The committed measurement behind a quadrant's plan on a network, or null when none exists. */
export function quadrantEvidence(q: Quadrant, modelId: string): string | null {
  return QUADRANT_EVIDENCE[modelId]?.[q] ?? null;
}
