/**
 * Decodes image files to uint8 RGB at the model's input size, inside the worker
 * (`createImageBitmap` + `OffscreenCanvas`). The image is scaled to cover the square
 * and centre-cropped, so the aspect ratio is kept; transparent pixels come out black.
 *
 * Before decoding, the first bytes are read: a file whose contents are a format the
 * browser cannot decode (an iPhone HEIC saved as `.jpg`, a TIFF, a PDF) or whose header
 * announces more pixels than a tab can hold is refused with that reason, and a file that
 * fails to decode says whether it looked like an image at all.
 */

/** Images smaller than this on either side are refused as too small. */
export const MIN_SIDE = 8;
/**
 * Images with more pixels than this are refused before decoding (decoded, they would take
 * 4 bytes a pixel: 1 GiB at this size). Chromium decodes 16,000 × 16,000 and gives up
 * somewhere below 30,000 × 30,000; this keeps well inside what it does.
 */
export const MAX_PIXELS = 16384 * 16384;
/** How much of a file is read to find its format and size (JPEG headers can follow a large EXIF block). */
const HEADER_BYTES = 256 * 1024;

export type DecodeResult = { ok: true; pixels: Uint8Array } | { ok: false; reason: string };

/** Formats found by their first bytes; the ones in `UNDECODABLE` are refused whatever the file's name. */
export type SniffedFormat =
  | 'PNG'
  | 'JPEG'
  | 'GIF'
  | 'WebP'
  | 'BMP'
  | 'AVIF'
  | 'HEIC'
  | 'TIFF'
  | 'PDF'
  | 'SVG'
  | 'ZIP'
  | 'PSD';

const UNDECODABLE = new Set<SniffedFormat>(['HEIC', 'TIFF', 'PDF', 'SVG', 'ZIP', 'PSD']);

const ascii = (b: Uint8Array, from: number, to: number) =>
  String.fromCharCode(...b.subarray(from, Math.min(to, b.length)));

/** The format a file's first bytes announce, or null if none is recognised. */
export function sniffFormat(b: Uint8Array): SniffedFormat | null {
  if (b[0] === 0x89 && ascii(b, 1, 4) === 'PNG') return 'PNG';
  if (b[0] === 0xff && b[1] === 0xd8) return 'JPEG';
  if (ascii(b, 0, 4) === 'GIF8') return 'GIF';
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'WebP';
  if (ascii(b, 0, 2) === 'BM') return 'BMP';
  if (ascii(b, 4, 8) === 'ftyp') {
    const brand = ascii(b, 8, 12);
    if (brand === 'avif' || brand === 'avis') return 'AVIF';
    if (/^(hei[cmsx]|hev[cmsx]|mif1|msf1)$/.test(brand)) return 'HEIC';
  }
  const start = ascii(b, 0, 4);
  if (start === 'II*\0' || start === 'MM\0*') return 'TIFF';
  if (start === '%PDF') return 'PDF';
  if (start === '8BPS') return 'PSD';
  if (start === 'PK\x03\x04') return 'ZIP';
  const text = ascii(b, 0, 512)
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg'))) return 'SVG';
  return null;
}

const u16be = (b: Uint8Array, i: number) => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
const u16le = (b: Uint8Array, i: number) => (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);
const u32be = (b: Uint8Array, i: number) => ((u16be(b, i) << 16) >>> 0) + u16be(b, i + 2);
const u32le = (b: Uint8Array, i: number) => u16le(b, i) + ((u16le(b, i + 2) << 16) >>> 0);

/** Width and height from the header of a PNG, JPEG, GIF, WebP or BMP, without decoding; null if not found. */
export function imageSize(b: Uint8Array): { width: number; height: number } | null {
  switch (sniffFormat(b)) {
    case 'PNG':
      // Only a real IHDR chunk states the size (a damaged file's bytes would be read as one).
      return b.length >= 24 && ascii(b, 12, 16) === 'IHDR'
        ? { width: u32be(b, 16), height: u32be(b, 20) }
        : null;
    case 'GIF':
      return b.length >= 10 ? { width: u16le(b, 6), height: u16le(b, 8) } : null;
    case 'BMP':
      return b.length >= 26
        ? { width: Math.abs(u32le(b, 18) | 0), height: Math.abs(u32le(b, 22) | 0) }
        : null;
    case 'WebP': {
      const chunk = ascii(b, 12, 16);
      if (chunk === 'VP8X' && b.length >= 30)
        return {
          width: 1 + (b[24]! | (b[25]! << 8) | (b[26]! << 16)),
          height: 1 + (b[27]! | (b[28]! << 8) | (b[29]! << 16)),
        };
      if (chunk === 'VP8 ' && b.length >= 30)
        return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
      if (chunk === 'VP8L' && b.length >= 25) {
        const bits = u32le(b, 21);
        return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
      }
      return null;
    }
    case 'JPEG': {
      // Walk the segments to the first start-of-frame marker.
      let i = 2;
      while (i + 9 < b.length) {
        if (b[i] !== 0xff) return null;
        const marker = b[i + 1]!;
        if (marker === 0xff) {
          i += 1;
          continue;
        }
        const isFrame =
          marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
        if (isFrame) return { height: u16be(b, i + 5), width: u16be(b, i + 7) };
        if (marker === 0xd9 || marker === 0xda) return null;
        i += 2 + u16be(b, i + 2);
      }
      return null;
    }
    default:
      return null;
  }
}

