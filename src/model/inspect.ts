/** Reads a model's layer list — names, classes, output shapes, parameter counts — as plain data. */
import type * as tf from '@tensorflow/tfjs';
import type { LayerInfo } from '../domain';

function shapeText(shape: tf.Shape | tf.Shape[]): string {
  const one = (s: tf.Shape) =>
    s
      .slice(1)
      .map((d) => (d === null ? '?' : String(d)))
      .join('×');
  return Array.isArray(shape[0])
    ? (shape as tf.Shape[]).map(one).join(' | ')
    : one(shape as tf.Shape);
}

export function describeLayers(model: tf.LayersModel): Omit<LayerInfo, 'cutPoint'>[] {
  return model.layers.map((layer) => ({
    name: layer.name,
    className: layer.getClassName(),
    outputShape: shapeText(layer.outputShape),
    params: layer.countParams(),
  }));
}
