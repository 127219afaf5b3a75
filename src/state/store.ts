/**
 * The studio's one store, built from slices (zustand slices pattern). It holds numbers
 * and strings only; the worker client writes to it, the UI reads it and calls actions.
 */
import { create, type StateCreator } from 'zustand';
import type {
  BackendChoice,
  BackendReport,
  BatchPoint,
  ClassCount,
  EpochMetrics,
  Evaluation,
  FeatureMaps,
  ModelInfo,
  ProbePoint,
  RunTimings,
  SkippedFile,
  TrainParams,
} from '../training/protocol';
import { DEFAULT_MODEL_ID } from '../model/catalog';
import { DEFAULT_PARAMS } from '../training/defaults';
import { allFrozen, type Plan } from '../strategy/layer-plan';
import { DEFAULT_SIZE_THRESHOLD } from '../strategy/estimate';

export interface BackendSlice {
  backendChoice: BackendChoice;
  backend: BackendReport | null;
  backendError: string | null;
  setBackendChoice: (choice: BackendChoice) => void;
  setBackendReport: (report: BackendReport | null, error?: string | null) => void;
}

export interface ModelSlice {
  /** The model chosen in the picker (may still be loading). */
  modelId: string;
  /** The model that is loaded and usable. */
  model: ModelInfo | null;
  modelLoading: boolean;
  modelError: string | null;
  /** The layer plan for the loaded model. */
  plan: Plan;
  setModelLoading: (modelId: string) => void;
  setModel: (info: ModelInfo) => void;
  /** A failed load keeps the previous model: the picker goes back to it. */
  setModelError: (message: string) => void;
  setPlan: (plan: Plan) => void;
}

export interface DatasetSlice {
  datasetName: string | null;
  classes: ClassCount[];
  skipped: SkippedFile[];
  decoding: { done: number; total: number } | null;
  datasetError: string | null;
  setDatasetLoading: (name: string, total: number) => void;
  setDecodeProgress: (done: number, total: number) => void;
  setDataset: (classes: ClassCount[], skipped: SkippedFile[]) => void;
  setDatasetError: (message: string) => void;
}

export type TrainingPhase = 'idle' | 'features' | 'training' | 'done' | 'stopped' | 'error';

export interface TrainingSlice {
  params: TrainParams;
  runId: string | null;
  phase: TrainingPhase;
  features: { done: number; total: number; cached: boolean } | null;
  batches: BatchPoint[];
  epochs: EpochMetrics[];
  valAccuracy: number | null;
  trainingError: string | null;
  tensorCheck: { before: number; after: number } | null;
  timings: RunTimings | null;
  runs: RunSummary[];
  /** ‖w − w₀‖/‖w₀‖ per trained layer, after the latest epoch. */
  drift: Record<string, number>;
  evaluation: Evaluation | null;
  setParams: (patch: Partial<TrainParams>) => void;
  startRun: (runId: string) => void;
  setFeaturesProgress: (done: number, total: number, cached: boolean) => void;
  addBatches: (points: BatchPoint[]) => void;
  addEpoch: (metrics: EpochMetrics) => void;
  finishRun: (
    stopped: boolean,
    valAccuracy: number,
    tensors: { before: number; after: number },
    timings: RunTimings | null,
  ) => void;
  failRun: (message: string) => void;
  setDrift: (drift: Record<string, number>) => void;
  setEvaluation: (evaluation: Evaluation) => void;
}

export interface StrategySlice {
  probe: {
    status: 'idle' | 'running' | 'done' | 'error';
    points: ProbePoint[];
    error: string | null;
    runId: string | null;
  };
  /** Images per class from which a dataset counts as large (adjustable). */
  sizeThreshold: number;
  quadrant: string | null;
  /** Networks probed so far (pretrained, then random): 0..2. */
  probeProgress: number;
  featureMaps: { maps: FeatureMaps | null; error: string | null };
  setFeatureMaps: (maps: FeatureMaps | null, error: string | null) => void;
  setProbe: (patch: Partial<StrategySlice['probe']>) => void;
  setSizeThreshold: (n: number) => void;
  setQuadrant: (q: string | null) => void;
}

/** A finished run, kept for comparison in this session. */
export interface RunSummary {
  id: string;
  model: string;
  dataset: string;
  /** Weighted layers Frozen, of all weighted layers up to the feature layer. */
  frozen: number;
  weighted: number;
  fineTuned: number;
  reinitialized: number;
  featureLayer: string;
  head: 'softmax' | 'svm';
  conservation: number;
  epochs: number;
  valAccuracy: number;
  testAccuracy: number | null;
  stopped: boolean;
}

export type StudioState = BackendSlice & ModelSlice & DatasetSlice & TrainingSlice & StrategySlice;

function summarize(s: StudioState, valAccuracy: number, stopped: boolean): RunSummary {
  const layers = s.model?.layers ?? [];
  const end = layers.findIndex((l) => l.name === s.plan.featureLayer);
  const weighted = layers.filter((l, i) => l.params > 0 && (end < 0 || i <= end));
  const count = (mode: string) =>
    weighted.filter((l) => (s.plan.modes[l.name] ?? 'frozen') === mode).length;
  return {
    id: s.runId ?? String(s.runs.length + 1),
    model: s.model?.card.name ?? '',
    dataset: s.datasetName ?? '',
    frozen: count('frozen'),
    weighted: weighted.length,
    fineTuned: count('fine-tune'),
    reinitialized: count('reinit'),
    featureLayer: s.plan.featureLayer,
    head: s.params.head,
    conservation: s.params.conservation,
    epochs: s.epochs.length,
    valAccuracy,
    testAccuracy: s.evaluation?.accuracy ?? null,
    stopped,
  };
}

