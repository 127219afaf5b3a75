/**
 * The reference material a teacher shows beside a run (DESIGN.md §1): the Yosinski et al.
 * numbers as data, so a freeze-depth sweep on the user's own data can be drawn against
 * them, and short, correct explanations of layer modes, learning rates, conservation
 * training and layer transfer.
 */
import { MODE_LABEL, type LayerMode } from '../domain';

export interface FreezeDepthPoint {
  /** Number of first layers copied from the source network. */
  n: number;
  /** Top-1 accuracy on the target half, %. */
  top1: number;
}

export interface TransferStudy {
  citation: string;
  setup: string;
  /** The target network trained from scratch, top-1 %. */
  baseline: number;
  /** First n layers copied and frozen, the rest trained (AnB in the paper). */
  frozen: readonly FreezeDepthPoint[];
  /** First n layers copied and fine-tuned (AnB+): the same range for every n = 1..7. */
  fineTuned: { min: number; max: number };
  /** On a dissimilar split (man-made vs natural classes), the frozen n = 7 drop is about this many times larger. */
  dissimilarDropFactor: number;
  takeaways: readonly string[];
}

/** Yosinski et al. 2014: the reference curve for "how many layers to freeze". */
export const YOSINSKI_2014: TransferStudy = {
  citation:
    'Yosinski, Clune, Bengio & Lipson 2014, "How transferable are features in deep neural networks?" (NeurIPS).',
  setup:
    'An AlexNet-style 8-layer network; ImageNet split into two halves (A and B) of 500 classes each. The first n layers come from a network trained on A, the rest are trained on B; top-1 accuracy on B.',
  baseline: 62.5,
  frozen: [
    { n: 1, top1: 62.8 },
    { n: 2, top1: 62.4 },
    { n: 3, top1: 61.9 },
    { n: 4, top1: 60.0 },
    { n: 5, top1: 57.8 },
    { n: 6, top1: 58.1 },
    { n: 7, top1: 54.3 },
  ],
  fineTuned: { min: 63.6, max: 64.7 },
  dissimilarDropFactor: 3,
  takeaways: [
    'Freezing the first one or two layers costs nothing: they compute generic features (edges, colour blobs) that suit any image task.',
    'Deeper frozen copies cost more: in the middle because neighbouring layers co-adapted during training and the retrained upper layers cannot relearn that fit alone, at the top because the features are specific to the source classes (62.5% → 54.3% at n = 7).',
    'Copied and fine-tuned, every depth beats training from scratch (63.6–64.7% vs 62.5%): the pretrained start keeps helping even with over 600,000 target images.',
    'The further apart the tasks, the less transfers: on a man-made vs natural split the frozen n = 7 drop is about three times larger. Even then, transferred features beat random ones.',
  ],
};

export interface ModeLesson {
  mode: LayerMode;
  label: string;
  text: string;
}

/** What each layer mode means, in the table's order. */
export const MODE_LESSONS: readonly ModeLesson[] = [
  {
    mode: 'frozen',
    label: MODE_LABEL.frozen,
    text: 'Copied from the pretrained network and not trained. A fixed feature extractor: safe with little data, and cheap, since a frozen prefix is computed once per image and cached. Its BatchNorm layers keep their stored statistics.',
  },
  {
    mode: 'fine-tune',
    label: MODE_LABEL['fine-tune'],
    text: 'Copied and trained further, at a small learning rate, so the features adapt to your data. Needs enough data or a conservation penalty; otherwise it overfits and forgets what it knew.',
  },
  {
    mode: 'reinit',
    label: MODE_LABEL.reinit,
    text: 'The layer keeps its shape, but its weights are reset to a fresh random start and trained from scratch at the head’s learning rate. For a layer whose features are too specific to the source task; nothing of it is transferred.',
  },
];

/** Learning-rate advice (DESIGN.md §1). */
export const LEARNING_RATE_LESSON = {
  fineTune: 1e-5,
  fromScratch: 1e-3,
  text: 'Fine-tune pretrained layers with a small learning rate (≈1e-5), so good weights are adjusted rather than destroyed by the first large, noisy gradients. A new head or re-initialised layers start from random weights and need ≈1e-3. Giving each group of layers its own rate (discriminative learning rates) generalises this; with plenty of dissimilar data, 1e-4 lets the pretrained weights move further.',
} as const;

/** Conservation training: stay close to the source model when the target data is small. */
export const CONSERVATION_LESSON = {
  l2sp: 'λ/2 · Σ‖w − w₀‖²',
  l2: 'λ/2 · Σ‖w‖²',
  text: 'With little target data, regularise toward the source model. L2-SP (Li, Grandvalet & Davoine 2018) pulls each transferred weight toward its pretrained value w₀, whereas plain L2 weight decay pulls it toward zero, which erases what was transferred. On small, similar data L2-SP gains several points (e.g. Stanford Dogs ≈81% → 88%); the gain fades with large or dissimilar data. A larger λ keeps more of the source task and adapts less to the new one.',
  outputForm:
    'Output form (Learning without Forgetting, Li & Hoiem 2016): keep the new model’s outputs or features close to the original model’s on the same inputs, a distillation term. It constrains what the network computes rather than where its weights sit.',
} as const;

/** Layer transfer: which layers to copy depends on the task. */
export const LAYER_TRANSFER_LESSON = {
  images:
    'Images: copy the first layers and retrain the last. Early layers detect edges, corners and textures that any image task needs; late layers are specific to the source classes.',
  speech:
    'Speech: often the opposite. Copy the last layers and retrain the first: the input layers absorb how a new speaker or microphone sounds, while the upper layers map to the same speech units.',
} as const;
