/**
 * Wires the worker client to the store: every current answer of the worker becomes a
 * store action, and every user action reads what it needs from the store and becomes a
 * request. This is the only module that knows both.
 */
import { createImageUrls } from '../client/image-urls';
import { SAMPLES, sampleFiles } from '../client/samples';
import { createWorkerClient, type ClientListener, type Job } from '../client/worker-client';
import { droppedItems, filesFromEntries, filesFromInput } from '../data/traverse';
import { PROBE_IMAGES_PER_CLASS, type DatasetFile, type SkippedFile } from '../domain';
import { catalogEntry } from '../model/catalog';
import { useStudio } from '../state/store';
import type { StudioActions } from '../ui/studio-actions';
import type { FromWorker } from '../worker/protocol';

const store = () => useStudio.getState();

/** Turns one current answer of the worker into store updates. */
export function applyMessage(
  msg: FromWorker,
  job: Job,
  onSourceSample: (id: string) => void,
): void {
  const s = store();
  switch (msg.type) {
    case 'backend':
      return s.setBackendReport(msg.report);
    case 'model':
      s.setModel(msg.info);
      if (msg.info.card.sourceSample) onSourceSample(msg.info.card.sourceSample);
      return;
    case 'decode-progress':
      return s.setDecodeProgress(
        msg.done,
        msg.total,
        job === 'model' ? 'Preparing the images for the new input size…' : null,
      );
    case 'dataset':
      return s.setDataset(msg.classes, msg.skipped, msg.examples);
    case 'dataset-resized':
      return s.setDatasetResized();
    case 'features-progress':
      return s.setFeaturesProgress(msg.done, msg.total, msg.cached);
    case 'batches':
      return s.addBatches(msg.points);
    case 'epoch':
      return s.addEpoch(msg.metrics);
    case 'drift':
      return s.setDrift(msg.drift);
    case 'evaluation':
      return s.setEvaluation(msg.evaluation);
    case 'probe-progress':
      return s.setProbeProgress(msg.done);
    case 'probe-result':
      return s.setProbe({ status: 'done', points: msg.points });
    case 'feature-maps':
      return s.setFeatureMaps(msg.maps, null);
    case 'done':
      if (job === 'train')
        s.finishRun({
          stopped: msg.stopped,
          valAccuracy: msg.valAccuracy,
          bestEpoch: msg.bestEpoch,
          stoppedEarly: msg.stoppedEarly,
          tensors: { before: msg.numTensorsBefore, after: msg.numTensors },
          timings: msg.timings,
        });
      else if (job === 'probe') s.setProbe({ status: 'idle' });
      return;
    case 'error':
      return reportError(job, msg.message);
    default: {
      const unknown: never = msg;
      console.warn('Unknown message from the worker', unknown);
    }
  }
}

function reportError(job: Job, message: string): void {
  const s = store();
  switch (job) {
    case 'init':
      return s.setBackendReport(null, message);
    case 'model':
      return s.setModelError(message);
    case 'dataset':
      return s.setDatasetError(message);
    case 'source':
      return console.warn(`Source test images: ${message}`);
    case 'probe':
      return s.setProbe({ status: 'error', error: message });
    case 'maps':
      return s.setFeatureMaps(null, message);
    case 'train':
      return s.failRun(message);
  }
}

export interface Studio {
  actions: StudioActions;
  /** Starts the worker with the current backend choice and model. */
  start: () => void;
}

export function createStudio(makeWorker?: () => Worker): Studio {
  const listener: ClientListener = {
    onMessage: (msg, job) => applyMessage(msg, job, (id) => void sendSourceTest(id)),
    onCrash: (reason, running) => {
      if (running.includes('train'))
        store().failRun(
          `The training worker crashed (${reason}). It was restarted; your dataset and settings are kept — press Train to try again.`,
        );
      if (running.includes('probe')) store().setProbe({ status: 'error', error: reason });
    },
  };
  const client = createWorkerClient(listener, makeWorker);
  const images = createImageUrls(client.datasetFiles);

  const sendSourceTest = async (id: string) => {
    try {
      client.loadSourceTest(await sampleFiles(id, id));
    } catch (err) {
      console.warn(`Source test sample unavailable: ${(err as Error).message}`);
    }
  };

  const sendDataset = (name: string, files: DatasetFile[], skipped: SkippedFile[]) => {
    images.clear();
    store().setDatasetLoading(name, files.length);
    client.loadDataset(files, skipped);
  };

  const loadModel = (modelId: string) => {
    const entry = catalogEntry(modelId);
    if (!entry) return store().setModelError(`Unknown model "${modelId}".`);
    store().setModelLoading(modelId);
    client.loadModel(
      { kind: 'catalog', modelId, url: new URL(entry.url, location.href).href },
      null,
    );
  };

  const actions: StudioActions = {
    samples: SAMPLES,
    loadSample: async (sample) => {
      store().setDatasetLoading(sample.name, 0);
      try {
        sendDataset(sample.name, await sampleFiles(sample.id, sample.name), []);
      } catch (err) {
        store().setDatasetError(
          `Could not load the sample "${sample.name}": ${(err as Error).message}`,
        );
      }
    },
    loadPickedFolder: (list) => {
      const files = filesFromInput(list);
      sendDataset(files[0]?.path.split('/')[0] ?? 'Picked folder', files, []);
    },
    loadDropped: (transfer) => {
      const { entries, files } = droppedItems(transfer);
      if (files.length > 0) {
        sendDataset(
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
        .then((found) => sendDataset(name, found, []))
        .catch((err: unknown) =>
          store().setDatasetError(`Could not read the dropped folder: ${String(err)}`),
        );
    },
    loadModel,
    loadModelFiles: (files) => {
      store().setModelLoading(store().modelId);
      client.loadModel({ kind: 'files', files }, null);
    },
    loadModelUrl: (url) => {
      let href: string;
      try {
        href = new URL(url, location.href).href;
      } catch {
        return store().setModelError(`"${url}" is not a URL.`);
      }
      store().setModelLoading(store().modelId);
      client.loadModel({ kind: 'url', url: href }, null);
    },
    setResolution: (resolution) => {
      const current = store().model;
      if (!current) return;
      store().setModelLoading(current.card.id);
      client.reloadModel(resolution);
    },
    setBackend: (choice) => {
      store().setBackendChoice(choice);
      store().setBackendReport(null);
      client.setBackend(choice);
    },
    train: () => {
      const { params, plan } = store();
      store().startRun(client.train(params, plan));
    },
    stop: () => client.stop(),
    runProbe: () => {
      store().setProbe({ status: 'running', points: [], error: null });
      client.probe(PROBE_IMAGES_PER_CLASS, store().params.seed);
    },
    requestFeatureMaps: (path, layer) => void client.featureMaps(path, layer),
    imageUrl: images.get,
  };

  return {
    actions,
    start: () => {
      actions.setBackend(store().backendChoice);
      loadModel(store().modelId);
    },
  };
}