const strategySlice: StateCreator<StudioState, [], [], StrategySlice> = (set) => ({
  probe: { status: 'idle', points: [], error: null, runId: null },
  sizeThreshold: DEFAULT_SIZE_THRESHOLD,
  quadrant: null,
  probeProgress: 0,
  featureMaps: { maps: null, error: null },
  setFeatureMaps: (maps, error) => set({ featureMaps: { maps, error } }),
  setProbe: (patch) =>
    set((s) => ({
      probe: { ...s.probe, ...patch },
      probeProgress: patch.status === 'running' ? 0 : s.probeProgress,
    })),
  setSizeThreshold: (sizeThreshold) => set({ sizeThreshold }),
  setQuadrant: (quadrant) => set({ quadrant }),
});

export { DEFAULT_PARAMS };

const backendSlice: StateCreator<StudioState, [], [], BackendSlice> = (set) => ({
  backendChoice: 'auto',
  backend: null,
  backendError: null,
  setBackendChoice: (backendChoice) => set({ backendChoice, backendError: null }),
  setBackendReport: (backend, backendError = null) => set({ backend, backendError }),
});

const modelSlice: StateCreator<StudioState, [], [], ModelSlice> = (set) => ({
  modelId: DEFAULT_MODEL_ID,
  model: null,
  modelLoading: false,
  modelError: null,
  plan: allFrozen(''),
  setModelLoading: (modelId) => set({ modelId, modelLoading: true, modelError: null }),
  setModel: (model) =>
    set((s) => ({
      model,
      modelId: model.card.id,
      modelLoading: false,
      modelError: null,
      // Same network again (e.g. another resolution): keep the user's plan.
      plan:
        s.model?.card.id === model.card.id && s.plan.featureLayer
          ? s.plan
          : allFrozen(model.card.featureLayer),
      probe: { status: 'idle', points: [], error: null, runId: null },
    })),
  setModelError: (modelError) =>
    set((s) => ({ modelLoading: false, modelError, modelId: s.model?.card.id ?? s.modelId })),
  setPlan: (plan) => set({ plan }),
});

const datasetSlice: StateCreator<StudioState, [], [], DatasetSlice> = (set) => ({
  datasetName: null,
  classes: [],
  skipped: [],
  decoding: null,
  datasetError: null,
  setDatasetLoading: (datasetName, total) =>
    set({
      datasetName,
      decoding: { done: 0, total },
      datasetError: null,
      classes: [],
      skipped: [],
    }),
  setDecodeProgress: (done, total) => set({ decoding: { done, total } }),
  setDataset: (classes, skipped) =>
    set({
      classes,
      skipped,
      decoding: null,
      datasetError: null,
      probe: { status: 'idle', points: [], error: null, runId: null },
      quadrant: null,
    }),
  setDatasetError: (datasetError) => set({ datasetError, decoding: null }),
});

const trainingSlice: StateCreator<StudioState, [], [], TrainingSlice> = (set) => ({
  params: DEFAULT_PARAMS,
  runId: null,
  phase: 'idle',
  features: null,
  batches: [],
  epochs: [],
  valAccuracy: null,
  trainingError: null,
  tensorCheck: null,
  timings: null,
  runs: [],
  drift: {},
  evaluation: null,
  setParams: (patch) => set((s) => ({ params: { ...s.params, ...patch } })),
  startRun: (runId) =>
    set({
      runId,
      phase: 'features',
      features: null,
      batches: [],
      epochs: [],
      valAccuracy: null,
      trainingError: null,
      tensorCheck: null,
      timings: null,
      drift: {},
      evaluation: null,
    }),
  setFeaturesProgress: (done, total, cached) =>
    set({ features: { done, total, cached }, phase: done >= total ? 'training' : 'features' }),
  addBatches: (points) => set((s) => ({ batches: [...s.batches, ...points] })),
  addEpoch: (metrics) => set((s) => ({ epochs: [...s.epochs, metrics] })),
  finishRun: (stopped, valAccuracy, tensorCheck, timings) =>
    set((s) => ({
      phase: stopped ? 'stopped' : 'done',
      valAccuracy: s.epochs.length > 0 ? valAccuracy : null,
      tensorCheck,
      timings,
      runs:
        s.epochs.length > 0 && s.model ? [...s.runs, summarize(s, valAccuracy, stopped)] : s.runs,
    })),
  failRun: (trainingError) => set({ phase: 'error', trainingError }),
  setDrift: (drift) => set({ drift }),
  setEvaluation: (evaluation) => set({ evaluation }),
});

export const useStudio = create<StudioState>()((...a) => ({
  ...backendSlice(...a),
  ...modelSlice(...a),
  ...datasetSlice(...a),
  ...trainingSlice(...a),
  ...strategySlice(...a),
}));
