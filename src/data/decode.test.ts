import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeFailure, headerProblem, imageSize, sniffFormat } from './decode';

const fixture = (name: string) => new Uint8Array(readFileSync(`e2e/fixtures/${name}`));
const sample = (path: string) => new Uint8Array(readFileSync(`public/samples/${path}`));

/** A PNG header (signature + IHDR) announcing w×h, with no pixels after it. */
function pngHeader(w: number, h: number): Uint8Array {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);
  new DataView(b.buffer).setUint32(16, w);
  new DataView(b.buffer).setUint32(20, h);
  return b;
}

describe('image headers', () => {
  it('reads width and height of PNG and JPEG (greyscale, CMYK, cut short) without decoding', () => {
    expect(imageSize(sample('fashion-target/Sneaker/000.png'))).toEqual({ width: 28, height: 28 });
    for (const f of ['grey.jpg', 'cmyk.jpg', 'truncated.jpg'])
      expect(imageSize(fixture(f))).toEqual({ width: 64, height: 64 });
    expect(imageSize(fixture('alpha.png'))).toEqual({ width: 64, height: 64 });
    expect(imageSize(pngHeader(30000, 20000))).toEqual({ width: 30000, height: 20000 });
  });

  it('names formats browsers cannot decode, whatever the file is called', () => {
    expect(sniffFormat(fixture('photo.heic'))).toBe('HEIC');
    expect(sniffFormat(fixture('photo.tif'))).toBe('TIFF');
    expect(sniffFormat(new TextEncoder().encode('<?xml version="1.0"?>\n<svg xmlns="…">'))).toBe(
      'SVG',
    );
    expect(headerProblem(fixture('photo.heic'))).toMatch(
      /HEIC file, whatever its name.*PNG or JPEG/,
    );
    expect(headerProblem(fixture('grey.jpg'))).toBeNull();
  });

  it('refuses an image with more pixels than a tab can hold before decoding it', () => {
    expect(headerProblem(pngHeader(30000, 30000))).toMatch(
      /too large to decode \(30000×30000, 900 megapixels/,
    );
    expect(headerProblem(pngHeader(8000, 8000))).toBeNull();
  });

  it('reads no size from a damaged PNG whose IHDR chunk is missing (it is corrupt, not huge)', () => {
    const damaged = new Uint8Array(58).fill(0x78); // 'x' after the signature
    damaged.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(imageSize(damaged)).toBeNull();
    expect(headerProblem(damaged)).toBeNull();
    expect(decodeFailure(damaged)).toMatch(/^corrupt or unreadable image \(a PNG/);
  });

  it('says whether a file that failed to decode looked like an image at all', () => {
    expect(decodeFailure(fixture('truncated.jpg'))).toBe(
      'corrupt or unreadable image (a 64×64 JPEG that is damaged or cut short)',
    );
    expect(decodeFailure(new TextEncoder().encode('hello'))).toMatch(
      /^corrupt or unreadable image \(the contents are not a known image format\)/,
    );
  });
});
