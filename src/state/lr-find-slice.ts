import type { StateCreator } from 'zustand';
import type { LrFindResult, LrGroup } from '../domain';
import type { StudioState } from './store';

/** The learning-rate range test: its progress, its curves and suggested rates, or why it failed. */
export interface LrFindState {
  status: 'idle' | 'running' | 'done' | 'error';
  /** What is being done now: the frozen layers' features, or a sweep's steps. */
  progress: { phase: 'features' | LrGroup; done: number; total: number } | null;
  result: LrFindResult | null;
  /** The dataset and network the result was measured on. */
  measuredOn: string;
  error: string | null;
}

export interface LrFindSlice {
  lrFind: LrFindState;
  setLrFind: (patch: Partial<LrFindState>) => void;
}

export const LR_FIND_IDLE: LrFindState = {
  status: 'idle',
  progress: null,
  result: null,
  measuredOn: '',
  error: null,
};

export const LR_FIND_INITIAL = { lrFind: LR_FIND_IDLE } satisfies Partial<LrFindSlice>;

export const lrFindSlice: StateCreator<StudioState, [], [], LrFindSlice> = (set) => ({
  ...LR_FIND_INITIAL,
  setLrFind: (patch) => set((s) => ({ lrFind: { ...s.lrFind, ...patch } })),
});
