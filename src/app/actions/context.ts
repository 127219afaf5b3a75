/** What every family of actions shares: the worker client, the storage (if any), the store. */
import type { WorkerClient } from '../../client/worker-client';
import { useStudio, type StudioState } from '../../state/store';
import type { StudioStorage } from '../../storage/studio-storage';

export interface ActionContext {
  client: WorkerClient;
  /** Absent when the studio keeps nothing (tests; a browser without IndexedDB). */
  storage: StudioStorage | undefined;
  /** Offers a file to the user as a download. */
  download: (name: string, data: Blob) => void;
}

export const store = (): StudioState => useStudio.getState();

/**
 * Runs a storage operation; a failure becomes a message for the user, and nothing else is
 * lost. True when it succeeded.
 */
export async function safely(op: () => Promise<unknown>): Promise<boolean> {
  try {
    await op();
    return true;
  } catch (err) {
    store().setStorageError((err as Error).message);
    return false;
  }
}

/** Stores with `op`, then shows how much storage the studio uses now. */
export function storeAndCount(
  storage: StudioStorage | undefined,
  op: (s: StudioStorage) => Promise<unknown>,
): void {
  if (!storage) return;
  void safely(async () => {
    await op(storage);
    store().setStoredBytes(await storage.usage());
  });
}
