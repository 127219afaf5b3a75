/**
 * Training jobs for the PyTorch runner (`runner/`): the zip the studio exports (the
 * starting network, `job.json` with the plan, reference outputs, the runner itself), and
 * the run the runner writes back, turned into a run of the studio with its weights.
 */
import { strToU8, zipSync, type Zippable } from 'fflate';
import {
  DEFAULT_PARAMS,
  INPUT_SIZE_RANGE,
  inRange,
  rangeWords,
  type LayerPlan,
  type ModelCard,
  type RunRecord,
  type TrainParams,
  type TrainedWeights,
} from '../domain';
import { parseWith } from '../domain/formats/common';
import { runRecord } from '../domain/formats/run-record';
import {
  parseJobJson,
  parseLayersModelJson,
  parseRunJson,
  type JobJson,
  type LayersModelJson,
  type RunJson,
} from '../domain/formats/runner';
import type { ExportedJobMessage } from '../worker/protocol';

/** The runner's source files, bundled so a job zip runs anywhere without the studio. */
const RUNNER = import.meta.glob(
  ['../../runner/train.py', '../../runner/README.md', '../../runner/thaw_runner/*.py'],
  { query: '?raw', import: 'default', eager: true },
) as Record<string, string>;

/** Extensions the studio decodes, as the runner reads them. */
const DECODE = {
  resize: 'cover-crop',
  extensions: ['png', 'jpg', 'jpeg', 'gif', 'webp', 'bmp', 'avif'],
  minSide: 8,
};

export interface JobSetup {
  name: string;
  card: ModelCard;
  resolution: number;
  plan: LayerPlan;
  params: TrainParams;
  classNames: string[];
}

/**
 * `job.json` (format v1, documented in runner/README.md), checked against the format the
 * runner reads: a job with a value out of range is refused here, not on the GPU machine.
 */
export function jobJson(setup: JobSetup): JobJson {
  return parseJobJson({
    format: 'thaw-training-job',
    version: 1,
    name: setup.name,
    modelId: setup.card.id,
    model: 'model/model.json',
    featureLayer: setup.plan.featureLayer,
    modes: setup.plan.modes,
    classNames: setup.classNames,
    inputSize: setup.resolution,
    channels: setup.card.channels,
    valueRange: setup.card.valueRange,
    decode: DECODE,
    params: setup.params,
    reference: 'reference.json',
  });
}

function readme(setup: JobSetup): string {
  return `# Training job: ${setup.name}

The plan found in Thaw (${setup.card.name}, ${setup.resolution} px, features from \`${setup.plan.featureLayer}\`, ${setup.classNames.length} classes), ready to train on PyTorch with your full folder of images (one sub-folder per class: ${setup.classNames.join(', ')}).

    sudo apt-get install -y python3-torch python3-pil     # or: pip install torch pillow numpy
    python3 runner/train.py --job . --data /path/to/images --out out        # one process
    torchrun --standalone --nproc_per_node=4 runner/train.py --job . --data /path/to/images --out out

Then in Thaw: **Import run** and choose \`out/run.json\`, \`out/model/model.json\` and \`out/model/weights.bin\`. See runner/README.md for GPUs and several machines.
`;
}

export function jobZip(setup: JobSetup, files: ExportedJobMessage): Blob {
  const entries: Zippable = {
    'job.json': strToU8(JSON.stringify(jobJson(setup), null, 1)),
    'model/model.json': strToU8(files.modelJson),
    'model/weights.bin': new Uint8Array(files.weights),
    'reference.json': strToU8(files.reference),
    'README.md': strToU8(readme(setup)),
  };
  for (const [path, text] of Object.entries(RUNNER))
    entries[`runner/${path.split('/runner/')[1]}`] = strToU8(text);
  return new Blob([zipSync(entries)], { type: 'application/zip' });
}

/**
 * The runner's output → a run of the studio and its trained weights: the weights of the
 * layers the plan trained, and the head (its scaling already folded in).
 */
