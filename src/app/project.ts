/**
 * The project file: the whole studio in one zip (fflate) — settings, the dataset's files,
 * every run and its trained weights — to move between machines or hand a prepared lesson
 * to a class. Packing and unpacking only; the app stores and loads what it holds.
 */
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import type { RunRecord, SkippedFile, TrainedWeights } from '../domain';
import { parseProjectJson, PROJECT_FORMAT, type ProjectJson } from '../domain/formats/project';
import type { StoredSettings } from '../storage/db';

export { PROJECT_FORMAT };

export interface Project {
  settings: Omit<StoredSettings, 'id'> | null;
  dataset: { name: string; files: { path: string; file: Blob }[]; skipped: SkippedFile[] } | null;
  runs: RunRecord[];
  weights: TrainedWeights[];
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
  const where = `weights/${meta.runId}.bin`;
  if (bytes.length % 4 !== 0)
    throw new Error(`This project is damaged: ${where} is not a list of 32-bit numbers.`);
  const all = new Float32Array(bytes.slice().buffer);
  for (const a of meta.arrays) {
    if (a.offset + a.length > all.length)
      throw new Error(`This project is damaged: ${where} is shorter than project.json says.`);
    if (a.shape.reduce((n, d) => n * d, 1) !== a.length)
      throw new Error(
        `This project is damaged: ${a.name} of run ${meta.runId} has ${a.length} values for the shape [${a.shape.join(', ')}].`,
      );
  }
  const get = (name: string, length: number) => {
    const a = meta.arrays.find((x) => x.name === name);
    if (!a) throw new Error(`The weights of run ${meta.runId} lack ${name}.`);
    if (a.length !== length)
      throw new Error(
        `This project is damaged: ${name} of run ${meta.runId} has ${a.length} values, not ${length}.`,
      );
    return all.slice(a.offset, a.offset + a.length);
  };
  const { featureDim: d, numClasses: k } = meta;
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
      kernel: get(HEAD[0], d * k),
      bias: get(HEAD[1], k),
      mean: get(HEAD[2], d),
      std: get(HEAD[3], d),
      featureDim: d,
      numClasses: k,
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

/**
 * Reads a project file, or throws a sentence saying why it is not one (naming the field
 * and its allowed range when a value is out of range). Nothing is returned unless all of
 * it is sound, so a caller applies all of a project or none of it.
 */
export function unpackProject(bytes: Uint8Array): Project {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch {
    throw new Error('This file is not a Thaw project: it is not a zip archive (or it is damaged).');
  }
  const raw = Object.hasOwn(entries, 'project.json') ? entries['project.json'] : undefined;
  if (!raw) throw new Error('This zip is not a Thaw project: it has no project.json.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(strFromU8(raw));
  } catch {
    throw new Error('This project is damaged: project.json is not valid JSON.');
  }
  // Checked whole (every field, every range) before anything of it is used.
  const json = parseProjectJson(parsed);
  const need = (name: string) => {
    const e = Object.hasOwn(entries, name) ? entries[name] : undefined;
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
