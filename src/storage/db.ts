/**
 * IndexedDB persistence (dexie): the current dataset's files, every run, the weights each
 * run trained, and the studio's settings, so a reload brings the user back where they left.
 * Main thread only; the worker gets what it needs through the client.
 */
import Dexie, { type Table } from 'dexie';
import type { LayerPlan, RunRecord, SkippedFile, TrainParams, TrainedWeights } from '../domain';

/** The current dataset: the files as dropped (the worker decodes them again after a reload). */
export interface StoredDataset {
  id: 'current';
  name: string;
  files: { path: string; file: Blob }[];
  skipped: SkippedFile[];
  savedAt: number;
}

/** Where the user left the studio. */
export interface StoredSettings {
  id: 'studio';
  modelId: string;
  resolution: number | null;
  plan: LayerPlan;
  params: TrainParams;
  /** Decoded images past this many bytes are read from browser storage (the user's setting). */
  imageBudgetBytes?: number;
}

export class ThawDb extends Dexie {
  runs!: Table<RunRecord, string>;
  weights!: Table<TrainedWeights, string>;
  datasets!: Table<StoredDataset, string>;
  settings!: Table<StoredSettings, string>;

  constructor(name = 'thaw') {
    super(name);
    this.version(1).stores({
      runs: 'id, createdAt, status',
      weights: 'runId',
      datasets: 'id',
      settings: 'id',
    });
  }
}

/** Thrown when the browser refuses to store more; what was stored before stays. */
export class StorageFullError extends Error {
  constructor(what: string, cause: unknown) {
    super(
      `The browser's storage for this page is full: ${what} could not be saved. Everything saved before is kept; delete old runs or datasets to make room.`,
      { cause },
    );
    this.name = 'StorageFullError';
  }
}

/** Whether an IndexedDB failure is the quota (Dexie wraps the DOMException). */
export function isQuotaError(err: unknown): boolean {
  const e = err as { name?: string; inner?: { name?: string } } | null;
  return e?.name === 'QuotaExceededError' || e?.inner?.name === 'QuotaExceededError';
}
