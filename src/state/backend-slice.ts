import type { StateCreator } from 'zustand';
import type { BackendChoice, BackendReport } from '../domain';
import type { StudioState } from './store';

export interface BackendSlice {
  backendChoice: BackendChoice;
  backend: BackendReport | null;
  backendError: string | null;
  setBackendChoice: (choice: BackendChoice) => void;
  setBackendReport: (report: BackendReport | null, error?: string | null) => void;
}

export const BACKEND_INITIAL = {
  backendChoice: 'auto',
  backend: null,
  backendError: null,
} satisfies Partial<BackendSlice>;

export const backendSlice: StateCreator<StudioState, [], [], BackendSlice> = (set) => ({
  ...BACKEND_INITIAL,
  setBackendChoice: (backendChoice) => set({ backendChoice, backendError: null }),
  setBackendReport: (backend, backendError = null) => set({ backend, backendError }),
});
