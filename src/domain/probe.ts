/** What the studio measures inside a network: probe accuracies and feature maps. */

/** Nearest-centroid probe accuracy (0..1) of the pooled features at one layer, pretrained and random weights. */
export interface ProbePoint {
  layer: string;
  /** Position of the layer among the layers up to the feature layer, 0..1. */
  depth: number;
  pretrained: number;
  random: number;
}

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
