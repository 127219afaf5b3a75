/**
 * Decodes image files to uint8 RGB at the model's input size, inside the worker
 * (`createImageBitmap` + `OffscreenCanvas`). The image is scaled to cover the square
 * and centre-cropped, so the aspect ratio is kept.
 */

/** Images smaller than this on either side are refused as too small. */
export const MIN_SIDE = 8;

export type DecodeResult = { ok: true; pixels: Uint8Array } | { ok: false; reason: string };

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
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(file);
    } catch {
      return { ok: false, reason: 'corrupt or unreadable image' };
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
