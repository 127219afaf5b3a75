/**
 * The studio's one store, built from slices (zustand slices pattern), one per file. It
 * holds numbers and strings only; the app wires the worker client's answers into it, the
 * UI reads it with selectors and calls its actions.
 */
import { create } from 'zustand';
import { BACKEND_INITIAL, backendSlice, type BackendSlice } from './backend-slice';
import { DATASET_INITIAL, datasetSlice, type DatasetSlice } from './dataset-slice';
import { LR_FIND_INITIAL, lrFindSlice, type LrFindSlice } from './lr-find-slice';
import { LESSONS_INITIAL, lessonsSlice, type LessonsSlice } from './lessons-slice';
import { MODEL_INITIAL, modelSlice, type ModelSlice } from './model-slice';
import { PREDICT_INITIAL, predictSlice, type PredictSlice } from './predict-slice';
import {
  QUADRANT_EXPERIMENT_INITIAL,
  quadrantExperimentSlice,
  type QuadrantExperimentSlice,
} from './quadrant-experiment-slice';
import { SWEEP_INITIAL, sweepSlice, type SweepSlice } from './sweep-slice';
import { STORAGE_INITIAL, storageSlice, type StorageSlice } from './storage-slice';
import { STRATEGY_INITIAL, strategySlice, type StrategySlice } from './strategy-slice';
import { TRAINING_INITIAL, trainingSlice, type TrainingSlice } from './training-slice';

export type { TrainingPhase } from './training-slice';
export type StudioState = BackendSlice &
  ModelSlice &
  DatasetSlice &
  TrainingSlice &
  StrategySlice &
  StorageSlice &
  SweepSlice &
  PredictSlice &
  LessonsSlice &
  LrFindSlice &
  QuadrantExperimentSlice;

export const useStudio = create<StudioState>()((...a) => ({
  ...backendSlice(...a),
  ...modelSlice(...a),
  ...datasetSlice(...a),
  ...trainingSlice(...a),
  ...strategySlice(...a),
  ...storageSlice(...a),
  ...sweepSlice(...a),
  ...predictSlice(...a),
  ...lessonsSlice(...a),
  ...lrFindSlice(...a),
  ...quadrantExperimentSlice(...a),
}));

/** Back to a fresh studio (tests; a new project). */
export function resetStudio(): void {
  useStudio.setState({
    ...BACKEND_INITIAL,
    ...MODEL_INITIAL,
    ...DATASET_INITIAL,
    ...TRAINING_INITIAL,
    ...STRATEGY_INITIAL,
    ...STORAGE_INITIAL,
    ...SWEEP_INITIAL,
    ...PREDICT_INITIAL,
    ...LESSONS_INITIAL,
    ...LR_FIND_INITIAL,
    ...QUADRANT_EXPERIMENT_INITIAL,
  });
}