/** Why a file cannot be decoded, judged from its first bytes before decoding; null if it may be tried. */
export function headerProblem(head: Uint8Array): string | null {
  const format = sniffFormat(head);
  if (format && UNDECODABLE.has(format))
    return `the file is a ${format === 'ZIP' ? 'ZIP archive' : `${format} file`}, whatever its name; browsers cannot decode it as an image — convert it to PNG or JPEG`;
  const size = imageSize(head);
  if (size && size.width * size.height > MAX_PIXELS)
    return `too large to decode (${size.width}×${size.height}, ${Math.round((size.width * size.height) / 1e6)} megapixels; at most ${Math.round(MAX_PIXELS / 1e6)}) — scale it down first`;
  return null;
}

/** The reason shown when the browser could not decode a file whose header was read as `head`. */
export function decodeFailure(head: Uint8Array): string {
  const format = sniffFormat(head);
  const size = imageSize(head);
  if (format && size)
    return `corrupt or unreadable image (a ${size.width}×${size.height} ${format} that is damaged or cut short)`;
  if (format) return `corrupt or unreadable image (a ${format} file that is damaged or cut short)`;
  return 'corrupt or unreadable image (the contents are not a known image format)';
}

export class ImageDecoder {
  private readonly canvas: OffscreenCanvas;
  private readonly ctx: OffscreenCanvasRenderingContext2D;

  constructor(readonly size: number) {
    this.canvas = new OffscreenCanvas(size, size);
    const ctx = this.canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx)
      throw new Error('This browser cannot decode images in a worker (no OffscreenCanvas 2D).');
    this.ctx = ctx;
  }

  /** Decodes one file; a failure is returned with the reason the user will read. */
  async decode(file: Blob): Promise<DecodeResult> {
    let head: Uint8Array;
    try {
      head = new Uint8Array(await file.slice(0, HEADER_BYTES).arrayBuffer());
    } catch {
      return { ok: false, reason: 'the file could not be read (moved, deleted or not allowed)' };
    }
    const problem = headerProblem(head);
    if (problem) return { ok: false, reason: problem };
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(file);
    } catch {
      return { ok: false, reason: decodeFailure(head) };
    }
    try {
      const { width, height } = bitmap;
      if (width < MIN_SIDE || height < MIN_SIDE) {
        return {
          ok: false,
          reason: `too small (${width}×${height}; at least ${MIN_SIDE}×${MIN_SIDE})`,
        };
      }
      const s = this.size;
      const scale = Math.max(s / width, s / height);
      const w = width * scale;
      const h = height * scale;
      this.ctx.fillStyle = '#000';
      this.ctx.fillRect(0, 0, s, s);
      this.ctx.imageSmoothingQuality = 'high';
      this.ctx.drawImage(bitmap, (s - w) / 2, (s - h) / 2, w, h);
      const rgba = this.ctx.getImageData(0, 0, s, s).data;
      return { ok: true, pixels: rgbaToRgb(rgba) };
    } catch {
      // Decoding can be deferred to the first draw; a failure there is the same failure.
      return { ok: false, reason: decodeFailure(head) };
    } finally {
      bitmap.close();
    }
  }
}

/** Drops the alpha channel: RGBA bytes → RGB bytes. */
export function rgbaToRgb(rgba: Uint8ClampedArray | Uint8Array): Uint8Array {
  const n = rgba.length / 4;
  const rgb = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    rgb[i * 3] = rgba[i * 4] as number;
    rgb[i * 3 + 1] = rgba[i * 4 + 1] as number;
    rgb[i * 3 + 2] = rgba[i * 4 + 2] as number;
  }
  return rgb;
}
