/**
 * Predict actions: the run whose classifier predicts (chosen, or the one just trained),
 * classifying files and camera frames, and exporting that classifier.
 */
import type { DatasetFile, RunRecord } from '../../domain';
import { PREDICT_IDLE } from '../../state/predict-slice';
import type { StudioActions } from '../../ui/studio-actions';
import type { ExportedModelMessage } from '../../worker/protocol';
import { exportName, modelZip } from '../model-zip';
import { useStudio } from '../../state/store';
import { store, type ActionContext } from './context';
import type { ModelActions } from './model';
import type { WeightsKeeper } from './weights';

export interface PredictActions {
  actions: Pick<
    StudioActions,
    'choosePredictRun' | 'predictFiles' | 'predictFrame' | 'exportModel'
  >;
  /** A run just finished training: predict with it (when its network is still the one loaded). */
  useTrainedRun: (run: RunRecord) => Promise<void>;
  /** The worker exported the classifier: package and download it. */
  exported: (files: ExportedModelMessage) => void;
}

/** Test-time augmentation (the training options' flip): passed to the worker only when on. */
const flip = (): [] | [true] => (store().params.testTimeAugmentation ? [true] : []);

export function predictActions(
  { client, download }: ActionContext,
  weights: WeightsKeeper,
  ensureModel: ModelActions['ensureModel'],
): PredictActions {
  /** Still the run in use (the user may choose another while this one loads). */
  const current = (id: string) => store().predict.runId === id;

  const send = (key: string, files: DatasetFile[]) => {
    store().setPredict({ status: 'predicting', results: [], skipped: [] });
    client.predict(key, files, ...flip());
  };
  /**
   * Files chosen while the run's classifier is still being built: sent once it is ready.
   * Sent at once, they reached the worker before the classifier and were answered for no
   * run (the table stayed empty).
   */
  let waiting: { key: string; files: DatasetFile[] } | null = null;
  useStudio.subscribe((s, before) => {
    if (!waiting || s.predict.status === before.predict.status) return;
    const { key, files } = waiting;
    if (s.predict.runId !== key) waiting = null;
    else if (s.predict.status === 'ready') {
      waiting = null;
      send(key, files);
    } else if (s.predict.status === 'error') waiting = null;
  });

  /** Builds the classifier of run `id`; `justTrained`: it was not chosen, it had just finished. */
  const use = async (id: string, justTrained: boolean) => {
    const run = store().runs.find((r) => r.id === id);
    if (!run) return;
    store().setPredict({ ...PREDICT_IDLE, runId: id, justTrained, status: 'loading' });
    const trained = await weights.get(id);
    if (!current(id)) return;
    if (!trained) {
      store().setPredict({
        status: 'error',
        error: `Run ${id} has no stored weights (it did not finish, or storage is off): train it again to use it.`,
      });
      return;
    }
    // The run may have been trained on another network or input size: load that first.
    const model = await ensureModel(run.modelId, run.resolution);
    if (!current(id)) return;
    if (!model.loaded) {
      store().setPredict({
        status: 'error',
        error: `Run ${id} needs ${run.model || run.modelId} at ${run.resolution} px, which did not load (${model.reason}): choose the run again.`,
      });
      return;
    }
    client.useClassifier({
      key: id,
      featureLayer: run.plan.featureLayer,
      classNames: run.classNames,
      weights: trained,
    });
  };

  return {
    useTrainedRun: async (run) => {
      const model = store().model;
      // The user moved on to another network meanwhile: do not load this one back behind their back.
      if (model?.card.id !== run.modelId || model.resolution !== run.resolution) return;
      await use(run.id, true);
    },
    exported: (files) => {
      const run = store().runs.find((r) => r.id === store().predict.runId);
      const name = exportName(run?.dataset ?? 'thaw-model');
      download(`${name}.zip`, modelZip(files, name));
      store().setPredict({ exporting: false });
    },
    actions: {
      choosePredictRun: (id) => use(id, false),
      predictFiles: (files) => {
        const key = store().predict.runId;
        if (!key) return;
        if (store().predict.status === 'loading') waiting = { key, files };
        else send(key, files);
      },
      predictFrame: (frame) => {
        const key = store().predict.runId;
        const { status, framePending } = store().predict;
        if (!key || status !== 'ready' || framePending) return frame.close();
        store().setPredict({ framePending: true });
        client.predictFrame(key, frame, ...flip());
      },
      exportModel: () => {
        const key = store().predict.runId;
        if (!key || store().predict.status !== 'ready') return;
        store().setPredict({ exporting: true });
        client.exportModel(key);
      },
    },
  };
}
