import { describe, expect, it } from 'vitest';
import { filesFromEntries } from './traverse';

/** Minimal stand-ins for the browser's FileSystemEntry tree, with paged directory reads. */
function fileEntry(fullPath: string): FileSystemEntry {
  const name = fullPath.split('/').pop() ?? '';
  return {
    isFile: true,
    isDirectory: false,
    name,
    fullPath,
    file: (ok: (f: File) => void) => ok(new File(['x'], name)),
  } as unknown as FileSystemEntry;
}

function dirEntry(fullPath: string, children: FileSystemEntry[], pageSize = 2): FileSystemEntry {
  return {
    isFile: false,
    isDirectory: true,
    name: fullPath.split('/').pop() ?? '',
    fullPath,
    createReader: () => {
      let offset = 0;
      return {
        readEntries: (ok: (batch: FileSystemEntry[]) => void) => {
          const batch = children.slice(offset, offset + pageSize);
          offset += batch.length;
          setTimeout(() => ok(batch), 0);
        },
      };
    },
  } as unknown as FileSystemEntry;
}

describe('filesFromEntries', () => {
  it('walks nested folders, reading every page of each directory', async () => {
    const tree = dirEntry('/pets', [
      dirEntry('/pets/cats', [
        fileEntry('/pets/cats/a.jpg'),
        fileEntry('/pets/cats/b.jpg'),
        fileEntry('/pets/cats/c.jpg'),
      ]),
      dirEntry('/pets/dogs', [
        dirEntry('/pets/dogs/old', [fileEntry('/pets/dogs/old/d.jpg')]),
        fileEntry('/pets/dogs/e.png'),
      ]),
      fileEntry('/pets/readme.txt'),
    ]);
    const files = await filesFromEntries([tree]);
    expect(files.map((f) => f.path)).toEqual([
      'pets/cats/a.jpg',
      'pets/cats/b.jpg',
      'pets/cats/c.jpg',
      'pets/dogs/old/d.jpg',
      'pets/dogs/e.png',
      'pets/readme.txt',
    ]);
    expect(files.every((f) => f.file instanceof Blob)).toBe(true);
  });
});
