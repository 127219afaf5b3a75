/**
 * The router: turns each current answer of the training worker into store updates (or
 * effects the studio performs). The one place that maps worker answers to the store.
 */
import type { Job } from '../client/worker-client';
import { useStudio } from '../state/store';
import type { TrainedWeights } from '../domain';
import type {
  DatasetCancelledMessage,
  ExportedJobMessage,
  ExportedModelMessage,
  FromWorker,
} from '../worker/protocol';

const store = () => useStudio.getState();

export interface MessageEffects {
  /**
   * The model keeps a source head: send its source task's test images — a bundled sample,
   * or (null) the dataset's images of the source classes, e.g. a Teachable Machine model's.
   */
  onSourceSample: (id: string | null) => void;
  /** The folder was read to the end: it is the dataset now (to store). */
  onDatasetRead: () => void;
  /** Reading the folder was cancelled; the worker still holds `previous` (or nothing). */
  onDatasetCancelled: (
    previous: DatasetCancelledMessage['previous'],
    reason: string | undefined,
  ) => void;
  /** A run's trained weights, to store. */
  onWeights: (weights: TrainedWeights) => void;
  /** The exported classifier's files, to package and download. */
  onExported: (files: ExportedModelMessage) => void;
  /** A training job's files, to package with job.json and the runner. */
  onJob: (files: ExportedJobMessage) => void;
}

/** Turns one current answer of the worker into store updates. */
export function applyMessage(msg: FromWorker, job: Job, effects: MessageEffects): void {
  const s = store();
  switch (msg.type) {
    case 'backend':
      return s.setBackendReport(msg.report);
    case 'model':
      s.setModel(msg.info);
      if (msg.info.card.sourceSample) effects.onSourceSample(msg.info.card.sourceSample);
      else if (msg.info.card.sourceClasses?.length) effects.onSourceSample(null);
      return;
    case 'resize-progress':
      return s.setDecodeProgress(
        msg.done,
        msg.total,
        'Preparing the images for the new input size…',
      );
    case 'model-ready':
      if (msg.imagesResized) s.setDatasetResized();
      return;
    case 'decode-progress':
      return s.setDecodeProgress(msg.done, msg.total);
    case 'dataset':
      s.setDataset(msg.classes, msg.skipped, msg.examples, msg.where);
      return effects.onDatasetRead();
    case 'dataset-cancelled':
      return effects.onDatasetCancelled(msg.previous, msg.reason);
    case 'source-test-loaded':
      return; // nothing to show: the next run measures forgetting on them
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
    case 'lr-find-progress':
      return s.setLrFind({ progress: { phase: msg.phase, done: msg.done, total: msg.total } });
    case 'lr-find-result':
      return s.setLrFind({ status: 'done', progress: null, result: msg.result, error: null });
    case 'probe-progress':
      return s.setProbeProgress(msg.done);
    case 'probe-result':
      return s.setProbe({ status: 'done', points: msg.points });
    case 'probe-stopped':
      return s.setProbe({ status: 'idle' });
    case 'feature-maps':
      return s.setFeatureMaps(msg.maps, null);
    case 'done':
      return s.finishRun({
        stopped: msg.stopped,
        valAccuracy: msg.valAccuracy,
        bestEpoch: msg.bestEpoch,
        stoppedEarly: msg.stoppedEarly,
        tensors: { before: msg.numTensorsBefore, after: msg.numTensors },
        timings: msg.timings,
      });
    case 'weights':
      return effects.onWeights(msg.weights);
    case 'classifier-ready':
      return s.setPredict({
        status: 'ready',
        classNames: msg.classNames,
        imageSize: msg.imageSize,
        error: null,
      });
    case 'predictions':
      return s.setPredict({ status: 'ready', results: msg.results, skipped: msg.skipped });
    case 'frame-prediction':
      return s.setPredict({ frame: msg.top, framePending: false });
    case 'exported-model':
      return effects.onExported(msg);
    case 'exported-job':
      return effects.onJob(msg);
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
    case 'load-model':
      return s.setModelError(message);
    case 'load-dataset':
      return s.setDatasetError(message);
    case 'load-source-test':
      return console.warn(`Source test images: ${message}`);
    case 'lr-find':
      return s.setLrFind({ status: 'error', progress: null, error: message });
    case 'probe':
      return s.setProbe({ status: 'error', error: message });
    case 'feature-maps':
      return s.setFeatureMaps(null, message);
    case 'use-classifier':
    case 'predict':
    case 'export-model':
      return s.setPredict({ status: 'error', error: message, exporting: false });
    case 'predict-frame':
      return s.setPredict({ frame: null, framePending: false, error: message });
    case 'train':
      return s.failRun(message);
    case 'export-job':
      return s.setStorageError(`Could not export the training job: ${message}`);
    default: {
      const unknown: never = job;
      console.warn(`Error from unknown job ${String(unknown)}: ${message}`);
    }
  }
}
