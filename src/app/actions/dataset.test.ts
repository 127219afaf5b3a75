import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DatasetFile } from '../../domain';
import { resetStudio } from '../../state/store';
import { store } from './context';
import { datasetActions } from './dataset';
import { fakeContext, memoryStorage, settle, teachingInfo } from './testing';

const image = (path: string): DatasetFile => ({
  path,
  file: new File([new Uint8Array([1, 2, 3])], path.split('/').at(-1)!, { type: 'image/png' }),
});

/** A picked folder as the browser's file input gives it. */
const picked = (paths: string[]): FileList =>
  paths.map((p) =>
    Object.assign(new File([new Uint8Array([1])], p.split('/').at(-1)!), { webkitRelativePath: p }),
  ) as unknown as FileList;

beforeEach(() => resetStudio());
afterEach(() => vi.unstubAllGlobals());

describe('dataset actions', () => {
  it('sends a picked folder with the memory budget, and stores it once it is read to the end', async () => {
    const storage = memoryStorage();
    const ctx = fakeContext(storage);
    const dataset = datasetActions(ctx);
    store().setImageBudget(64 * 2 ** 20);
    dataset.actions.loadPickedFolder(picked(['holiday/cats/1.png', 'holiday/dogs/2.png']));
    const [files, skipped, budget] = ctx.fake.sent('loadDataset')[0]!.args;
    expect((files as DatasetFile[]).map((f) => f.path)).toEqual([
      'holiday/cats/1.png',
      'holiday/dogs/2.png',
    ]);
    expect([skipped, budget]).toEqual([[], 64 * 2 ** 20]);
    expect(store().datasetName).toBe('holiday');
    expect(await storage.loadDataset()).toBeUndefined();
    dataset.read();
    await vi.waitFor(() => expect(store().storedBytes).toBe(1234));
    expect((await storage.loadDataset())?.name).toBe('holiday');
  });

  it('does not store again a dataset read back from storage', async () => {
    const storage = memoryStorage();
    const dataset = datasetActions(fakeContext(storage));
    dataset.send('restored', [image('restored/a/1.png')], [], false);
    dataset.read();
    await settle();
    expect(await storage.loadDataset()).toBeUndefined();
  });

  it('a cancelled read goes back to the dataset loaded before, under its name', async () => {
    const storage = memoryStorage();
    const dataset = datasetActions(fakeContext(storage));
    dataset.send('first', [image('first/a/1.png')], [], false);
    dataset.read();
    dataset.send('second', [image('second/a/1.png')], []);
    dataset.cancelled(
      { classes: [{ name: 'a', count: 1 }], skipped: [], examples: [], where: 'memory' },
      undefined,
    );
    expect(store().datasetName).toBe('first');
    expect(store().datasetNotice).toMatch(/"first", 1 images\) is still loaded/);
    // The cancelled one is not stored when a late answer comes.
    dataset.read();
    await settle();
    expect(await storage.loadDataset()).toBeUndefined();
  });

  it('a sample that cannot be fetched gets a sentence naming it', async () => {
    vi.stubGlobal('fetch', () => Promise.resolve(new Response('', { status: 404 })));
    const ctx = fakeContext();
    await datasetActions(ctx).actions.loadSample({
      id: 'nope',
      name: 'Nope',
      description: '',
    } as never);
    expect(store().datasetError).toBe(
      'Could not load the sample "Nope": no sample "nope" (HTTP 404)',
    );
    expect(ctx.fake.requests).toEqual([]);
  });

  it('a camera capture joins its class folder and the dataset is sent again', () => {
    const ctx = fakeContext();
    const dataset = datasetActions(ctx);
    dataset.send('pets', [image('pets/cats/1.png'), image('pets/dogs/2.png')], []);
    dataset.actions.captureToClass('dogs', new Blob([new Uint8Array([9])]));
    dataset.actions.captureToClass('birds', new Blob([new Uint8Array([9])]));
    const last = ctx.fake.sent('loadDataset').at(-1)!.args[0] as DatasetFile[];
    expect(last.map((f) => f.path.replace(/capture-.*/, 'capture'))).toEqual([
      'pets/cats/1.png',
      'pets/dogs/2.png',
      'pets/dogs/capture',
      'pets/birds/capture',
    ]);
  });

  it("a model measured on the user's own source classes gets the dataset as its source test", () => {
    const info = teachingInfo();
    store().setModel({ ...info, card: { ...info.card, sourceClasses: ['a'] } });
    const ctx = fakeContext();
    datasetActions(ctx).send('d', [image('d/a/1.png')], []);
    expect(ctx.fake.sent('loadSourceTest')).toHaveLength(1);
  });
});
