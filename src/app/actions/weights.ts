/**
 * Trained weights on the main thread: stored when they arrive, kept in memory until they
 * are (or when there is no storage, for the latest runs), and read back for Predict.
 */
import type { TrainedWeights } from '../../domain';
import type { StudioStorage } from '../../storage/studio-storage';
import { store } from './context';

/** Runs whose weights stay in memory when nothing is stored (each can be megabytes). */
export const RUNS_IN_MEMORY = 8;

export interface WeightsKeeper {
  /** A run's weights arrived from the worker: kept, and stored (a failed save is reported, the weights stay in memory). */
  receive: (weights: TrainedWeights) => void;
  /** Keeps and stores weights, and waits until they are stored; a failed save throws. */
  save: (weights: TrainedWeights) => Promise<void>;
  /** A run's weights, once any save of them under way has ended; undefined when none are kept. */
  get: (runId: string) => Promise<TrainedWeights | undefined>;
  /** Drops a run's weights from memory (its run was deleted). */
  forget: (runId: string) => void;
  /** Drops every weight held in memory (the storage was replaced). */
  clear: () => void;
}

export function createWeightsKeeper(storage: StudioStorage | undefined): WeightsKeeper {
  const memory = new Map<string, TrainedWeights>();
  const saving = new Map<string, Promise<unknown>>();
  const keep = (weights: TrainedWeights) => {
    memory.delete(weights.runId);
    memory.set(weights.runId, weights);
    if (storage) return;
    for (const id of memory.keys()) if (memory.size > RUNS_IN_MEMORY) memory.delete(id);
  };
  const save = (weights: TrainedWeights): Promise<void> => {
    keep(weights);
    if (!storage) return Promise.resolve();
    const id = weights.runId;
    const done = storage.saveWeights(weights).then(() => {
      // Stored: read back from storage from now on, unless newer weights came meanwhile.
      if (memory.get(id) === weights) memory.delete(id);
    });
    const settled = done.catch(() => {});
    saving.set(id, settled);
    void settled.then(() => saving.get(id) === settled && saving.delete(id));
    return done;
  };
  return {
    receive: (weights) =>
      void save(weights).catch((err: unknown) => store().setStorageError((err as Error).message)),
    save,
    get: async (runId) => {
      await saving.get(runId);
      return memory.get(runId) ?? (await storage?.loadWeights(runId));
    },
    forget: (runId) => void memory.delete(runId),
    clear: () => memory.clear(),
  };
}
