import type { StateCreator } from 'zustand';
import {
  countModes,
  DEFAULT_PARAMS,
  type BatchPoint,
  type EpochMetrics,
  type Evaluation,
  type RunEnd,
  type RunRecord,
  type RunTimings,
  type TrainParams,
} from '../domain';
import type { StudioState } from './store';

export type TrainingPhase = 'idle' | 'features' | 'training' | 'done' | 'stopped' | 'error';

export interface TrainingSlice {
  params: TrainParams;
  /** The run in progress or last finished (its job id). */
  runId: string | null;
  phase: TrainingPhase;
  features: { done: number; total: number; cached: boolean } | null;
  batches: BatchPoint[];
  epochs: EpochMetrics[];
  valAccuracy: number | null;
  /** The epoch whose weights were kept, and whether early stopping ended the run. */
  bestEpoch: number | null;
  stoppedEarly: boolean;
  trainingError: string | null;
  tensorCheck: { before: number; after: number } | null;
  timings: RunTimings | null;
  runs: RunRecord[];
  /** ‖w − w₀‖/‖w₀‖ per trained layer, after the latest epoch. */
  drift: Record<string, number>;
  evaluation: Evaluation | null;
  setParams: (patch: Partial<TrainParams>) => void;
  startRun: (runId: string) => void;
  setFeaturesProgress: (done: number, total: number, cached: boolean) => void;
  addBatches: (points: BatchPoint[]) => void;
  addEpoch: (metrics: EpochMetrics) => void;
  finishRun: (end: RunEnd) => void;
  failRun: (message: string) => void;
  setDrift: (drift: Record<string, number>) => void;
  setEvaluation: (evaluation: Evaluation) => void;
}

/** What a new run starts from. */
const RUN_INITIAL = {
  features: null,
  batches: [],
  epochs: [],
  valAccuracy: null,
  bestEpoch: null,
  stoppedEarly: false,
  trainingError: null,
  tensorCheck: null,
  timings: null,
  drift: {},
  evaluation: null,
} satisfies Partial<TrainingSlice>;

export const TRAINING_INITIAL = {
  ...RUN_INITIAL,
  params: DEFAULT_PARAMS,
  runId: null,
  phase: 'idle',
  runs: [],
} satisfies Partial<TrainingSlice>;

/** The record of the run that just finished, from the state at its end. */
export function runRecord(s: StudioState, end: RunEnd): RunRecord {
  const counts = countModes(s.model?.layers ?? [], s.plan);
  return {
    id: s.runId ?? String(s.runs.length + 1),
    model: s.model?.card.name ?? '',
    dataset: s.datasetName ?? '',
    plan: s.plan,
    params: s.params,
    weighted: counts.weighted,
    frozen: counts.frozen,
    fineTuned: counts['fine-tune'],
    reinitialized: counts.reinit,
    epochs: s.epochs,
    bestEpoch: end.bestEpoch,
    valAccuracy: end.valAccuracy,
    testAccuracy: s.evaluation?.accuracy ?? null,
    stopped: end.stopped,
    timings: end.timings,
  };
}

export const trainingSlice: StateCreator<StudioState, [], [], TrainingSlice> = (set) => ({
  ...TRAINING_INITIAL,
  setParams: (patch) => set((s) => ({ params: { ...s.params, ...patch } })),
  startRun: (runId) => set({ ...RUN_INITIAL, runId, phase: 'features' }),
  setFeaturesProgress: (done, total, cached) =>
    set({ features: { done, total, cached }, phase: done >= total ? 'training' : 'features' }),
  addBatches: (points) => set((s) => ({ batches: [...s.batches, ...points] })),
  addEpoch: (metrics) => set((s) => ({ epochs: [...s.epochs, metrics] })),
  finishRun: (end) =>
    set((s) => ({
      phase: end.stopped ? 'stopped' : 'done',
      valAccuracy: s.epochs.length > 0 ? end.valAccuracy : null,
      bestEpoch: s.epochs.length > 0 ? end.bestEpoch : null,
      stoppedEarly: end.stoppedEarly,
      tensorCheck: end.tensors,
      timings: end.timings,
      runs: s.epochs.length > 0 && s.model ? [...s.runs, runRecord(s, end)] : s.runs,
    })),
  failRun: (trainingError) => set({ phase: 'error', trainingError }),
  setDrift: (drift) => set({ drift }),
  setEvaluation: (evaluation) => set({ evaluation }),
});
