/**
 * Storage and restore: what the studio keeps between visits (runs, settings, the dataset)
 * is saved as it changes and brought back when the page opens.
 */
import { catalogEntry } from '../../model/catalog';
import { useStudio, type StudioState } from '../../state/store';
import type { StudioStorage } from '../../storage/studio-storage';
import { safely, store } from './context';
import type { DatasetActions } from './dataset';

/** Saves every run record whose object changed (the store replaces a record on each update). */
function persistRuns(storage: StudioStorage): () => void {
  return useStudio.subscribe((state: StudioState, prev: StudioState) => {
    if (state.runs === prev.runs) return;
    const before = new Map(prev.runs.map((r) => [r.id, r]));
    for (const run of state.runs)
      if (before.get(run.id) !== run)
        void safely(async () => {
          await storage.saveRun(run);
          store().setStoredBytes(await storage.usage());
        });
  });
}

/** Saves where the user is (model, resolution, plan, parameters, memory budget) when it changes. */
function persistSettings(storage: StudioStorage): () => void {
  return useStudio.subscribe((state: StudioState, prev: StudioState) => {
    if (
      state.model === prev.model &&
      state.plan === prev.plan &&
      state.params === prev.params &&
      state.imageBudgetBytes === prev.imageBudgetBytes
    )
      return;
    const model = state.model;
    if (!model) return;
    void safely(() =>
      storage.saveSettings({
        modelId: model.card.id,
        resolution: model.resolution,
        plan: state.plan,
        params: state.params,
        imageBudgetBytes: state.imageBudgetBytes,
      }),
    );
  });
}

/** From now on, saves runs and settings as they change; returns how to stop. */
export function persist(storage: StudioStorage): () => void {
  const stops = [persistRuns(storage), persistSettings(storage)];
  return () => stops.forEach((stop) => stop());
}

/**
 * Brings back what was stored: runs, the memory budget, the dataset (sent to the worker
 * again, not stored again), plan and parameters. Returns the model to load.
 */
export async function restore(
  storage: StudioStorage | undefined,
  sendDataset: DatasetActions['send'],
): Promise<{ modelId: string; resolution: number | null }> {
  const fallback = { modelId: store().modelId, resolution: null };
  if (!storage) return fallback;
  // Each part on its own: one damaged record must not keep the others from coming back.
  const [settings, runs, dataset] = await Promise.allSettled([
    storage.loadSettings(),
    storage.loadRuns(),
    storage.loadDataset(),
  ]);
  const problems = (
    [
      ['settings', settings],
      ['runs', runs],
      ['dataset', dataset],
    ] as const
  ).flatMap(([what, r]) =>
    r.status === 'rejected' ? [`${what}: ${(r.reason as Error).message}`] : [],
  );
  if (problems.length > 0)
    store().setStorageError(
      `Some stored work could not be read and was left out (it stays stored): ${problems.join(' ')}`,
    );
  if (runs.status === 'fulfilled') store().setRuns(runs.value);
  const saved = settings.status === 'fulfilled' ? settings.value : undefined;
  if (saved?.imageBudgetBytes) store().setImageBudget(saved.imageBudgetBytes);
  if (dataset.status === 'fulfilled' && dataset.value)
    sendDataset(dataset.value.name, dataset.value.files, dataset.value.skipped, false);
  await safely(async () => store().setStoredBytes(await storage.usage()));
  if (saved && catalogEntry(saved.modelId)) {
    store().setParams(saved.params);
    store().setPlan(saved.plan);
    useStudio.setState({ modelId: saved.modelId });
    return { modelId: saved.modelId, resolution: saved.resolution };
  }
  return fallback;
}
