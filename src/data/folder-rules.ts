/**
 * Rules that turn a dropped or picked folder tree into classes: each top-level sub-folder
 * is a class, nested folders belong to their top-level class, and every file that cannot
 * be used is kept with its reason. Pure: no DOM, no tfjs.
 */
import type { DatasetFile, SkippedFile } from '../domain';

/** Extensions the browser decodes with `createImageBitmap`. */
const DECODABLE = new Set([
  'png',
  'jpg',
  'jpeg',
  'jfif',
  'pjpeg',
  'gif',
  'webp',
  'bmp',
  'ico',
  'avif',
]);
/** Image formats people have in photo folders that browsers cannot decode. */
const UNDECODABLE_IMAGES = new Set([
  'tif',
  'tiff',
  'heic',
  'heif',
  'psd',
  'svg',
  'jxl',
  'raw',
  'cr2',
  'cr3',
  'nef',
  'arw',
  'dng',
  'orf',
  'rw2',
  'xcf',
  'eps',
]);
const SYSTEM_FILES = new Set(['thumbs.db', 'desktop.ini', 'icon\r']);

export interface ClassifiedFile extends DatasetFile {
  className: string;
}

export interface FolderClassification {
  /** Usable files, with their class, sorted by class then path. */
  files: ClassifiedFile[];
  /** Class names in sorted order. */
  classNames: string[];
  skipped: SkippedFile[];
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** Why a file cannot be used as an image, judged from its name and MIME type; null if it can. */
export function fileSkipReason(name: string, mime: string, size: number): string | null {
  const lower = name.toLowerCase();
  if (name.startsWith('.') || SYSTEM_FILES.has(lower)) return 'hidden or system file';
  const ext = extensionOf(name);
  if (UNDECODABLE_IMAGES.has(ext))
    return `unsupported image format (.${ext}); convert it to PNG or JPEG`;
  const imageByName = DECODABLE.has(ext);
  const imageByMime =
    mime.startsWith('image/') && !UNDECODABLE_IMAGES.has(mime.slice(6).replace(/^x-/, ''));
  if (!imageByName && !imageByMime) return ext ? `not an image (.${ext})` : 'not an image';
  if (size === 0) return 'empty file';
  return null;
}

function splitPath(path: string): string[] {
  return path.split('/').filter((part) => part.length > 0);
}

/**
 * Drops folder levels every file shares, as long as some file sits at least two levels
 * below them: a picked `photos/cats/1.jpg` becomes `cats/1.jpg`, so the picked or dropped
 * folder itself is never mistaken for the only class.
 */
function stripCommonRoot(paths: string[][]): number {
  let depth = 0;
  for (;;) {
    const first = paths[0]?.[depth];
    if (first === undefined) return depth;
    const shared = paths.every((p) => p.length > depth + 1 && p[depth] === first);
    const deepEnough = paths.some((p) => p.length - depth >= 3);
    if (!shared || !deepEnough) return depth;
    depth += 1;
  }
}

/** Sorts files into classes by their top-level folder and lists the ones that cannot be used. */
export function classifyFolder(input: DatasetFile[]): FolderClassification {
  const parts = input.map((f) => splitPath(f.path));
  const root = stripCommonRoot(parts.filter((p) => p.length > 0));
  const files: ClassifiedFile[] = [];
  const skipped: SkippedFile[] = [];
  input.forEach((entry, i) => {
    const segments = (parts[i] ?? []).slice(root);
    const name = segments[segments.length - 1] ?? entry.path;
    const byName = fileSkipReason(name, entry.file.type, entry.file.size);
    if (byName) {
      // Hidden files are listed too: the user should see that nothing vanished silently.
      skipped.push({ path: entry.path, reason: byName });
    } else if (segments.length < 2) {
      skipped.push({ path: entry.path, reason: 'not inside a class folder' });
    } else {
      files.push({ ...entry, className: segments[0] as string });
    }
  });
  files.sort((a, b) => compare(a.className, b.className) || compare(a.path, b.path));
  const classNames = [...new Set(files.map((f) => f.className))];
  return { files, classNames, skipped };
}

/** Natural order ("2.png" before "10.png"); one collator for all comparisons (50,000 files sort in well under a second). */
const compare = new Intl.Collator('en', { numeric: true }).compare;
