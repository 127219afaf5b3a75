/**
 * The project file: the whole studio in one zip (fflate) — settings, the dataset's files,
 * every run and its trained weights — to move between machines or hand a prepared lesson
 * to a class. Packing and unpacking only; the app stores and loads what it holds.
 */
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import type { RunRecord, SkippedFile, TrainedWeights } from '../domain';
import type { StoredSettings } from '../storage/db';

export const PROJECT_FORMAT = 'thaw-project';

export interface Project {
  settings: Omit<StoredSettings, 'id'> | null;
  dataset: { name: string; files: { path: string; file: Blob }[]; skipped: SkippedFile[] } | null;
  runs: RunRecord[];
  weights: TrainedWeights[];
}

interface ProjectJson {
  format: typeof PROJECT_FORMAT;
  version: 1;
  savedAt: string;
  settings: Project['settings'];
  dataset: {
    name: string;
    skipped: SkippedFile[];
    files: { path: string; entry: string; type: string }[];
  } | null;
  runs: RunRecord[];
  /** Per run: where each array sits in `weights/<runId>.bin` (float32 offsets). */
  weights: {
    runId: string;
    featureDim: number;
    numClasses: number;
    arrays: { name: string; shape: number[]; offset: number; length: number }[];
  }[];
}

const HEAD = ['head/kernel', 'head/bias', 'head/mean', 'head/std'] as const;

function packWeights(w: TrainedWeights): {
  meta: ProjectJson['weights'][number];
  bytes: Uint8Array;
} {
  const arrays: { name: string; shape: number[]; values: Float32Array }[] = [
    ...w.layers,
    { name: HEAD[0], shape: [w.head.featureDim, w.head.numClasses], values: w.head.kernel },
    { name: HEAD[1], shape: [w.head.numClasses], values: w.head.bias },
    { name: HEAD[2], shape: [w.head.featureDim], values: w.head.mean },
    { name: HEAD[3], shape: [w.head.featureDim], values: w.head.std },
  ];
  const total = arrays.reduce((n, a) => n + a.values.length, 0);
  const all = new Float32Array(total);
  let offset = 0;
  const meta = arrays.map((a) => {
    all.set(a.values, offset);
    const entry = { name: a.name, shape: a.shape, offset, length: a.values.length };
    offset += a.values.length;
    return entry;
  });
  return {
    meta: {
      runId: w.runId,
      featureDim: w.head.featureDim,
      numClasses: w.head.numClasses,
      arrays: meta,
    },
    bytes: new Uint8Array(all.buffer),
  };
}

function unpackWeights(meta: ProjectJson['weights'][number], bytes: Uint8Array): TrainedWeights {
  const all = new Float32Array(bytes.slice().buffer);
  const get = (name: string) => {
    const a = meta.arrays.find((x) => x.name === name);
    if (!a) throw new Error(`The weights of run ${meta.runId} lack ${name}.`);
    return all.slice(a.offset, a.offset + a.length);
  };
  return {
    runId: meta.runId,
    layers: meta.arrays
      .filter((a) => !(HEAD as readonly string[]).includes(a.name))
      .map((a) => ({
        name: a.name,
        shape: a.shape,
        values: all.slice(a.offset, a.offset + a.length),
      })),
    head: {
      kernel: get(HEAD[0]),
      bias: get(HEAD[1]),
      mean: get(HEAD[2]),
      std: get(HEAD[3]),
      featureDim: meta.featureDim,
      numClasses: meta.numClasses,
    },
  };
}

export async function packProject(project: Project): Promise<Blob> {
  const files: Zippable = {};
  const dataset = project.dataset
    ? {
        name: project.dataset.name,
        skipped: project.dataset.skipped,
        files: await Promise.all(
          project.dataset.files.map(async (f, i) => {
            const entry = `data/${i}`;
            files[entry] = [new Uint8Array(await f.file.arrayBuffer()), { level: 0 }];
            return { path: f.path, entry, type: f.file.type };
          }),
        ),
      }
    : null;
  const weights = project.weights.map((w) => {
    const { meta, bytes } = packWeights(w);
    files[`weights/${w.runId}.bin`] = bytes;
    return meta;
  });
  const json: ProjectJson = {
    format: PROJECT_FORMAT,
    version: 1,
    savedAt: new Date().toISOString(),
    settings: project.settings,
    dataset,
    runs: project.runs,
    weights,
  };
  files['project.json'] = strToU8(JSON.stringify(json));
  return new Blob([zipSync(files)], { type: 'application/zip' });
}

/** Reads a project file, or throws a sentence saying why it is not one. */
export function unpackProject(bytes: Uint8Array): Project {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch {
    throw new Error('This file is not a Thaw project: it is not a zip archive (or it is damaged).');
  }
  const raw = entries['project.json'];
  if (!raw) throw new Error('This zip is not a Thaw project: it has no project.json.');
  let json: ProjectJson;
  try {
    json = JSON.parse(strFromU8(raw)) as ProjectJson;
  } catch {
    throw new Error('This project is damaged: project.json is not valid JSON.');
  }
  if (json.format !== PROJECT_FORMAT)
    throw new Error('This zip is not a Thaw project (wrong format in project.json).');
  if (json.version !== 1)
    throw new Error(
      `This project has version ${String(json.version)}; this studio opens version 1.`,
    );
  const need = (name: string) => {
    const e = entries[name];
    if (!e) throw new Error(`This project is damaged: ${name} is missing.`);
    return e;
  };
  return {
    settings: json.settings,
    dataset: json.dataset
      ? {
          name: json.dataset.name,
          skipped: json.dataset.skipped,
          files: json.dataset.files.map((f) => ({
            path: f.path,
            file: new Blob([need(f.entry).slice()], { type: f.type }),
          })),
        }
      : null,
    runs: json.runs,
    weights: json.weights.map((m) => unpackWeights(m, need(`weights/${m.runId}.bin`))),
  };
}
