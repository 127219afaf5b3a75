import type { StateCreator } from 'zustand';
import type { FeatureMaps, ProbePoint } from '../domain';
import { DEFAULT_SIZE_THRESHOLD } from '../strategy/estimate';
import type { StudioState } from './store';

export interface ProbeState {
  status: 'idle' | 'running' | 'done' | 'error';
  /** Pixels, layers and top features, each scored on the same splits (reset with the model and the dataset). */
  points: ProbePoint[];
  error: string | null;
}

export interface StrategySlice {
  probe: ProbeState;
  /** Images per class from which a dataset counts as large (adjustable). */
  sizeThreshold: number;
  quadrant: string | null;
  /** Probe progress in steps of `PROBE_PROGRESS_STEPS`. */
  probeProgress: number;
  featureMaps: { maps: FeatureMaps | null; error: string | null };
  setFeatureMaps: (maps: FeatureMaps | null, error: string | null) => void;
  setProbe: (patch: Partial<ProbeState>) => void;
  setProbeProgress: (done: number) => void;
  setSizeThreshold: (n: number) => void;
  setQuadrant: (q: string | null) => void;
}

export const PROBE_INITIAL: ProbeState = { status: 'idle', points: [], error: null };

export const STRATEGY_INITIAL = {
  probe: PROBE_INITIAL,
  sizeThreshold: DEFAULT_SIZE_THRESHOLD,
  quadrant: null,
  probeProgress: 0,
  featureMaps: { maps: null, error: null },
} satisfies Partial<StrategySlice>;

export const strategySlice: StateCreator<StudioState, [], [], StrategySlice> = (set) => ({
  ...STRATEGY_INITIAL,
  setFeatureMaps: (maps, error) => set({ featureMaps: { maps, error } }),
  setProbe: (patch) =>
    set((s) => ({
      probe: { ...s.probe, ...patch },
      probeProgress: patch.status === 'running' ? 0 : s.probeProgress,
    })),
  setProbeProgress: (probeProgress) => set({ probeProgress }),
  setSizeThreshold: (sizeThreshold) => set({ sizeThreshold }),
  setQuadrant: (quadrant) => set({ quadrant }),
});
