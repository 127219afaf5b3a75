/**
 * Test support for the action families: a fake worker client that records every request
 * (and answers nothing — a test answers through the store), a fake storage in memory, and
 * a model's description.
 */
import type { WorkerClient } from '../../client/worker-client';
import type { DatasetFile, ModelInfo, RunRecord, TrainedWeights } from '../../domain';
import { useStudio } from '../../state/store';
import { startRecord } from '../../state/training-slice';
import type { StoredDataset, StoredSettings } from '../../storage/db';
import type { StudioStorage } from '../../storage/studio-storage';
import type { ActionContext } from './context';

export interface Request {
  method: keyof WorkerClient;
  args: unknown[];
  /** The id the client returned for it. */
  id: string;
}

export interface FakeClient {
  client: WorkerClient;
  requests: Request[];
  /** The requests of one kind, in order. */
  sent: (method: keyof WorkerClient) => Request[];
}

/** A worker client that records requests; each returns the id `<method>-<n>`. */
export function fakeClient(): FakeClient {
  const requests: Request[] = [];
  let files: readonly DatasetFile[] = [];
  const client = new Proxy({} as WorkerClient, {
    get: (_, method: keyof WorkerClient) => {
      if (method === 'datasetFiles') return () => files;
      return (...args: unknown[]) => {
        if (method === 'loadDataset') files = args[0] as DatasetFile[];
        const id = `${method}-${requests.length + 1}`;
        requests.push({ method, args, id });
        return id;
      };
    },
  });
  return { client, requests, sent: (method) => requests.filter((r) => r.method === method) };
}

/** A storage in memory; `fail` makes each named operation reject (a full disk). */
export function memoryStorage(
  fail: Partial<Record<keyof StudioStorage, string>> = {},
): StudioStorage & {
  weights: Map<string, TrainedWeights>;
  runs: Map<string, RunRecord>;
} {
  const weights = new Map<string, TrainedWeights>();
  const runs = new Map<string, RunRecord>();
  let dataset: StoredDataset | undefined;
  let settings: StoredSettings | undefined;
  const op =
    <A extends unknown[], R>(name: keyof StudioStorage, f: (...a: A) => R) =>
    async (...a: A): Promise<Awaited<R>> => {
      await Promise.resolve();
      if (fail[name]) throw new Error(fail[name]);
      return await f(...a);
    };
  return {
    weights,
    runs,
    loadRuns: op('loadRuns', () => [...runs.values()]),
    saveRun: op('saveRun', (r: RunRecord) => void runs.set(r.id, r)),
    deleteRun: op('deleteRun', (id: string) => {
      runs.delete(id);
      weights.delete(id);
    }),
    saveWeights: op('saveWeights', (w: TrainedWeights) => void weights.set(w.runId, w)),
    loadWeights: op('loadWeights', (id: string) => weights.get(id)),
    saveDataset: op('saveDataset', (d: Omit<StoredDataset, 'id' | 'savedAt'>) => {
      dataset = { ...d, id: 'current', savedAt: 0 };
    }),
    loadDataset: op('loadDataset', () => dataset),
    deleteDataset: op('deleteDataset', () => void (dataset = undefined)),
    saveSettings: op('saveSettings', (s: Omit<StoredSettings, 'id'>) => {
      settings = { ...s, id: 'studio' };
    }),
    loadSettings: op('loadSettings', () => settings),
    allWeights: op('allWeights', () => [...weights.values()]),
    replaceAll: op('replaceAll', (all: Parameters<StudioStorage['replaceAll']>[0]) => {
      runs.clear();
      weights.clear();
      for (const r of all.runs) runs.set(r.id, r);
      for (const w of all.weights) weights.set(w.runId, w);
      dataset = all.dataset ? { ...all.dataset, id: 'current', savedAt: 0 } : undefined;
      settings = all.settings ? { ...all.settings, id: 'studio' } : undefined;
    }),
    usage: op('usage', () => 1234),
  };
}

/** A context of fakes; `downloads` collects what the user would have been offered. */
export function fakeContext(storage?: StudioStorage): ActionContext & {
  fake: FakeClient;
  downloads: { name: string; data: Blob }[];
} {
  const fake = fakeClient();
  const downloads: { name: string; data: Blob }[] = [];
  return {
    client: fake.client,
    storage,
    download: (name, data) => downloads.push({ name, data }),
    fake,
    downloads,
  };
}

/** The bundled teaching network as the worker describes it (two layers). */
export function teachingInfo(resolution = 28): ModelInfo {
  return {
    card: {
      id: 'teaching-cnn',
      name: 'Teaching CNN',
      source: 'bundled',
      inputSize: 28,
      resolutions: [28],
      channels: 1,
      valueRange: [0, 1],
      featureLayer: 'global_pool',
      provenanceSummary: '',
      provenance: [],
    },
    resolution,
    totalParams: 10,
    layers: [
      { name: 'conv1', className: 'Conv2D', outputShape: '28×28×8', params: 10, cutPoint: true },
      {
        name: 'global_pool',
        className: 'GlobalAveragePooling2D',
        outputShape: '8',
        params: 0,
        cutPoint: true,
      },
    ],
  };
}

/** Trained weights of a run (a head only). */
export function weightsOf(runId: string): TrainedWeights {
  return {
    runId,
    layers: [],
    head: {
      kernel: new Float32Array([1, 2, 3, 4]),
      bias: new Float32Array([5, 6]),
      mean: new Float32Array([0.5, 0.5]),
      std: new Float32Array([2, 2]),
      featureDim: 2,
      numClasses: 2,
    },
  };
}

/** What the worker's answers do to the store when the run in progress ends. */
export function endRun(how: 'done' | 'stopped' | 'no epochs' | 'failed'): void {
  const s = useStudio.getState();
  if (how !== 'no epochs')
    s.addEpoch({ epoch: 1, trainLoss: 1, trainAccuracy: 0.5, valLoss: 1, valAccuracy: 0.7 });
  if (how === 'failed') return useStudio.getState().failRun('out of memory');
  useStudio.getState().finishRun({
    stopped: how === 'stopped',
    valAccuracy: 0.7,
    bestEpoch: 1,
    stoppedEarly: false,
    tensors: { before: 1, after: 1 },
    timings: null,
  });
}

/** A finished run of the model and classes in the store, as stored. */
export function finishedRun(id: string, patch: Partial<RunRecord> = {}): RunRecord {
  return { ...startRecord(useStudio.getState(), id), status: 'done', valAccuracy: 0.7, ...patch };
}

/** Lets every promise already settled run its callbacks (to check that something did not happen). */
export const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
