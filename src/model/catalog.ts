/** The models the studio offers. Pure data: names, provenance, input and feature layer. */

export interface CatalogEntry {
  id: string;
  name: string;
  /** Bundled models work offline; remote ones need the network; custom ones were dropped or pasted. */
  source: 'bundled' | 'remote' | 'custom';
  /** URL of a tfjs layers `model.json`; bundled models are served by the studio itself. */
  url: string;
  /** Square input side in pixels. */
  inputSize: number;
  /** Input sides the network can be rebuilt for (fully convolutional models); else just `inputSize`. */
  resolutions: number[];
  /** 3 = RGB, 1 = grayscale. */
  channels: 1 | 3;
  /** Pixel values the network expects. */
  valueRange: [number, number];
  /** Layer whose output is the feature vector; layers after it are the dropped head. */
  featureLayer: string;
  /** A model card (JSON) with measured facts, read when the model loads. */
  cardUrl?: string;
  /** Bundled sample of the source task's test images, to measure forgetting. */
  sourceSample?: string;
  /** One line for the collapsed model card. */
  provenanceSummary: string;
  /** What it was trained on and under which licence — shown on the model card. */
  provenance: string[];
}

export const CATALOG: readonly CatalogEntry[] = [
  {
    id: 'mobilenet-v2-035',
    name: 'MobileNetV2 α=0.35 · ImageNet (bundled)',
    source: 'bundled',
    url: '/models/mobilenet-v2-035/model.json',
    inputSize: 224,
    // 64 px: the size the quadrant tables were measured at (docs/quadrants.md; CIFAR-10's
    // 32 px photos upscaled twice), for small photos and large folders on a CPU.
    resolutions: [64, 96, 128, 160, 192, 224],
    channels: 3,
    valueRange: [-1, 1],
    featureLayer: 'global_average_pooling2d',
    provenanceSummary:
      'ImageNet weights of Keras MobileNetV2 α=0.35 (Apache-2.0) — the base network of every Teachable Machine image model.',
    provenance: [
      'Keras Applications MobileNetV2 (width 0.35, 224×224 RGB, pixels in [-1, 1]) with its ImageNet weights (Apache-2.0), float32, truncated at out_relu and globally pooled to 1280 features; 410,208 parameters.',
      'Taken from the base network of Teachable Machine image exports, which train only their head: the same 260 weight tensors (1,640,832 bytes, SHA-256 e159deb3afa15bc6…) were found byte-identical in 6 public exports from 5 independent repositories (matske2007/identify-aircraft, DiyaPatel6/ASL-Study-Buddy, danielcasto/AI-Hackathon-2022, carrie0925/AsiaStarMeter-model, jkorda20/DC_Fall-Week-4-Machine-Learning). Extracted by scripts/tm-backbone/extract.mjs; hashes in provenance.json beside the model.',
      'Features come from global_average_pooling2d (1280-d); out_relu is the 7×7×1280 map before it. Block boundaries are the block_N_add layers.',
    ],
  },
  {
    id: 'mobilenet-v2',
    name: 'MobileNetV2 1.0 (bundled)',
    source: 'bundled',
    url: '/models/mobilenet-v2/model.json',
    inputSize: 224,
    resolutions: [96, 128, 160, 224],
    channels: 3,
    valueRange: [0, 1],
    // Its top blocks were retrained for content moderation: the block-12 tap beats the final
    // pool by 13 points on the photo sample, beyond seed noise (docs/photo-accuracy.md).
    featureLayer: 'block_12_add',
    provenanceSummary:
      'ImageNet (blocks 0–10) + content-moderation retraining (blocks 11–16), via nsfwjs (MIT).',
    provenance: [
      'Keras MobileNetV2 (width 1.0, 224×224 RGB, pixels in [0, 1]) as shipped in the npm package nsfwjs 4.4.0 (MIT licence); Keras application weights are Apache-2.0.',
      'Blocks 0–10 carry the original ImageNet weights. Blocks 11–16 were further trained by the NSFWJS project on its own 5-class content-moderation images, so the top layers are tuned to that task, not to ImageNet.',
      'Weights are stored uint8-quantised (2.6 MB) and dequantised on load. Its 5-class head (dense_1…dense_3) is dropped; features come from block_12_add (pooled, 96-d), which beat flatten_1 (the 1280-d final pool) by 13 points on the photo sample (docs/photo-accuracy.md), because blocks 13–16 were retrained for content moderation.',
    ],
  },
  {
    id: 'teaching-cnn',
    name: 'Teaching CNN · 28 px grey (bundled)',
    source: 'bundled',
    url: '/models/teaching-cnn/model.json',
    cardUrl: '/models/teaching-cnn/model-card.json',
    sourceSample: 'fashion-source-test',
    inputSize: 28,
    resolutions: [28],
    channels: 1,
    valueRange: [0, 1],
    featureLayer: 'global_pool',
    provenanceSummary:
      'Pretrained by this studio on 5 Fashion-MNIST classes (MIT); a lesson runs in seconds.',
    provenance: [
      'A small CNN pretrained by this studio (npm run pretrain:teaching) on the Fashion-MNIST source classes T-shirt/top, Trouser, Coat, Sandal and Bag (Zalando Research, MIT licence).',
      'Transfer it to the other Fashion classes (similar domain) or to handwritten digits (different domain). Its 5-class head stays in the model, so the source task can be re-measured after fine-tuning: how much it forgot.',
    ],
  },
  {
    id: 'tm-mobilenet-v2',
    name: 'MobileNetV2 1.0 · Teachable Machine (remote)',
    source: 'remote',
    url: 'https://storage.googleapis.com/teachable-machine-models/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.00_224_no_top/model.json',
    inputSize: 224,
    resolutions: [224],
    channels: 3,
    valueRange: [-1, 1],
    featureLayer: 'out_relu',
    provenanceSummary: 'Keras ImageNet weights, hosted by Teachable Machine; needs the network.',
    provenance: [
      'Keras MobileNetV2 (width 1.0, 224×224) with ImageNet weights and no top, the base network of Teachable Machine, loaded from its public storage. Keras application weights are Apache-2.0.',
      'Features come from out_relu (7×7×1280) with global average pooling added.',
    ],
  },
  {
    id: 'tfjs-mobilenet-v1',
    name: 'MobileNet v1 0.25 · tfjs models (remote)',
    source: 'remote',
    url: 'https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.25_224/model.json',
    inputSize: 224,
    resolutions: [224],
    channels: 3,
    valueRange: [-1, 1],
    featureLayer: 'conv_pw_13_relu',
    provenanceSummary:
      'ImageNet MobileNet v1 (width 0.25) from the tfjs model storage; needs the network.',
    provenance: [
      'MobileNet v1 with width 0.25 trained on ImageNet, as published for the TensorFlow.js transfer-learning examples (Apache-2.0).',
      'Features come from conv_pw_13_relu (7×7×256) with global average pooling added.',
    ],
  },
];

/** The photo backbone: the best features per image of the bundled networks (docs/photo-accuracy.md). */
export const DEFAULT_MODEL_ID = 'mobilenet-v2-035';

export function catalogEntry(id: string): CatalogEntry | undefined {
  return CATALOG.find((e) => e.id === id);
}
