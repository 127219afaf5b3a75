import type { StateCreator } from 'zustand';
import type { StudioState } from './store';

export interface StorageSlice {
  /** Bytes this page keeps in the browser's storage, when known. */
  storedBytes: number | null;
  /** The last storage failure, as a sentence for the user (e.g. a full quota). */
  storageError: string | null;
  /** What the last experiment import found (e.g. the data differs), for the user. */
  experimentNote: { text: string; warning: boolean } | null;
  setStoredBytes: (bytes: number | null) => void;
  setStorageError: (message: string | null) => void;
  setExperimentNote: (note: { text: string; warning: boolean } | null) => void;
}

export const STORAGE_INITIAL = {
  storedBytes: null,
  storageError: null,
  experimentNote: null,
} satisfies Partial<StorageSlice>;

export const storageSlice: StateCreator<StudioState, [], [], StorageSlice> = (set) => ({
  ...STORAGE_INITIAL,
  setStoredBytes: (storedBytes) => set({ storedBytes }),
  setStorageError: (storageError) => set({ storageError }),
  setExperimentNote: (experimentNote) => set({ experimentNote }),
});
