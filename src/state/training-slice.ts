import type { StateCreator } from 'zustand';
import {
  countModes,
  DEFAULT_PARAMS,
  type BatchPoint,
  type EpochMetrics,
  type LayerPlan,
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
  /** A run starts; `setup` when it is not the plan and parameters on screen (a sweep's runs). */
  startRun: (runId: string, setup?: RunSetup) => void;
  setFeaturesProgress: (done: number, total: number, cached: boolean) => void;
  addBatches: (points: BatchPoint[]) => void;
  addEpoch: (metrics: EpochMetrics) => void;
  finishRun: (end: RunEnd) => void;
  failRun: (message: string) => void;
  setDrift: (drift: Record<string, number>) => void;
  setEvaluation: (evaluation: Evaluation) => void;
  /** Runs read back from storage (replaces the list). */
  setRuns: (runs: RunRecord[]) => void;
  removeRun: (id: string) => void;
  /** Shows a stored run's curves, evaluation and numbers as if it had just finished. */
  openRun: (id: string) => void;
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

export interface RunSetup {
  plan: LayerPlan;
  params: TrainParams;
}

/** The record of a run starting now, from the studio's state. */
export function startRecord(
  s: StudioState,
  id: string,
  setup: RunSetup = { plan: s.plan, params: s.params },
): RunRecord {
  const counts = countModes(s.model?.layers ?? [], setup.plan);
  return {
    id,
    status: 'running',
    createdAt: Date.now(),
    model: s.model?.card.name ?? '',
    modelId: s.model?.card.id ?? '',
    resolution: s.model?.resolution ?? 0,
    dataset: s.datasetName ?? '',
    plan: setup.plan,
    params: setup.params,
    weighted: counts.weighted,
    frozen: counts.frozen,
    fineTuned: counts['fine-tune'],
    reinitialized: counts.reinit,
    epochs: [],
    bestEpoch: 0,
    valAccuracy: 0,
    testAccuracy: null,
    stopped: false,
    timings: null,
    batches: [],
    evaluation: null,
    classNames: s.classes.map((c) => c.name),
  };
}

/** Replaces the record `id` with `patch` applied (the list keeps its order). */
function patchRun(runs: RunRecord[], id: string | null, patch: Partial<RunRecord>): RunRecord[] {
  return runs.map((r) => (r.id === id ? { ...r, ...patch } : r));
}

export const trainingSlice: StateCreator<StudioState, [], [], TrainingSlice> = (set) => ({
  ...TRAINING_INITIAL,
  setParams: (patch) => set((s) => ({ params: { ...s.params, ...patch } })),
  startRun: (runId, setup) =>
    set((s) => ({
      ...RUN_INITIAL,
      runId,
      phase: 'features',
      runs: s.model ? [...s.runs, startRecord(s, runId, setup)] : s.runs,
    })),
  setFeaturesProgress: (done, total, cached) =>
    set({ features: { done, total, cached }, phase: done >= total ? 'training' : 'features' }),
  addBatches: (points) => set((s) => ({ batches: [...s.batches, ...points] })),
  addEpoch: (metrics) =>
    set((s) => {
      const epochs = [...s.epochs, metrics];
      return { epochs, runs: patchRun(s.runs, s.runId, { epochs, batches: s.batches }) };
    }),
  finishRun: (end) =>
    set((s) => ({
      phase: end.stopped ? 'stopped' : 'done',
      valAccuracy: s.epochs.length > 0 ? end.valAccuracy : null,
      bestEpoch: s.epochs.length > 0 ? end.bestEpoch : null,
      stoppedEarly: end.stoppedEarly,
      tensorCheck: end.tensors,
      timings: end.timings,
      runs:
        s.epochs.length > 0
          ? patchRun(s.runs, s.runId, {
              status: end.stopped ? 'stopped' : 'done',
              epochs: s.epochs,
              batches: s.batches,
              bestEpoch: end.bestEpoch,
              valAccuracy: end.valAccuracy,
              testAccuracy: s.evaluation?.accuracy ?? null,
              evaluation: s.evaluation,
              stopped: end.stopped,
              timings: end.timings,
            })
          : s.runs.filter((r) => r.id !== s.runId),
    })),
  failRun: (trainingError) =>
    set((s) => ({
      phase: 'error',
      trainingError,
      runs:
        s.epochs.length > 0
          ? patchRun(s.runs, s.runId, { status: 'failed', epochs: s.epochs, batches: s.batches })
          : s.runs.filter((r) => r.id !== s.runId),
    })),
  setDrift: (drift) => set({ drift }),
  setEvaluation: (evaluation) => set({ evaluation }),
  setRuns: (runs) => set({ runs }),
  removeRun: (id) => set((s) => ({ runs: s.runs.filter((r) => r.id !== id) })),
  openRun: (id) =>
    set((s) => {
      const r = s.runs.find((x) => x.id === id);
      if (!r) return {};
      return {
        ...RUN_INITIAL,
        runId: r.id,
        phase: r.status === 'stopped' ? 'stopped' : 'done',
        epochs: r.epochs,
        batches: r.batches,
        evaluation: r.evaluation,
        valAccuracy: r.epochs.length > 0 ? r.valAccuracy : null,
        bestEpoch: r.bestEpoch || null,
        timings: r.timings,
      };
    }),
});
