/**
 * Decoded images kept in IndexedDB instead of memory, for datasets whose pixels exceed the
 * memory budget: written as they are decoded, read back per batch. Used by the worker.
 *
 * Each worker has its own database (`thaw-pixels-<id>`) and holds a Web Lock of the same
 * name while it lives, so a new worker can delete the databases of workers that are gone
 * (a closed tab, a crash) without touching those of another open tab.
 */
import Dexie, { type Table } from 'dexie';
import { bytesPerImage, type ImageSet, type ImageSink } from '../data/image-set';
import { isQuotaError } from '../storage/db';

interface PixelRecord {
  set: number;
  index: number;
  pixels: Uint8Array;
}

class PixelDb extends Dexie {
  images!: Table<PixelRecord, [number, number]>;
  constructor(name: string) {
    super(name);
    this.version(1).stores({ images: '[set+index]' });
  }
}

const PREFIX = 'thaw-pixels-';
/** Images written to IndexedDB in one transaction while decoding. */
const WRITE_BATCH = 32;

/** Thrown when the browser's storage cannot take the images; nothing loaded before is lost. */
export class PixelStorageFullError extends Error {
  constructor(written: number, side: number, cause?: unknown) {
    super(
      `The browser's storage is full after ${written.toLocaleString('en')} images at ${side} px; they were dropped. Free space (delete old runs), choose a smaller input size, or use fewer images.`,
      { cause },
    );
    this.name = 'PixelStorageFullError';
  }
}

export interface PixelStore {
  readonly name: string;
  sink(side: number): ImageSink;
  /** Deletes the database. */
  destroy(): Promise<void>;
}

interface LockManagerLike {
  request(name: string, callback: () => Promise<void>): Promise<void>;
  query(): Promise<{ held?: { name?: string }[] }>;
}

const locksOf = (): LockManagerLike | null =>
  (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks ?? null;

/** Deletes pixel databases whose worker is gone (no lock held under their name). */
export async function deleteOrphans(keep: string): Promise<string[]> {
  const locks = locksOf();
  const list = (indexedDB as { databases?: () => Promise<{ name?: string }[]> }).databases;
  if (!locks || !list) return [];
  const held = new Set(((await locks.query()).held ?? []).map((l) => l.name));
  const names = (await list.call(indexedDB))
    .map((d) => d.name ?? '')
    .filter((n) => n.startsWith(PREFIX) && n !== keep && !held.has(n));
  await Promise.all(names.map((n) => Dexie.delete(n)));
  return names;
}

export function openPixelStore(id: string = crypto.randomUUID()): PixelStore {
  const name = `${PREFIX}${id}`;
  const locks = locksOf();
  // Held until this worker ends: the database is ours while it is held.
  if (locks) void locks.request(name, () => new Promise<void>(() => {}));
  const db = new PixelDb(name);
  let nextSet = 0;
  void deleteOrphans(name).catch(() => {});
  return {
    name,
    sink: (side) => storedSink(db, ++nextSet, side),
    destroy: async () => {
      db.close();
      await Dexie.delete(name);
    },
  };
}

function storedSink(db: PixelDb, set: number, side: number): ImageSink {
  let pending: PixelRecord[] = [];
  let count = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    try {
      await db.images.bulkPut(batch);
    } catch (err) {
      await removeSet(db, set);
      if (isQuotaError(err)) throw new PixelStorageFullError(count - batch.length, side, err);
      throw err;
    }
  };
  return {
    add: async (pixels) => {
      if (pixels.length !== bytesPerImage(side))
        throw new Error(`An image of ${pixels.length} bytes is not ${side}×${side} RGB.`);
      pending.push({ set, index: count++, pixels });
      if (pending.length >= WRITE_BATCH) await flush();
    },
    finish: async () => {
      await flush();
      return new StoredImages(db, set, count, side);
    },
    abort: async () => {
      pending = [];
      await removeSet(db, set);
    },
  };
}

const removeSet = (db: PixelDb, set: number) =>
  db.images.where('[set+index]').between([set, Dexie.minKey], [set, Dexie.maxKey]).delete();

export class StoredImages implements ImageSet {
  readonly where = 'storage';
  constructor(
    private db: PixelDb,
    private set: number,
    readonly length: number,
    readonly side: number,
  ) {}
  async read(indices: readonly number[]): Promise<Uint8Array[]> {
    const records = await this.db.images.bulkGet(indices.map((i) => [this.set, i]));
    return records.map((r, j) => {
      if (!r) throw new Error(`Image ${indices[j]} is missing from the browser's storage.`);
      return r.pixels;
    });
  }
  async clear(): Promise<void> {
    await removeSet(this.db, this.set);
  }
}
