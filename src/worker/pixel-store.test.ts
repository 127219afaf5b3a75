import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openPixelStore, PixelStorageFullError } from './pixel-store';

const image = (side: number, value: number) => new Uint8Array(side * side * 3).fill(value);

describe('pixel store', () => {
  it('writes images as they come and reads any batch back in the asked order', async () => {
    const store = openPixelStore('t1');
    const sink = store.sink(4);
    for (let i = 0; i < 70; i++) await sink.add(image(4, i));
    const set = await sink.finish();
    expect(set.length).toBe(70);
    expect(set.where).toBe('storage');
    const batch = await set.read([69, 0, 33, 33]);
    expect(batch.map((b) => b[0])).toEqual([69, 0, 33, 33]);
    expect(batch[0]!.length).toBe(48);
    await expect(set.read([70])).rejects.toThrow('Image 70 is missing');
    await store.destroy();
  });

  it('keeps two sets apart, and clearing one leaves the other', async () => {
    const store = openPixelStore('t2');
    const a = store.sink(2);
    const b = store.sink(2);
    for (let i = 0; i < 5; i++) {
      await a.add(image(2, 10 + i));
      await b.add(image(2, 20 + i));
    }
    const [sa, sb] = [await a.finish(), await b.finish()];
    await sa.clear();
    await expect(sa.read([0])).rejects.toThrow('missing');
    expect((await sb.read([4]))[0]![0]).toBe(24);
    await store.destroy();
  });

  it('an aborted sink leaves nothing behind', async () => {
    const store = openPixelStore('t3');
    const sink = store.sink(2);
    for (let i = 0; i < 40; i++) await sink.add(image(2, i));
    await sink.abort();
    const next = await store.sink(2).finish();
    expect(next.length).toBe(0);
    await store.destroy();
  });

  it('refuses an image of the wrong size', async () => {
    const store = openPixelStore('t4');
    await expect(store.sink(4).add(image(3, 0))).rejects.toThrow('not 4×4 RGB');
    await store.destroy();
  });

  it('a full quota becomes a message that names what was written', () => {
    const err = new PixelStorageFullError(1234, 224);
    expect(err.message).toContain('full after 1,234 images at 224 px');
    expect(err.message).toContain('they were dropped');
  });
});
