import type { StateCreator } from 'zustand';
import type { Prediction, SkippedFile } from '../domain';
import type { StudioState } from './store';

export interface PredictState {
  /** The run whose classifier predicts (its id), or null. */
  runId: string | null;
  /** The run was put to use because it had just finished training (nobody chose it in the list). */
  justTrained: boolean;
  status: 'idle' | 'loading' | 'ready' | 'predicting' | 'error';
  classNames: string[];
  imageSize: number;
  results: Prediction[];
  skipped: SkippedFile[];
  /** Live top classes of the camera frame. */
  frame: Prediction['top'] | null;
  /** A camera frame is being classified: the next one waits (an answer to an older frame would be stale). */
  framePending: boolean;
  error: string | null;
  exporting: boolean;
}

export interface PredictSlice {
  predict: PredictState;
  setPredict: (patch: Partial<PredictState>) => void;
}

export const PREDICT_IDLE: PredictState = {
  runId: null,
  justTrained: false,
  status: 'idle',
  classNames: [],
  imageSize: 0,
  results: [],
  skipped: [],
  frame: null,
  framePending: false,
  error: null,
  exporting: false,
};

export const PREDICT_INITIAL = { predict: PREDICT_IDLE } satisfies Partial<PredictSlice>;

export const predictSlice: StateCreator<StudioState, [], [], PredictSlice> = (set) => ({
  ...PREDICT_INITIAL,
  setPredict: (patch) => set((s) => ({ predict: { ...s.predict, ...patch } })),
});
