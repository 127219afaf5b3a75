/**
 * Project actions: the whole studio saved to one file and opened again, a run imported
 * from the PyTorch runner, and the current plan exported as a training job for it.
 */
import { catalogEntry } from '../../model/catalog';
import { PREDICT_IDLE } from '../../state/predict-slice';
import type { StudioActions } from '../../ui/studio-actions';
import type { ExportedJobMessage } from '../../worker/protocol';
import { exportName } from '../model-zip';
import { packProject, unpackProject } from '../project';
import { importRunnerRun, jobZip, type JobSetup } from '../training-job';
import { safely, store, type ActionContext } from './context';
import type { DatasetActions } from './dataset';
import type { ModelActions } from './model';
import type { WeightsKeeper } from './weights';

export interface ProjectActions {
  actions: Pick<StudioActions, 'saveProject' | 'openProject' | 'importRun' | 'exportTrainingJob'>;
  /** The worker sent the training job's files: package them with job.json and download. */
  jobFiles: (files: ExportedJobMessage) => void;
}

export function projectActions(
  { client, storage, download }: ActionContext,
  parts: {
    weights: WeightsKeeper;
    sendDataset: DatasetActions['send'];
    ensureModel: ModelActions['ensureModel'];
  },
): ProjectActions {
  /** The set-up of the training job being exported (its files come from the worker). */
  let pendingJob: JobSetup | null = null;

  return {
    jobFiles: (files) => {
      if (pendingJob)
        download(`${exportName(pendingJob.name)}-training-job.zip`, jobZip(pendingJob, files));
      pendingJob = null;
    },
    actions: {
      saveProject: async () => {
        if (!storage) return;
        await safely(async () => {
          const s = store();
          const [weights, dataset, settings] = await Promise.all([
            storage.allWeights(),
            storage.loadDataset(),
            storage.loadSettings(),
          ]);
          const blob = await packProject({
            settings: settings ?? null,
            dataset: dataset
              ? { name: dataset.name, files: dataset.files, skipped: dataset.skipped }
              : null,
            runs: s.runs.filter((r) => r.status !== 'running'),
            weights,
          });
          download(`${exportName(s.datasetName ?? 'thaw')}.thaw.zip`, blob);
        });
      },
      openProject: async (file) => {
        if (!storage) return;
        try {
          const project = unpackProject(new Uint8Array(await file.arrayBuffer()));
          await storage.replaceAll({
            runs: project.runs,
            weights: project.weights,
            dataset: project.dataset,
            // The memory budget belongs to this machine, not to the project.
            settings: project.settings
              ? { ...project.settings, imageBudgetBytes: store().imageBudgetBytes }
              : null,
          });
          parts.weights.clear();
          store().setRuns(project.runs);
          store().setPredict(PREDICT_IDLE);
          if (project.dataset)
            parts.sendDataset(
              project.dataset.name,
              project.dataset.files,
              project.dataset.skipped,
              false,
            );
          if (project.settings && catalogEntry(project.settings.modelId)) {
            const { modelId, resolution, plan, params } = project.settings;
            store().setParams(params);
            void parts
              .ensureModel(modelId, resolution, false)
              .then((model) => model.loaded && store().setPlan(plan));
          }
          store().setStorageError(null);
          store().setStoredBytes(await storage.usage());
        } catch (err) {
          store().setStorageError(`Could not open "${file.name}": ${(err as Error).message}`);
        }
      },
      importRun: async (files) => {
        const find = (name: string) => files.find((f) => f.name === name);
        const [run, modelJson, weights] = [
          find('run.json'),
          find('model.json'),
          find('weights.bin'),
        ];
        if (!run || !modelJson || !weights) {
          store().setStorageError(
            "Import run needs three files from the runner's output folder: run.json, model/model.json and model/weights.bin.",
          );
          return;
        }
        try {
          const imported = importRunnerRun(
            {
              run: await run.text(),
              modelJson: await modelJson.text(),
              weights: await weights.arrayBuffer(),
            },
            (id) => catalogEntry(id)?.name ?? id,
          );
          store().setRuns([...store().runs, imported.run]);
          await parts.weights.save(imported.weights);
          store().setStorageError(null);
        } catch (err) {
          store().setStorageError(`Could not import the run: ${(err as Error).message}`);
        }
      },
      exportTrainingJob: () => {
        const s = store();
        if (!s.model || s.classes.length === 0) return;
        pendingJob = {
          name: s.datasetName ?? 'thaw-job',
          card: s.model.card,
          resolution: s.model.resolution,
          plan: s.plan,
          params: s.params,
          classNames: s.classes.map((c) => c.name),
        };
        client.exportJob(s.plan.featureLayer);
      },
    },
  };
}
