import type { StateCreator } from 'zustand';
import type { SweepDepth, SweepRun } from '../strategy/sweep';
import type { StudioState } from './store';

export interface SweepState {
  status: 'running' | 'done' | 'cancelled' | 'failed';
  depths: SweepDepth[];
  seeds: number[];
  runs: SweepRun[];
  /** Runs planned in all (depths × seeds). */
  total: number;
  startedAt: number;
  error: string | null;
}

export interface SweepSlice {
  sweep: SweepState | null;
  startSweep: (depths: SweepDepth[], seeds: number[]) => void;
  addSweepRun: (run: SweepRun) => void;
  endSweep: (status: SweepState['status'], error?: string | null) => void;
}

export const SWEEP_INITIAL = { sweep: null } satisfies Partial<SweepSlice>;

export const sweepSlice: StateCreator<StudioState, [], [], SweepSlice> = (set) => ({
  ...SWEEP_INITIAL,
  startSweep: (depths, seeds) =>
    set({
      sweep: {
        status: 'running',
        depths,
        seeds,
        runs: [],
        total: depths.length * seeds.length,
        startedAt: Date.now(),
        error: null,
      },
    }),
  addSweepRun: (run) =>
    set((s) => (s.sweep ? { sweep: { ...s.sweep, runs: [...s.sweep.runs, run] } } : {})),
  endSweep: (status, error = null) =>
    set((s) => (s.sweep ? { sweep: { ...s.sweep, status, error } } : {})),
});
