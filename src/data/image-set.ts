/**
 * The decoded images of a dataset, read by index. Small datasets are held in memory; a
 * dataset whose pixels exceed the memory budget lives in IndexedDB and is read per batch
 * (`storage/pixel-store.ts`). Training, features and previews only ever ask for a batch.
 */

export interface ImageSet {
  /** Number of images. */
  readonly length: number;
  /** Side of every image (uint8 RGB, side × side × 3). */
  readonly side: number;
  /** Where the pixels live between batches. */
  readonly where: 'memory' | 'storage';
  /** The images at these indices, in order. */
  read(indices: readonly number[]): Promise<Uint8Array[]>;
  /** Frees what the set holds (its stored records too). */
  clear(): Promise<void>;
}

/** Collects images as they are decoded, then becomes an `ImageSet`. */
export interface ImageSink {
  add(pixels: Uint8Array): Promise<void>;
  finish(): Promise<ImageSet>;
  /** Drops everything added (reading was cancelled or failed). */
  abort(): Promise<void>;
}

/** Bytes of one uint8 RGB image of this side. */
export const bytesPerImage = (side: number) => side * side * 3;

export class MemoryImages implements ImageSet {
  readonly where = 'memory';
  constructor(
    private images: Uint8Array[],
    readonly side: number,
  ) {}
  get length() {
    return this.images.length;
  }
  /** Synchronous access for callers that hold a memory set. */
  at(i: number): Uint8Array {
    const image = this.images[i];
    if (!image) throw new Error(`No image ${i} (the set has ${this.images.length}).`);
    return image;
  }
  read(indices: readonly number[]): Promise<Uint8Array[]> {
    try {
      return Promise.resolve(indices.map((i) => this.at(i)));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }
  clear(): Promise<void> {
    this.images = [];
    return Promise.resolve();
  }
}

export function memorySink(side: number): ImageSink {
  let images: Uint8Array[] = [];
  return {
    add: (pixels) => {
      images.push(pixels);
      return Promise.resolve();
    },
    finish: () => Promise.resolve(new MemoryImages(images, side)),
    abort: () => {
      images = [];
      return Promise.resolve();
    },
  };
}

/** Every index of a set, in order, in consecutive batches of at most `size`. */
export function* indexBatches(length: number, size: number): Generator<number[]> {
  for (let start = 0; start < length; start += size)
    yield Array.from({ length: Math.min(size, length - start) }, (_, j) => start + j);
}
