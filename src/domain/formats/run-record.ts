/**
 * A run as the studio stores it and a project file carries it (`RunRecord`), and the
 * final report inside it: every field checked, so a damaged run is refused, not shown.
 */
import * as v from 'valibot';
import type { RunRecord, SkippedFile } from '..';
import { INPUT_SIZE_RANGE } from '../ranges';
import {
  bool,
  count,
  dictionary,
  finite,
  list,
  numberIn,
  object,
  share,
  text,
  TEXT_MAX,
} from './common';
import { layerPlan, trainParams } from './params';

const name = text();
const point = v.tuple([finite, finite], 'must be a pair of numbers');

export const epochMetrics = object({
  epoch: numberIn({ min: 1, max: 1_000_000, integer: true }),
  trainLoss: finite,
  trainAccuracy: share,
  valLoss: finite,
  valAccuracy: share,
});

/** The final report without the parts only the studio measures (projection, forgetting). */
export const evaluationEntries = {
  split: v.picklist(['test', 'validation'], 'must be "test" or "validation"'),
  classNames: list(name),
  accuracy: v.nullable(share),
  confusion: list(list(count)),
  perClass: list(
    object({ precision: v.nullable(share), recall: v.nullable(share), support: count }),
  ),
  misclassified: dictionary(list(text(TEXT_MAX))),
};

const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;

export const runRecord = object({
  id: text(undefined, true),
  status: v.picklist(
    ['running', 'done', 'stopped', 'interrupted', 'failed'],
    'must be "running", "done", "stopped", "interrupted" or "failed"',
  ),
  createdAt: count,
  model: name,
  modelId: name,
  resolution: numberIn(INPUT_SIZE_RANGE),
  dataset: name,
  plan: layerPlan,
  params: trainParams,
  weighted: count,
  frozen: count,
  fineTuned: count,
  reinitialized: count,
  epochs: list(epochMetrics),
  bestEpoch: count,
  valAccuracy: share,
  testAccuracy: v.nullable(share),
  stopped: bool,
  timings: v.nullable(
    object({
      images: count,
      featuresMs: finite,
      featuresBackend: v.nullable(v.picklist(BACKENDS, 'must be a backend name')),
      headMs: finite,
      headBackend: v.picklist(BACKENDS, 'must be a backend name'),
      frozenPrefixLayers: count,
      trainableParams: count,
    }),
  ),
  batches: list(object({ x: finite, loss: finite })),
  evaluation: v.nullable(
    object({
      ...evaluationEntries,
      projection: object({
        before: list(point),
        after: list(point),
        labels: list(count),
        featuresTrained: bool,
      }),
      forgetting: v.nullable(object({ before: share, after: share, images: count })),
    }),
  ),
  classNames: list(name),
});

/** Files a dataset could not use, and why. */
export const skippedFiles = list(
  object({
    path: text(TEXT_MAX),
    reason: text(TEXT_MAX),
    decodeFailure: v.optional(bool),
  }),
);

const sameRun = (r: v.InferOutput<typeof runRecord>): RunRecord => r;
const sameSkipped = (s: v.InferOutput<typeof skippedFiles>): SkippedFile[] => s;
void sameRun;
void sameSkipped;
