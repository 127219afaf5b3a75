import type { StateCreator } from 'zustand';
import type { ExperimentArm, ExperimentRun } from '../strategy/quadrant-experiment';
import type { StudioState } from './store';

/** A quadrant experiment in progress or finished: its arms, its runs so far, what it does now. */
export interface QuadrantExperimentState {
  status: 'running' | 'done' | 'stopped' | 'failed';
  /** The quadrant whose textbook plan was trained. */
  quadrant: string;
  arms: ExperimentArm[];
  seeds: number[];
  runs: ExperimentRun[];
  /** The arm of each run still to train, in order (for the time left). */
  remaining: number[];
  /** What runs now ("Run 2 of 6: …"); empty once it ended. */
  step: string;
  startedAt: number;
  endedAt: number | null;
  error: string | null;
}

export interface QuadrantExperimentSlice {
  quadrantExperiment: QuadrantExperimentState | null;
  startQuadrantExperiment: (
    quadrant: string,
    arms: ExperimentArm[],
    seeds: number[],
    order: number[],
  ) => void;
  setQuadrantExperimentStep: (step: string) => void;
  addQuadrantExperimentRun: (run: ExperimentRun) => void;
  endQuadrantExperiment: (status: QuadrantExperimentState['status'], error?: string | null) => void;
}

export const QUADRANT_EXPERIMENT_INITIAL = {
  quadrantExperiment: null,
} satisfies Partial<QuadrantExperimentSlice>;

export const quadrantExperimentSlice: StateCreator<StudioState, [], [], QuadrantExperimentSlice> = (
  set,
) => {
  const patch = (f: (x: QuadrantExperimentState) => Partial<QuadrantExperimentState>) =>
    set((s) =>
      s.quadrantExperiment
        ? { quadrantExperiment: { ...s.quadrantExperiment, ...f(s.quadrantExperiment) } }
        : {},
    );
  return {
    ...QUADRANT_EXPERIMENT_INITIAL,
    startQuadrantExperiment: (quadrant, arms, seeds, order) =>
      set({
        quadrantExperiment: {
          status: 'running',
          quadrant,
          arms,
          seeds,
          runs: [],
          remaining: order,
          step: 'Starting…',
          startedAt: Date.now(),
          endedAt: null,
          error: null,
        },
      }),
    setQuadrantExperimentStep: (step) => patch(() => ({ step })),
    addQuadrantExperimentRun: (run) =>
      patch((x) => ({ runs: [...x.runs, run], remaining: x.remaining.slice(1) })),
    endQuadrantExperiment: (status, error = null) =>
      patch(() => ({ status, error, step: '', endedAt: Date.now() })),
  };
};
