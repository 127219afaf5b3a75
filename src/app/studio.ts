/**
 * Wires the worker client to the store: every current answer of the worker becomes a
 * store action, and every user action reads what it needs from the store and becomes a
 * request. This is the only module that knows both.
 */
import { createImageUrls } from '../client/image-urls';
import { SAMPLES, sampleFiles } from '../client/samples';
import { createWorkerClient, type ClientListener } from '../client/worker-client';
import { droppedItems, filesFromEntries, filesFromInput } from '../data/traverse';
import { PROBE_IMAGES_PER_CLASS, type DatasetFile, type SkippedFile } from '../domain';
import { catalogEntry } from '../model/catalog';
import { useStudio, type StudioState } from '../state/store';
import { PREDICT_IDLE } from '../state/predict-slice';
import type { StudioStorage } from '../storage/studio-storage';
import type { RunRecord } from '../domain';
import { planAtDepth, type SweepDepth } from '../strategy/sweep';
import {
  manifestDifferences,
  parseExperiment,
  type ExperimentFile,
} from '../strategy/experiment-file';
import { download, manifestOf } from './experiment';
import { exportName, modelZip } from './model-zip';
import { packProject, unpackProject } from './project';
import { importRunnerRun, jobZip, type JobSetup } from './training-job';
import type { StudioActions } from '../ui/studio-actions';
import type { DatasetCancelledMessage } from '../worker/protocol';
import { applyMessage } from './router';

const store = () => useStudio.getState();

/** Resolves when the run `runId` has ended: its record, or null when it failed or was replaced. */
function runEnded(runId: string): Promise<RunRecord | null> {
  return new Promise((resolve) => {
    const check = (s: StudioState): boolean => {
      if (s.runId !== runId || s.phase === 'error') resolve(null);
      else if (s.phase === 'done' || s.phase === 'stopped')
        resolve(s.phase === 'done' ? (s.runs.find((r) => r.id === runId) ?? null) : null);
      else return false;
      return true;
    };
    if (check(store())) return;
    const unsubscribe = useStudio.subscribe((s) => {
      if (check(s)) unsubscribe();
    });
  });
}

export interface Studio {
  actions: StudioActions;
  /** Brings back what was stored (settings, runs, dataset), then starts the worker. */
  start: () => Promise<void>;
}

/** Runs a storage operation; a failure becomes a message for the user, and nothing else is lost. */
async function safely(op: () => Promise<unknown>): Promise<void> {
  try {
    await op();
  } catch (err) {
    store().setStorageError((err as Error).message);
  }
}

/** Saves every run record whose object changed (the store replaces a record on each update). */
function persistRuns(storage: StudioStorage): void {
  useStudio.subscribe((state: StudioState, prev: StudioState) => {
    if (state.runs === prev.runs) return;
    const before = new Map(prev.runs.map((r) => [r.id, r]));
    for (const run of state.runs)
      if (before.get(run.id) !== run)
        void safely(async () => {
          await storage.saveRun(run);
          store().setStoredBytes(await storage.usage());
        });
  });
}

/** Saves where the user is (model, resolution, plan, parameters) when it changes. */
function persistSettings(storage: StudioStorage): void {
  useStudio.subscribe((state: StudioState, prev: StudioState) => {
    if (
      state.model === prev.model &&
      state.plan === prev.plan &&
      state.params === prev.params &&
      state.imageBudgetBytes === prev.imageBudgetBytes
    )
      return;
    if (!state.model) return;
    void safely(() =>
      storage.saveSettings({
        modelId: state.model!.card.id,
        resolution: state.model!.resolution,
        plan: state.plan,
        params: state.params,
        imageBudgetBytes: state.imageBudgetBytes,
      }),
    );
  });
}

