/**
 * Collects the files of dropped folders (`DataTransferItem.webkitGetAsEntry`, walked
 * recursively) or of a picked folder (`<input webkitdirectory>`), keeping each file's
 * path inside the tree.
 */
import type { DatasetFile } from '../domain';

/**
 * What was dropped: folder entries to walk, or plain files when the browser gives no
 * entries. Must be called synchronously inside the drop handler: both vanish after it.
 */
export function droppedItems(transfer: DataTransfer): {
  entries: FileSystemEntry[];
  files: File[];
} {
  const entries: FileSystemEntry[] = [];
  for (const item of Array.from(transfer.items)) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.();
    if (entry) entries.push(entry);
  }
  return { entries, files: entries.length > 0 ? [] : Array.from(transfer.files) };
}

function readAllEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  // readEntries returns at most ~100 entries per call: call until it returns none.
  return new Promise((resolve, reject) => {
    const all: FileSystemEntry[] = [];
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/** Walks dropped entries depth-first and returns every file with its path. */
export async function filesFromEntries(entries: FileSystemEntry[]): Promise<DatasetFile[]> {
  const out: DatasetFile[] = [];
  const walk = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) {
      const file = await fileOf(entry as FileSystemFileEntry);
      out.push({ path: entry.fullPath.replace(/^\//, ''), file });
    } else if (entry.isDirectory) {
      const children = await readAllEntries((entry as FileSystemDirectoryEntry).createReader());
      for (const child of children) await walk(child);
    }
  };
  for (const entry of entries) await walk(entry);
  return out;
}

/** Files of a picked folder, with the path the browser gives relative to the pick. */
export function filesFromInput(list: FileList): DatasetFile[] {
  return Array.from(list, (file) => ({ path: file.webkitRelativePath || file.name, file }));
}