export function importRunnerRun(
  files: { run: string; modelJson: string; weights: ArrayBuffer },
  modelName: (id: string) => string,
): { run: RunRecord; weights: TrainedWeights } {
  const json = (text: string, file: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`"${file}" is not valid JSON.`);
    }
  };
  // Both files are checked whole before anything of them is used.
  const record: RunJson = parseRunJson(json(files.run, 'run.json'));
  const model: LayersModelJson = parseLayersModelJson(json(files.modelJson, 'model.json'));
  if (files.weights.byteLength % 4 !== 0)
    throw new Error('weights.bin is not a list of 32-bit numbers: it is damaged or cut short.');
  const specs = model.weightsManifest.flatMap((g) => g.weights);
  const all = new Float32Array(files.weights);
  const values = new Map<string, { shape: number[]; values: Float32Array }>();
  let at = 0;
  for (const s of specs) {
    if (s.dtype !== 'float32')
      throw new Error(`Weight ${s.name} is ${s.dtype}; the runner writes float32.`);
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (at + n > all.length)
      throw new Error(
        'weights.bin is shorter than model.json says: a file is missing or cut short.',
      );
    values.set(s.name, { shape: s.shape, values: all.slice(at, at + n) });
    at += n;
  }
  const head = [...values.keys()].find((k) => /^thaw_head(_\d+)?\/kernel$/.test(k));
  if (!head) throw new Error("The runner's model has no thaw_head layer.");
  const kernel = values.get(head)!;
  const bias = values.get(head.replace(/kernel$/, 'bias'));
  const [featureDim = 0, numClasses = 0] = kernel.shape;
  if (kernel.shape.length !== 2 || bias?.values.length !== numClasses)
    throw new Error("The runner's head layer is damaged: its kernel and bias do not match.");
  if (numClasses !== record.classNames.length)
    throw new Error(
      `"run.json" names ${record.classNames.length} classes but the model has ${numClasses} outputs.`,
    );
  const trained = new Set(
    Object.entries(record.plan.modes)
      .filter(([, m]) => m !== 'frozen')
      .map(([name]) => name),
  );
  const id = `pytorch-${Date.now()}`;
  const input = model.modelTopology.config?.layers?.find((l) => l.class_name === 'InputLayer');
  const resolution = Number(input?.config.batch_input_shape?.[1]);
  if (!inRange(resolution, INPUT_SIZE_RANGE))
    throw new Error(
      `"model.json": the input layer's size must be ${rangeWords(INPUT_SIZE_RANGE)} pixels (got ${resolution}).`,
    );
  const weights: TrainedWeights = {
    runId: id,
    layers: [...values]
      .filter(([name]) => trained.has(name.split('/')[0]!))
      .map(([name, v]) => ({ name, shape: v.shape, values: v.values })),
    head: {
      kernel: kernel.values,
      bias: bias.values,
      mean: new Float32Array(featureDim),
      std: new Float32Array(featureDim).fill(1),
      featureDim,
      numClasses,
    },
  };
  const run: RunRecord = {
    id,
    status: 'done',
    createdAt: Date.now(),
    model: `${modelName(record.modelId)} · PyTorch (${record.timings.processes} process${record.timings.processes === 1 ? '' : 'es'}, ${record.timings.device})`,
    modelId: record.modelId,
    resolution,
    dataset: record.name,
    plan: record.plan,
    // The runner does not augment: its parameters lack those switches.
    params: {
      ...DEFAULT_PARAMS,
      ...record.params,
      augment: { flip: false, crop: false, brightness: false },
    },
    weighted: record.layers.weighted,
    frozen: record.layers.frozen,
    fineTuned: record.layers.fineTuned,
    reinitialized: record.layers.reinitialized,
    epochs: record.history.map((h) => ({
      epoch: h.epoch,
      trainLoss: h.trainLoss,
      trainAccuracy: h.trainAccuracy,
      valLoss: h.valLoss,
      valAccuracy: h.valAccuracy,
    })),
    bestEpoch: record.bestEpoch,
    valAccuracy: record.valAccuracy ?? 0,
    testAccuracy: record.testAccuracy,
    stopped: false,
    timings: null,
    batches: [],
    evaluation: record.evaluation
      ? {
          ...record.evaluation,
          projection: { before: [], after: [], labels: [], featuresTrained: true },
          forgetting: null,
        }
      : null,
    classNames: record.classNames,
  };
  // What is stored must read back: a run that would not pass the stored format is refused now.
  return { run: parseWith(runRecord, run, 'run.json'), weights };
}
