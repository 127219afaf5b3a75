/**
 * The reference material a teacher shows beside a run (DESIGN.md §1): the Yosinski et al.
 * numbers as data, so a freeze-depth sweep on the user's own data can be drawn against
 * them; what this studio's committed tables measured on its bundled networks; and short
 * explanations of layer modes, learning rates, conservation training and layer transfer.
 * A claim is either attributed to its paper or cites the committed table it comes from
 * (`lesson.test.ts` checks that every number quoted from a table is in it).
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
    'In their network, freezing the first one or two layers cost nothing: those layers compute generic features (edges, colour blobs).',
    'Deeper frozen copies cost more: in the middle because neighbouring layers co-adapted during training and the retrained upper layers cannot relearn that fit alone, at the top because the features are specific to the source classes (62.5% → 54.3% at n = 7).',
    'Copied and fine-tuned, every depth beat training from scratch (63.6–64.7% vs 62.5%), with over 600,000 target images.',
    'The further apart the tasks, the less transferred: on a man-made vs natural split the frozen n = 7 drop was about three times larger; even then, transferred features beat random ones.',
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
    text: 'Copied from the pretrained network and not trained. A fixed feature extractor: nothing in it can overfit, and it is cheap, since a frozen prefix is computed once per image and cached. Its BatchNorm layers keep their stored statistics. It is only as good as the source features are for your images (see what this studio measured, below).',
  },
  {
    mode: 'fine-tune',
    label: MODE_LABEL['fine-tune'],
    text: 'Copied and trained further, so the features adapt to your data. The weights move away from what the source task relied on, so the network loses part of its source task unless a conservation penalty holds them back (see what this studio measured, below).',
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
  text: 'The common advice for large pretrained networks: fine-tune pretrained layers with a small learning rate (≈1e-5), so good weights are adjusted rather than destroyed by the first large, noisy gradients; a new head or re-initialised layers start from random weights and need ≈1e-3. Giving each group of layers its own rate (discriminative learning rates) generalises this; with plenty of dissimilar data, 1e-4 lets the pretrained weights move further. The studio’s quadrant plans follow this advice; the teaching CNN’s committed tables fine-tune its 39,000 weights at 1e-3 (docs/teaching-transfer.md).',
} as const;

/** Conservation training: stay close to the source model when the target data is small. */
export const CONSERVATION_LESSON = {
  l2sp: 'λ/2 · Σ‖w − w₀‖²',
  l2: 'λ/2 · Σ‖w‖²',
  text: 'With little target data, regularise toward the source model. L2-SP (Li, Grandvalet & Davoine 2018) pulls each transferred weight toward its pretrained value w₀, whereas plain L2 weight decay pulls it toward zero, which erases what was transferred. In their experiments L2-SP gained several points on small, similar data (e.g. Stanford Dogs ≈81% → 88%), and the gain faded with large or dissimilar data. A larger λ keeps the network nearer its source task and lets it adapt less to the new one.',
  outputForm:
    'Output form (Learning without Forgetting, Li & Hoiem 2016): keep the new model’s outputs or features close to the original model’s on the same inputs, a distillation term. It constrains what the network computes rather than where its weights sit.',
} as const;

/** Layer transfer: which layers to copy depends on the task. */
export const LAYER_TRANSFER_LESSON = {
  images:
    'Images: copy the first layers and retrain the last (the usual practice, after Yosinski et al. 2014). Early layers detect edges, corners and textures that many image tasks share; late layers are specific to the source classes.',
  speech:
    'Speech: often the opposite (the usual practice in speaker adaptation). Copy the last layers and retrain the first: the input layers absorb how a new speaker or microphone sounds, while the upper layers map to the same speech units.',
} as const;

/** What this studio measured on its bundled networks, each with the committed table it comes from. */
export interface MeasuredLesson {
  title: string;
  text: string;
  /** The committed document (and section) the numbers come from. */
  source: string;
}

export const MEASURED_LESSONS: readonly MeasuredLesson[] = [
  {
    title: 'Teaching CNN: freezing costs little on similar data and a lot on different data',
    text: 'With 10 images per class and 3 seeds, the pretrained conv layers frozen under a new fc score −0.0 ± 2.3 pp against training from scratch on the Fashion target (similar) and −14.2 ± 4.0 pp on inverted digits (different). Fine-tuning every layer instead, the source fc included, is level with scratch on inverted digits (−1.4 ± 6.0 pp, within seed noise). No pretrained row beat scratch beyond seed noise: on centred 28×28 images a network trained from scratch is strong, so this world shows what freezing costs, not that pretraining wins.',
    source: 'docs/teaching-transfer.md, section K = 10',
  },
  {
    title: 'Photo backbone: pretrained features beat training from scratch by a wide margin',
    text: 'On the photo sample (85 training images, 3 seeds) the ImageNet network frozen under a new head scores 88.1 ± 5.5% on held-out photos; the same architecture trained from scratch with the studio’s defaults (every layer Re-initialize) stays at chance, 20.2 ± 2.1%. Fine-tuning its top block as well gives 86.9 ± 5.5%: with so few images it adds nothing. Even on digits, far from ImageNet, its pooled top features (87.5 ± 2.5%) beat features cut at a middle block (66.7 ± 8.8%).',
    source: 'docs/photo-scratch-vs-transfer.md',
  },
  {
    title: 'Teaching CNN: conservation trades target accuracy for memory of the source task',
    text: 'Fine-tuning every layer on 10 Fashion-target images per class (60 epochs, 3 seeds) left the source task at 74.9 ± 7.7% (97.8% before; how much is lost varies from seed to seed). With L2-SP at λ = 1 it kept 93.3 ± 4.1%, and the target scored 77.3 ± 1.9% instead of 80.6 ± 1.7%. The direction is the expected trade; with 3 seeds neither difference is beyond seed noise.',
    source: 'docs/teaching-transfer.md, section Conservation training',
  },
  {
    title: 'The similarity estimate is right or says it is unsure',
    text: 'Top features against raw pixels, over 10 half/half splits: on the teaching CNN −2.9 ± 2.9 pp on the Fashion target against −18.0 ± 4.2 pp on digits and −33.4 ± 4.3 pp on inverted digits (40 images per class); on the photo backbone +48.1 ± 1.7 pp on the photo sample against +12.2 ± 2.7 pp on digits. Where the line falls depends on the network, so each bundled network has its own threshold. At 40 images per class the verdict named the right relation in most draws and never the wrong one; at 10 per class it was mostly unsure.',
    source: 'docs/similarity-calibration.md',
  },
];
