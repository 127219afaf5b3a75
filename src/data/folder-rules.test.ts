import { describe, expect, it } from 'vitest';
import { classifyFolder, fileSkipReason } from './folder-rules';

const file = (path: string, type = '', size = 10) => ({
  path,
  file: new Blob([new Uint8Array(size)], { type }),
});

describe('classifyFolder', () => {
  it('makes each top-level sub-folder of a picked folder a class', () => {
    const result = classifyFolder([
      file('photos/cats/a.jpg'),
      file('photos/cats/b.png'),
      file('photos/dogs/x.jpeg'),
    ]);
    expect(result.classNames).toEqual(['cats', 'dogs']);
    expect(result.files.map((f) => [f.className, f.path])).toEqual([
      ['cats', 'photos/cats/a.jpg'],
      ['cats', 'photos/cats/b.png'],
      ['dogs', 'photos/dogs/x.jpeg'],
    ]);
    expect(result.skipped).toEqual([]);
  });

  it('takes dropped class folders directly, without a shared parent', () => {
    const result = classifyFolder([file('cats/a.jpg'), file('dogs/b.jpg')]);
    expect(result.classNames).toEqual(['cats', 'dogs']);
  });

  it('walks nested folders into their top-level class', () => {
    const result = classifyFolder([
      file('data/cats/indoor/a.jpg'),
      file('data/cats/b.jpg'),
      file('data/dogs/2024/june/c.jpg'),
    ]);
    expect(result.files.map((f) => f.className)).toEqual(['cats', 'cats', 'dogs']);
  });

  it('keeps a single folder of images as one class instead of treating files as classes', () => {
    const result = classifyFolder([file('cats/a.jpg'), file('cats/b.jpg')]);
    expect(result.classNames).toEqual(['cats']);
  });

  it('lists files outside any class folder and non-images with their reasons', () => {
    const result = classifyFolder([
      file('photos/readme.txt', 'text/plain'),
      file('photos/cover.jpg'),
      file('photos/cats/a.jpg'),
      file('photos/cats/notes.txt', 'text/plain'),
      file('photos/cats/.DS_Store'),
      file('photos/dogs/b.heic', 'image/heic'),
      file('photos/dogs/c.jpg', 'image/jpeg', 0),
      file('photos/dogs/d.webp'),
    ]);
    expect(result.classNames).toEqual(['cats', 'dogs']);
    const reasons = Object.fromEntries(result.skipped.map((s) => [s.path, s.reason]));
    expect(reasons).toEqual({
      'photos/readme.txt': 'not an image (.txt)',
      'photos/cover.jpg': 'not inside a class folder',
      'photos/cats/notes.txt': 'not an image (.txt)',
      'photos/cats/.DS_Store': 'hidden or system file',
      'photos/dogs/b.heic': 'unsupported image format (.heic); convert it to PNG or JPEG',
      'photos/dogs/c.jpg': 'empty file',
    });
    expect(result.files.map((f) => f.path)).toEqual(['photos/cats/a.jpg', 'photos/dogs/d.webp']);
  });

  it('sorts classes and files naturally (2 before 10)', () => {
    const result = classifyFolder([
      file('d/class10/a.png'),
      file('d/class2/img10.png'),
      file('d/class2/img2.png'),
    ]);
    expect(result.classNames).toEqual(['class2', 'class10']);
    expect(result.files[0]?.path).toBe('d/class2/img2.png');
  });
});

describe('fileSkipReason', () => {
  it('accepts an image by MIME type when the name has no extension', () => {
    expect(fileSkipReason('scan', 'image/png', 100)).toBeNull();
  });
  it('refuses a file with neither an image name nor an image type', () => {
    expect(fileSkipReason('model.bin', 'application/octet-stream', 100)).toBe(
      'not an image (.bin)',
    );
    expect(fileSkipReason('Makefile', '', 100)).toBe('not an image');
  });
  it('names formats the browser cannot decode', () => {
    expect(fileSkipReason('x.TIFF', '', 100)).toMatch(/unsupported image format \(\.tiff\)/);
  });
});
