/** The quadrant experiment's results file (scripts/quadrants/results/<network>.<quadrant>.json). */
import type { LayerPlan } from '../../src/domain';
import type { Candidate } from '../../src/strategy/quadrant-candidates';

export interface RunResult {
  seed: number;
  /** Accuracy on the held-out test images. */
  test: number;
  /** Validation accuracy of the kept epoch. */
  validation: number;
  bestEpoch: number;
  epochsRun: number;
  /** Reached its epoch cap without early stopping ending it. */
  capped: boolean;
  /** Wall time of the run, frozen-prefix features included (0 when they came from the cache). */
  seconds: number;
}

export interface RowResult {
  /** A candidate id, or `textbook` for the seed's plan when it is none of them. */
  id: string;
  label: string;
  headOnly: boolean;
  plan: LayerPlan;
  params: Candidate['params'];
  runs: RunResult[];
}

export interface QuadrantResults {
  network: string;
  networkLabel: string;
  quadrant: string;
  domain: string;
  side: number;
  classes: string[];
  perClass: number;
  validationPerClass: number;
  testPerClass: number;
  seeds: number[];
  caps: { head: number; fineTune: number };
  patience: number;
  batchSize: number;
  backend: string;
  date: string;
  /** One-minute load average after each row. */
  loadAverage: number[];
  /** The fine-tune rate the grid chose on validation accuracy (for the L2-SP row). */
  gridRate: number | null;
  /** The row that is the seed's textbook plan for this quadrant. */
  textbook: string;
  rows: RowResult[];
}
