/** What the studio measures inside a network: probe accuracies and feature maps. */

/**
 * Where a probe point's features come from: the raw pixels (the "no learning" baseline),
 * a layer up to the feature layer, or the network's top features — the deepest layer
 * before its own source head, which may lie past the feature layer (the teaching CNN's
 * `fc`); for a network without a head it is the feature layer itself.
 */
export type ProbeSource = 'pixels' | 'layer' | 'top';

/**
 * Nearest-centroid accuracy (0..1) of one kind of features over several seeded half/half
 * splits of the same images: fit on one half, scored on the other. Every point of one
 * probe shares the splits, in the same order, so points can be compared split by split.
 */
export interface ProbePoint {
  /** Layer name; `raw pixels` for the pixel baseline. */
  layer: string;
  source: ProbeSource;
  /** Position among the layers up to the top features, 0..1; 0 for the pixels. */
  depth: number;
  /** Accuracy on the scored half of each split, in split order. */
  splits: number[];
  /** Images per class the probe looked at (the smallest class). */
  perClass: number;
}

/** The layer name of the pixel baseline. */
export const PIXELS_LAYER = 'raw pixels';

/** Up to 16 channels of one layer's output, each scaled to 0..255 (row-major, side × side). */
export interface FeatureMaps {
  layer: string;
  path: string;
  width: number;
  height: number;
  /** Channels shown, out of `totalChannels`. */
  channels: Uint8Array[];
  totalChannels: number;
}

/** The probe reports its progress as steps out of this many (the bar's maximum). */
export const PROBE_PROGRESS_STEPS = 100;
