/** Main thread: object URLs for dataset images (thumbnails, misclassified images), revoked when the dataset changes. */
import type { DatasetFile } from '../domain';

export interface ImageUrls {
  /** An object URL for the image at `path`, or null when the dataset has none. */
  get: (path: string) => string | null;
  /** Forgets (and revokes) every URL: call when the dataset is replaced. */
  clear: () => void;
}

export function createImageUrls(files: () => readonly DatasetFile[]): ImageUrls {
  const urls = new Map<string, string>();
  return {
    get: (path) => {
      const cached = urls.get(path);
      if (cached) return cached;
      const file = files().find((f) => f.path === path)?.file;
      if (!file) return null;
      const url = URL.createObjectURL(file);
      urls.set(path, url);
      return url;
    },
    clear: () => {
      for (const url of urls.values()) URL.revokeObjectURL(url);
      urls.clear();
    },
  };
}
