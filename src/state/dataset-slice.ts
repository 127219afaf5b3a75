import type { StateCreator } from 'zustand';
import { IMAGE_MEMORY_BUDGET_BYTES, type ClassSummary, type SkippedFile } from '../domain';
import { PROBE_INITIAL } from './strategy-slice';
import type { StudioState } from './store';

export interface DatasetSlice {
  datasetName: string | null;
  classes: ClassSummary[];
  skipped: SkippedFile[];
  /** A few image paths per class, for "See inside". */
  examples: string[];
  /** Decoding in progress; `note` says why when the user did not start it (e.g. a new input size). */
  decoding: {
    done: number;
    total: number;
    note: string | null;
    /** Files passed to the worker so far, while a large folder is handed over. */
    handed?: number;
  } | null;
  datasetError: string | null;
  /** Something the user should know about the dataset that is not an error (e.g. reading was cancelled). */
  datasetNotice: string | null;
  /** Where the decoded images live: the worker's memory, or browser storage read per batch. */
  imagesWhere: 'memory' | 'storage' | null;
  /** Decoded images past this many bytes go to browser storage (applies to the next folder read). */
  imageBudgetBytes: number;
  setImageBudget: (bytes: number) => void;
  setDatasetLoading: (name: string, total: number) => void;
  setDecodeProgress: (done: number, total: number, note?: string | null) => void;
  /** A large folder's files passed to the worker so far (before any is read). */
  setHandoff: (handed: number, total: number) => void;
  setDataset: (
    classes: ClassSummary[],
    skipped: SkippedFile[],
    examples: string[],
    where?: 'memory' | 'storage',
  ) => void;
  /** Reading was cancelled or refused (`reason`): back to the dataset loaded before (`previous`), or to none. */
  setDatasetCancelled: (
    previous: {
      name: string;
      classes: ClassSummary[];
      skipped: SkippedFile[];
      examples: string[];
      where: 'memory' | 'storage';
    } | null,
    reason?: string,
  ) => void;
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
  datasetNotice: null,
  imagesWhere: null,
} satisfies Partial<DatasetSlice>;

export const datasetSlice: StateCreator<StudioState, [], [], DatasetSlice> = (set) => ({
  ...DATASET_INITIAL,
  imageBudgetBytes: IMAGE_MEMORY_BUDGET_BYTES,
  setImageBudget: (imageBudgetBytes) => set({ imageBudgetBytes }),
  setDatasetLoading: (datasetName, total) =>
    set({
      datasetName,
      decoding: { done: 0, total, note: null },
      datasetError: null,
      datasetNotice: null,
      classes: [],
      skipped: [],
      examples: [],
    }),
  setDecodeProgress: (done, total, note = null) => set({ decoding: { done, total, note } }),
  setHandoff: (handed, total) =>
    set((s) => (s.decoding ? { decoding: { done: 0, total, note: null, handed } } : {})),
  setDataset: (classes, skipped, examples, where = 'memory') =>
    set({
      classes,
      skipped,
      examples,
      imagesWhere: where,
      decoding: null,
      datasetError: null,
      probe: PROBE_INITIAL,
      quadrant: null,
    }),
  setDatasetCancelled: (previous, reason) => {
    const what = reason ?? 'Reading cancelled.';
    set(
      previous
        ? {
            datasetName: previous.name,
            classes: previous.classes,
            skipped: previous.skipped,
            examples: previous.examples,
            imagesWhere: previous.where,
            decoding: null,
            datasetNotice: `${what} The dataset loaded before ("${previous.name}", ${previous.classes
              .reduce((n, c) => n + c.count, 0)
              .toLocaleString('en')} images) is still loaded.`,
          }
        : { ...DATASET_INITIAL, datasetNotice: `${what} No dataset is loaded.` },
    );
  },
  setDatasetResized: () => set({ decoding: null }),
  setDatasetError: (datasetError) => set({ datasetError, decoding: null }),
});
