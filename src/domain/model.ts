/** Networks: what the studio knows about one, and where one comes from. */
import type { LayerInfo } from './layers';

/** What the studio knows about a network: from the catalog, or read off a dropped model. */
export interface ModelCard {
  id: string;
  name: string;
  source: 'bundled' | 'remote' | 'custom';
  /** Native input side in pixels. */
  inputSize: number;
  resolutions: number[];
  channels: 1 | 3;
  valueRange: [number, number];
  /**
   * Where a custom model's `valueRange` comes from: its metadata.json, its recognised
   * structure (Teachable Machine, Thaw export), the user's choice, or nowhere (assumed:
   * the user is asked). Absent for catalog models.
   */
  valueRangeFrom?: 'metadata' | 'recognised' | 'user' | 'assumed';
  /** Default layer to take features from; the layers after it are the dropped head. */
  featureLayer: string;
  provenanceSummary: string;
  provenance: string[];
  /** Class names of the source model's own head, in output order, when it is kept (forgetting). */
  sourceClasses?: string[];
  sourceSample?: string;
}

export interface ModelInfo {
  card: ModelCard;
  /** The input side the network is built for now. */
  resolution: number;
  totalParams: number;
  layers: LayerInfo[];
}

/** Where a model comes from. */
export type ModelSource =
  | { kind: 'catalog'; modelId: string; url: string }
  | { kind: 'url'; url: string }
  | { kind: 'files'; files: File[] };
