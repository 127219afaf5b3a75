/** Experiment files on the main thread: hashing the dataset's files, downloading, and applying an import. */
import { classifyFolder } from '../data/folder-rules';
import type { DatasetFile } from '../domain';
import type { ManifestEntry } from '../strategy/experiment-file';

async function sha256(blob: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The dataset as a manifest: path, class, size and SHA-256 of every usable file. */
export async function manifestOf(files: readonly DatasetFile[]): Promise<ManifestEntry[]> {
  const { files: usable } = classifyFolder([...files]);
  return Promise.all(
    usable.map(async (f) => ({
      path: f.path,
      className: f.className,
      bytes: f.file.size,
      sha256: await sha256(f.file),
    })),
  );
}

/** Offers `data` to the user as a downloaded file. */
export function download(name: string, data: Blob): void {
  const url = URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
