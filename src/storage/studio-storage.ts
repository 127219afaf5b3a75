/** What the studio stores, as operations: runs, their weights, the dataset, the settings. */
import type { RunRecord, TrainedWeights } from '../domain';
import { parseStoredDataset, parseStoredRuns, parseStoredSettings } from '../domain/formats/stored';
import {
  isQuotaError,
  StorageFullError,
  ThawDb,
  type StoredDataset,
  type StoredSettings,
} from './db';

export interface StudioStorage {
  /**
   * Every stored run, oldest first; runs left `running` by a closed page come back
   * `interrupted`. This and the other loaders check what they read against the stored
   * format and throw a sentence naming the field when a record is damaged.
   */
  loadRuns: () => Promise<RunRecord[]>;
  saveRun: (run: RunRecord) => Promise<void>;
  deleteRun: (id: string) => Promise<void>;
  saveWeights: (weights: TrainedWeights) => Promise<void>;
  loadWeights: (runId: string) => Promise<TrainedWeights | undefined>;
  saveDataset: (dataset: Omit<StoredDataset, 'id' | 'savedAt'>) => Promise<void>;
  loadDataset: () => Promise<StoredDataset | undefined>;
  deleteDataset: () => Promise<void>;
  saveSettings: (settings: Omit<StoredSettings, 'id'>) => Promise<void>;
  loadSettings: () => Promise<StoredSettings | undefined>;
  allWeights: () => Promise<TrainedWeights[]>;
  /** Replaces everything stored (runs, weights, dataset, settings) in one transaction. */
  replaceAll: (all: {
    runs: RunRecord[];
    weights: TrainedWeights[];
    dataset: Omit<StoredDataset, 'id' | 'savedAt'> | null;
    settings: Omit<StoredSettings, 'id'> | null;
  }) => Promise<void>;
  /** Bytes used by this page's storage (the browser's estimate), or null when unknown. */
  usage: () => Promise<number | null>;
}

async function guarded<T>(what: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (isQuotaError(err)) throw new StorageFullError(what, err);
    throw err;
  }
}

export function createStudioStorage(db: ThawDb = new ThawDb()): StudioStorage {
  return {
    loadRuns: async () => {
      const runs = parseStoredRuns(await db.runs.orderBy('createdAt').toArray());
      const cut = runs.filter((r) => r.status === 'running');
      if (cut.length > 0) {
        for (const r of cut) r.status = 'interrupted';
        await db.runs.bulkPut(cut);
      }
      return runs;
    },
    saveRun: (run) => guarded(`run ${run.id}`, () => db.runs.put(run).then(() => {})),
    deleteRun: (id) =>
      db.transaction('rw', db.runs, db.weights, async () => {
        await db.runs.delete(id);
        await db.weights.delete(id);
      }),
    saveWeights: (w) =>
      guarded(`the weights of run ${w.runId}`, () => db.weights.put(w).then(() => {})),
    loadWeights: (runId) => db.weights.get(runId),
    saveDataset: (d) =>
      guarded(`the dataset "${d.name}"`, () =>
        db.datasets.put({ ...d, id: 'current', savedAt: Date.now() }).then(() => {}),
      ),
    loadDataset: async () => {
      const stored = await db.datasets.get('current');
      return stored === undefined ? undefined : parseStoredDataset(stored);
    },
    deleteDataset: () => db.datasets.delete('current'),
    saveSettings: (s) =>
      guarded('the settings', () => db.settings.put({ ...s, id: 'studio' }).then(() => {})),
    loadSettings: async () => {
      const stored = await db.settings.get('studio');
      return stored === undefined ? undefined : parseStoredSettings(stored);
    },
    allWeights: () => db.weights.toArray(),
    replaceAll: (all) =>
      guarded('the project', () =>
        db.transaction('rw', [db.runs, db.weights, db.datasets, db.settings], async () => {
          await Promise.all([
            db.runs.clear(),
            db.weights.clear(),
            db.datasets.clear(),
            db.settings.clear(),
          ]);
          await db.runs.bulkPut(all.runs);
          await db.weights.bulkPut(all.weights);
          if (all.dataset)
            await db.datasets.put({ ...all.dataset, id: 'current', savedAt: Date.now() });
          if (all.settings) await db.settings.put({ ...all.settings, id: 'studio' });
        }),
      ),
    usage: async () => {
      const estimate = await globalThis.navigator?.storage?.estimate?.();
      return estimate?.usage ?? null;
    },
  };
}