export function createStudio(makeWorker?: () => Worker, storage?: StudioStorage): Studio {
  const listener: ClientListener = {
    onMessage: (msg, job) =>
      applyMessage(msg, job, {
        onSourceSample: (id) => void sendSourceTest(id),
        onDatasetRead: datasetRead,
        onDatasetCancelled: datasetCancelled,
        onWeights: (w) => void (storage && safely(() => storage.saveWeights(w))),
        onExported: (files) => {
          const run = store().runs.find((r) => r.id === store().predict.runId);
          const name = exportName(run?.dataset ?? 'thaw-model');
          download(`${name}.zip`, modelZip(files, name));
          store().setPredict({ exporting: false });
        },
        onJob: (files) => {
          if (pendingJob)
            download(`${exportName(pendingJob.name)}-training-job.zip`, jobZip(pendingJob, files));
          pendingJob = null;
        },
      }),
    onCrash: (reason, running, silent) => {
      const what = silent ? 'stopped without an error' : `crashed (${reason})`;
      if (running.includes('train'))
        store().failRun(
          `The training worker ${what}. It was restarted; your dataset and settings are kept — press Train to try again.`,
        );
      if (running.includes('probe')) store().setProbe({ status: 'error', error: reason });
    },
  };
  const client = createWorkerClient(listener, makeWorker);
  /** The set-up of the training job being exported (its files come from the worker). */
  let pendingJob: JobSetup | null = null;
  const images = createImageUrls(client.datasetFiles);

  const sendSourceTest = async (id: string | null) => {
    if (id === null) {
      if (client.datasetFiles().length > 0) client.loadSourceTest([...client.datasetFiles()]);
      return;
    }
    try {
      client.loadSourceTest(await sampleFiles(id, id));
    } catch (err) {
      console.warn(`Source test sample unavailable: ${(err as Error).message}`);
    }
  };

  /** The dataset the worker holds, and the one being read (stored once it is read to the end). */
  let loaded: { name: string } | null = null;
  let reading: {
    name: string;
    files: DatasetFile[];
    skipped: SkippedFile[];
    save: boolean;
  } | null = null;
  const sendDataset = (name: string, files: DatasetFile[], skipped: SkippedFile[], save = true) => {
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
  const datasetRead = () => {
    const read = reading;
    reading = null;
    if (!read) return;
    loaded = { name: read.name };
    if (read.save && storage)
      void safely(async () => {
        await storage.saveDataset({ name: read.name, files: read.files, skipped: read.skipped });
        store().setStoredBytes(await storage.usage());
      });
  };
  const datasetCancelled = (
    previous: DatasetCancelledMessage['previous'],
    reason: string | undefined,
  ) => {
    reading = null;
    images.clear();
    store().setDatasetCancelled(
      previous && loaded ? { ...previous, name: loaded.name } : null,
      reason,
    );
  };

  const loadModel = (modelId: string, resolution: number | null = null) => {
    const entry = catalogEntry(modelId);
    if (!entry) return store().setModelError(`Unknown model "${modelId}".`);
    store().setModelLoading(modelId);
    client.loadModel(
      { kind: 'catalog', modelId, url: new URL(entry.url, location.href).href },
      resolution,
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
    cancelDataset: () => client.cancelDataset(),
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
    setValueRange: (range) => {
      const current = store().model;
      if (!current) return;
      store().setModelLoading(current.card.id);
      client.reloadModel(current.resolution, range);
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
    openRun: (id) => store().openRun(id),
    reuseRun: (id) => {
      const run = store().runs.find((r) => r.id === id);
      if (!run) return;
      store().setParams(run.params);
      store().setPlan(run.plan);
    },
    deleteRun: (id) => {
      store().removeRun(id);
      if (storage)
        void safely(async () => {
          await storage.deleteRun(id);
          store().setStoredBytes(await storage.usage());
        });
    },
    startSweep: (depths, seedCount) => void runSweep(depths, seedCount),
    cancelSweep: () => {
      sweepCancelled = true;
      client.stop();
    },
    exportExperiment: async (what) => {
      const s = store();
      const sweep = what === 'sweep' ? s.sweep : null;
      const chosen = what === 'sweep' ? [] : s.runs.filter((r) => what.runIds.includes(r.id));
      const first = chosen[0];
      if (!s.model || (what === 'sweep' && !sweep) || (what !== 'sweep' && !first)) return;
      const file: ExperimentFile = {
        format: 'thaw-experiment',
        version: 1,
        kind: sweep ? 'sweep' : 'run',
        createdAt: new Date().toISOString(),
        modelId: s.model.card.id,
        resolution: s.model.resolution,
        plan: first?.plan ?? s.plan,
        params: first?.params ?? s.params,
        seeds: sweep ? sweep.seeds : chosen.map((r) => r.params.seed),
        depths: sweep ? sweep.depths.map((d) => d.boundary) : undefined,
        dataset: { name: s.datasetName ?? '', files: await manifestOf(client.datasetFiles()) },
        results: sweep
          ? sweep.runs.map((r) => ({
              label: `${sweep.depths[r.depthIndex]!.label}, seed ${r.seed}`,
              valAccuracy: r.valAccuracy,
              testAccuracy: r.testAccuracy,
            }))
          : chosen.map((r) => ({
              label: r.id,
              valAccuracy: r.valAccuracy,
              testAccuracy: r.testAccuracy,
            })),
      };
      download(
        `thaw-${file.kind}-${file.modelId}.json`,
        new Blob([JSON.stringify(file, null, 1)], { type: 'application/json' }),
      );
    },
    importExperiment: async (picked) => {
      try {
        const exp = parseExperiment(await picked.text());
        if (!catalogEntry(exp.modelId))
          throw new Error(
            `The experiment uses the model "${exp.modelId}", which this studio does not have.`,
          );
        store().setParams(exp.params);
        if (store().model?.card.id === exp.modelId) store().setPlan(exp.plan);
        else {
          const unsubscribe = useStudio.subscribe((now) => {
            if (now.model?.card.id !== exp.modelId) return;
            unsubscribe();
            store().setPlan(exp.plan);
          });
          loadModel(exp.modelId, exp.resolution);
        }
        const differences = manifestDifferences(
          exp.dataset.files,
          await manifestOf(client.datasetFiles()),
        );
        store().setExperimentNote(
          differences.length === 0
            ? {
                text: `Experiment "${picked.name}" applied: same data (${exp.dataset.files.length} images, same hashes).`,
                warning: false,
              }
            : {
                text: `Experiment "${picked.name}" applied, but the loaded data differs from the one it was run on: ${differences.join(' ')} Results will not be comparable.`,
                warning: true,
              },
        );
      } catch (err) {
        store().setExperimentNote({ text: (err as Error).message, warning: true });
      }
    },
    choosePredictRun: async (id) => {
      const run = store().runs.find((r) => r.id === id);
      if (!run) return;
      store().setPredict({ ...PREDICT_IDLE, runId: id, status: 'loading' });
      const weights = storage ? await storage.loadWeights(id) : undefined;
      if (!weights) {
        store().setPredict({
          status: 'error',
          error: `Run ${id} has no stored weights (it did not finish, or storage is off): train it again to use it.`,
        });
        return;
      }
      const spec = {
        key: id,
        featureLayer: run.plan.featureLayer,
        classNames: run.classNames,
        weights,
      };
      const current = store().model;
      if (current?.card.id === run.modelId && current.resolution === run.resolution) {
        client.useClassifier(spec);
        return;
      }
      // The run was trained on another network or input size: load that first.
      const unsubscribe = useStudio.subscribe((now) => {
        if (now.model?.card.id !== run.modelId || now.model.resolution !== run.resolution) return;
        unsubscribe();
        client.useClassifier(spec);
      });
      loadModel(run.modelId, run.resolution);
    },
    predictFiles: (files) => {
      const key = store().predict.runId;
      if (!key) return;
      store().setPredict({ status: 'predicting', results: [], skipped: [] });
      client.predict(key, files);
    },
    predictFrame: (frame) => {
      const key = store().predict.runId;
      const { status, framePending } = store().predict;
      if (!key || status !== 'ready' || framePending) return frame.close();
      store().setPredict({ framePending: true });
      client.predictFrame(key, frame);
    },
    captureToClass: (className, image) => {
      const files = [...client.datasetFiles()];
      const sibling = files.find((f) => f.path.split('/').slice(-2, -1)[0] === className);
      const folder = sibling
        ? sibling.path.slice(0, sibling.path.lastIndexOf('/'))
        : `${store().datasetName ?? 'Camera'}/${className}`;
      const name = `${folder}/capture-${new Date().toISOString().replace(/[:.]/g, '-')}.png`;
      sendDataset(store().datasetName ?? 'Camera', [...files, { path: name, file: image }], []);
    },
    exportModel: () => {
      const key = store().predict.runId;
      if (!key || store().predict.status !== 'ready') return;
      store().setPredict({ exporting: true });
      client.exportModel(key);
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
    importRun: async (files) => {
      const find = (name: string) => files.find((f) => f.name === name);
      const [run, modelJson, weights] = [find('run.json'), find('model.json'), find('weights.bin')];
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
        if (storage) await storage.saveWeights(imported.weights);
        store().setStorageError(null);
      } catch (err) {
        store().setStorageError(`Could not import the run: ${(err as Error).message}`);
      }
    },
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
        store().setRuns(project.runs);
        store().setPredict(PREDICT_IDLE);
        if (project.dataset)
          sendDataset(project.dataset.name, project.dataset.files, project.dataset.skipped, false);
        if (project.settings && catalogEntry(project.settings.modelId)) {
          const { modelId, resolution, plan, params } = project.settings;
          store().setParams(params);
          const apply = () => store().setPlan(plan);
          if (store().model?.card.id === modelId && store().model?.resolution === resolution)
            apply();
          else {
            const unsubscribe = useStudio.subscribe((now) => {
              if (now.model?.card.id !== modelId) return;
              unsubscribe();
              apply();
            });
            loadModel(modelId, resolution);
          }
        }
        store().setStorageError(null);
        store().setStoredBytes(await storage.usage());
      } catch (err) {
        store().setStorageError(`Could not open "${file.name}": ${(err as Error).message}`);
      }
    },
    deleteDataset: () => {
      if (storage)
        void safely(async () => {
          await storage.deleteDataset();
          store().setStoredBytes(await storage.usage());
        });
    },
  };

  let sweepCancelled = false;
  /** Trains the current plan at each depth with each seed, one run after another, on one split. */
  const runSweep = async (depths: SweepDepth[], seedCount: number) => {
    const s = store();
    if (!s.model || s.sweep?.status === 'running') return;
    const layers = s.model.layers;
    const base = { plan: s.plan, params: s.params };
    const seeds = Array.from({ length: seedCount }, (_, i) => base.params.seed + i);
    sweepCancelled = false;
    store().startSweep(depths, seeds);
    for (let d = 0; d < depths.length; d++) {
      for (const seed of seeds) {
        if (sweepCancelled) return store().endSweep('cancelled');
        const setup = {
          plan: planAtDepth(layers, base.plan, depths[d]!),
          params: { ...base.params, seed, splitSeed: base.params.seed },
        };
        const t0 = performance.now();
        const runId = client.train(setup.params, setup.plan);
        store().startRun(runId, setup);
        const record = await runEnded(runId);
        if (sweepCancelled) return store().endSweep('cancelled');
        if (!record)
          return store().endSweep('failed', store().trainingError ?? 'A run of the sweep failed.');
        store().addSweepRun({
          depthIndex: d,
          seed,
          valAccuracy: record.valAccuracy,
          testAccuracy: record.testAccuracy,
          seconds: (performance.now() - t0) / 1000,
        });
      }
    }
    store().endSweep('done');
  };

  const restore = async (): Promise<{ modelId: string; resolution: number | null }> => {
    const fallback = { modelId: store().modelId, resolution: null };
    if (!storage) return fallback;
    try {
      const [settings, runs, dataset] = await Promise.all([
        storage.loadSettings(),
        storage.loadRuns(),
        storage.loadDataset(),
      ]);
      store().setRuns(runs);
      if (settings?.imageBudgetBytes) store().setImageBudget(settings.imageBudgetBytes);
      if (dataset) sendDataset(dataset.name, dataset.files, dataset.skipped, false);
      store().setStoredBytes(await storage.usage());
      if (settings && catalogEntry(settings.modelId)) {
        store().setParams(settings.params);
        store().setPlan(settings.plan);
        useStudio.setState({ modelId: settings.modelId });
        return { modelId: settings.modelId, resolution: settings.resolution };
      }
    } catch (err) {
      store().setStorageError(`Stored work could not be read: ${(err as Error).message}`);
    }
    return fallback;
  };

  return {
    actions,
    start: async () => {
      actions.setBackend(store().backendChoice);
      const { modelId, resolution } = await restore();
      loadModel(modelId, resolution);
      if (storage) {
        persistRuns(storage);
        persistSettings(storage);
      }
    },
  };
}
