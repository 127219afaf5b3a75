/**
 * Dataset actions: samples, picked and dropped folders, camera captures; and the state of
 * the folder being read — stored once the worker has read it to the end, forgotten when
 * the read is cancelled.
 */
import { createImageUrls } from '../../client/image-urls';
import { SAMPLES, sampleFiles } from '../../client/samples';
import { droppedItems, filesFromEntries, filesFromInput } from '../../data/traverse';
import type { DatasetFile, SkippedFile } from '../../domain';
import type { StudioActions } from '../../ui/studio-actions';
import type { DatasetCancelledMessage } from '../../worker/protocol';
import { store, storeAndCount, type ActionContext } from './context';

export interface DatasetActions {
  actions: Pick<
    StudioActions,
    | 'samples'
    | 'loadSample'
    | 'cancelDataset'
    | 'loadPickedFolder'
    | 'loadDropped'
    | 'captureToClass'
    | 'deleteDataset'
    | 'imageUrl'
  >;
  /** Hands a dataset to the worker; `save`: store it once it is read (not for one read back from storage). */
  send: (name: string, files: DatasetFile[], skipped: SkippedFile[], save?: boolean) => void;
  /** The worker read the folder to the end. */
  read: () => void;
  /** The worker stopped reading it; it still holds `previous` (or nothing). */
  cancelled: (previous: DatasetCancelledMessage['previous'], reason: string | undefined) => void;
  /** Sends the source task's test images: a bundled sample, or (null) the dataset's own. */
  sendSourceTest: (sampleId: string | null) => Promise<void>;
}

export function datasetActions({ client, storage }: ActionContext): DatasetActions {
  const images = createImageUrls(client.datasetFiles);
  /** The dataset the worker holds, and the one being read. */
  let loaded: { name: string } | null = null;
  let reading: {
    name: string;
    files: DatasetFile[];
    skipped: SkippedFile[];
    save: boolean;
  } | null = null;

  const send: DatasetActions['send'] = (name, files, skipped, save = true) => {
    images.clear();
    store().setDatasetLoading(name, files.length);
    reading = { name, files, skipped, save };
    client.loadDataset(files, skipped, store().imageBudgetBytes, (handed, total) =>
      store().setHandoff(handed, total),
    );
    // A model whose source classes are the user's own (no bundled sample) measures forgetting on them.
    const card = store().model?.card;
    if (card?.sourceClasses?.length && !card.sourceSample) client.loadSourceTest(files);
  };

  return {
    send,
    read: () => {
      const read = reading;
      reading = null;
      if (!read) return;
      loaded = { name: read.name };
      if (read.save)
        storeAndCount(storage, (s) =>
          s.saveDataset({ name: read.name, files: read.files, skipped: read.skipped }),
        );
    },
    cancelled: (previous, reason) => {
      reading = null;
      images.clear();
      store().setDatasetCancelled(
        previous && loaded ? { ...previous, name: loaded.name } : null,
        reason,
      );
    },
    sendSourceTest: async (sampleId) => {
      if (sampleId === null) {
        if (client.datasetFiles().length > 0) client.loadSourceTest([...client.datasetFiles()]);
        return;
      }
      try {
        client.loadSourceTest(await sampleFiles(sampleId, sampleId));
      } catch (err) {
        console.warn(`Source test sample unavailable: ${(err as Error).message}`);
      }
    },
    actions: {
      samples: SAMPLES,
      loadSample: async (sample) => {
        store().setDatasetLoading(sample.name, 0);
        try {
          send(sample.name, await sampleFiles(sample.id, sample.name), []);
        } catch (err) {
          store().setDatasetError(
            `Could not load the sample "${sample.name}": ${(err as Error).message}`,
          );
        }
      },
      cancelDataset: () => client.cancelDataset(),
      loadPickedFolder: (list) => {
        const files = filesFromInput(list);
        send(files[0]?.path.split('/')[0] ?? 'Picked folder', files, []);
      },
      loadDropped: (transfer) => {
        const { entries, files } = droppedItems(transfer);
        if (files.length > 0) {
          send(
            'Dropped files',
            files.map((file) => ({ path: file.name, file })),
            [],
          );
          return;
        }
        const name =
          entries.length === 1
            ? (entries[0]?.name ?? 'Dropped folder')
            : `${entries.length} dropped folders`;
        store().setDatasetLoading(name, 0);
        filesFromEntries(entries)
          .then((found) => send(name, found, []))
          .catch((err: unknown) =>
            store().setDatasetError(`Could not read the dropped folder: ${String(err)}`),
          );
      },
      captureToClass: (className, image) => {
        const files = [...client.datasetFiles()];
        const sibling = files.find((f) => f.path.split('/').slice(-2, -1)[0] === className);
        const folder = sibling
          ? sibling.path.slice(0, sibling.path.lastIndexOf('/'))
          : `${store().datasetName ?? 'Camera'}/${className}`;
        const name = `${folder}/capture-${new Date().toISOString().replace(/[:.]/g, '-')}.png`;
        send(store().datasetName ?? 'Camera', [...files, { path: name, file: image }], []);
      },
      deleteDataset: () => storeAndCount(storage, (s) => s.deleteDataset()),
      imageUrl: images.get,
    },
  };
}
