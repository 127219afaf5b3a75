/**
 * The studio: the worker client, the store and the families of actions put together. Each
 * family lives in actions/ with its test; the worker's answers reach the store through the
 * router. This file only composes them.
 */
import { createWorkerClient } from '../client/worker-client';
import { useStudio } from '../state/store';
import type { StudioStorage } from '../storage/studio-storage';
import type { StudioActions } from '../ui/studio-actions';
import { datasetActions } from './actions/dataset';
import { experimentActions } from './actions/experiment';
import { lrFindActions } from './actions/lr-find';
import { lessonsActions } from './actions/lessons';
import { modelActions } from './actions/model';
import { persist, restore } from './actions/persistence';
import { predictActions } from './actions/predict';
import { projectActions } from './actions/project';
import { quadrantExperimentActions } from './actions/quadrant-experiment';
import { runsActions } from './actions/runs';
import { trainActions } from './actions/train';
import { createWeightsKeeper } from './actions/weights';
import { download } from './experiment';
import { applyMessage, type MessageEffects } from './router';

export interface Studio {
  actions: StudioActions;
  /** Brings back what was stored (settings, runs, dataset), then starts the worker. */
  start: () => Promise<void>;
}

export function createStudio(makeWorker?: () => Worker, storage?: StudioStorage): Studio {
  // The worker answers only after a request, by which time `effects` and `train` exist.
  const client = createWorkerClient(
    {
      onMessage: (msg, job) => applyMessage(msg, job, effects),
      onCrash: (reason, running, silent) => {
        train.crashed(reason, running, silent);
        lrFind.crashed(reason, running);
      },
    },
    makeWorker,
  );
  const context = { client, storage, download };
  const weights = createWeightsKeeper(storage);
  const dataset = datasetActions(context);
  const model = modelActions(context);
  const predict = predictActions(context, weights, model.ensureModel);
  const train = trainActions(context, (run) => void predict.useTrainedRun(run));
  const lrFind = lrFindActions(context);
  const project = projectActions(context, {
    weights,
    sendDataset: dataset.send,
    ensureModel: model.ensureModel,
  });
  const effects: MessageEffects = {
    onSourceSample: (id) => void dataset.sendSourceTest(id),
    onDatasetRead: dataset.read,
    onDatasetCancelled: dataset.cancelled,
    onWeights: weights.receive,
    onExported: predict.exported,
    onJob: project.jobFiles,
  };

  const quadrantExperiment = quadrantExperimentActions(context);
  const actions: StudioActions = {
    ...dataset.actions,
    ...model.actions,
    ...train.actions,
    ...lrFind.actions,
    ...runsActions(context, weights),
    ...predict.actions,
    ...project.actions,
    ...experimentActions(context, model.ensureModel),
    ...quadrantExperiment,
    ...lessonsActions(context, {
      ensureModel: model.ensureModel,
      samples: dataset.actions.samples,
      loadSample: dataset.actions.loadSample,
      runQuadrantExperiment: quadrantExperiment.runQuadrantExperiment,
    }),
  };

  return {
    actions,
    start: async () => {
      actions.setBackend(useStudio.getState().backendChoice);
      const { modelId, resolution } = await restore(storage, dataset.send);
      model.loadModel(modelId, resolution);
      if (storage) persist(storage);
    },
  };
}
