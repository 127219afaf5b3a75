import type { StateCreator } from 'zustand';
import type { ClassSummary, SkippedFile } from '../domain';
import { PROBE_INITIAL } from './strategy-slice';
import type { StudioState } from './store';

export interface DatasetSlice {
  datasetName: string | null;
  classes: ClassSummary[];
  skipped: SkippedFile[];
  /** A few image paths per class, for "See inside". */
  examples: string[];
  /** Decoding in progress; `note` says why when the user did not start it (e.g. a new input size). */
  decoding: { done: number; total: number; note: string | null } | null;
  datasetError: string | null;
  setDatasetLoading: (name: string, total: number) => void;
  setDecodeProgress: (done: number, total: number, note?: string | null) => void;
  setDataset: (classes: ClassSummary[], skipped: SkippedFile[], examples: string[]) => void;
  /** The same images, decoded again for another input size. */
  setDatasetResized: () => void;
  setDatasetError: (message: string) => void;
}

export const DATASET_INITIAL = {
  datasetName: null,
  classes: [],
  skipped: [],
  examples: [],
  decoding: null,
  datasetError: null,
} satisfies Partial<DatasetSlice>;

export const datasetSlice: StateCreator<StudioState, [], [], DatasetSlice> = (set) => ({
  ...DATASET_INITIAL,
  setDatasetLoading: (datasetName, total) =>
    set({
      datasetName,
      decoding: { done: 0, total, note: null },
      datasetError: null,
      classes: [],
      skipped: [],
      examples: [],
    }),
  setDecodeProgress: (done, total, note = null) => set({ decoding: { done, total, note } }),
  setDataset: (classes, skipped, examples) =>
    set({
      classes,
      skipped,
      examples,
      decoding: null,
      datasetError: null,
      probe: PROBE_INITIAL,
      quadrant: null,
    }),
  setDatasetResized: () => set({ decoding: null }),
  setDatasetError: (datasetError) => set({ datasetError, decoding: null }),
});
