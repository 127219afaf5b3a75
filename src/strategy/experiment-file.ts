/**
 * The experiment file: a run or a sweep as JSON that someone else can reproduce on the same
 * data — model, plan, parameters, seeds and a manifest of the dataset with file hashes.
 * Pure: building, checking and comparing; hashing happens where the files are.
 */
import type { LayerPlan, TrainParams } from '../domain';

export interface ManifestEntry {
  path: string;
  /** Class (top-level folder). */
  className: string;
  bytes: number;
  /** SHA-256 of the file, hex. */
  sha256: string;
}

export interface ExperimentFile {
  format: 'thaw-experiment';
  version: 1;
  kind: 'run' | 'sweep';
  createdAt: string;
  modelId: string;
  resolution: number | null;
  plan: LayerPlan;
  params: TrainParams;
  /** Seeds of the runs (one for a run; per depth for a sweep). */
  seeds: number[];
  /** For a sweep: the boundary layer of each depth (null = nothing frozen). */
  depths?: (string | null)[];
  dataset: { name: string; files: ManifestEntry[] };
  /** Results as they were measured, for comparison when reproducing. */
  results: { label: string; valAccuracy: number; testAccuracy: number | null }[];
}

/** Reads an experiment file, or throws a sentence saying what is wrong with it. */
export function parseExperiment(text: string): ExperimentFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('This file is not JSON: it is not a Thaw experiment file.');
  }
  const e = json as Partial<ExperimentFile> | null;
  if (!e || e.format !== 'thaw-experiment')
    throw new Error('This JSON is not a Thaw experiment file (no "format": "thaw-experiment").');
  if (e.version !== 1)
    throw new Error(
      `This experiment file has version ${String(e.version)}; this studio reads version 1.`,
    );
  const missing = (['modelId', 'plan', 'params', 'seeds', 'dataset'] as const).filter(
    (k) => e[k] === undefined,
  );
  if (missing.length > 0) throw new Error(`The experiment file lacks ${missing.join(', ')}.`);
  if (typeof e.plan?.featureLayer !== 'string' || typeof e.plan.modes !== 'object')
    throw new Error('The experiment file has no valid plan (modes and a feature layer).');
  return e as ExperimentFile;
}

/** How the loaded data differs from the file's manifest; empty when it is the same data. */
export function manifestDifferences(
  expected: readonly ManifestEntry[],
  actual: readonly ManifestEntry[],
): string[] {
  const byHash = (list: readonly ManifestEntry[]) => new Map(list.map((f) => [f.sha256, f]));
  const want = byHash(expected);
  const have = byHash(actual);
  const missing = expected.filter((f) => !have.has(f.sha256));
  const extra = actual.filter((f) => !want.has(f.sha256));
  const moved = expected.filter((f) => {
    const other = have.get(f.sha256);
    return other !== undefined && other.className !== f.className;
  });
  const out: string[] = [];
  if (missing.length > 0)
    out.push(
      `${missing.length} of the experiment's ${expected.length} images are not in the loaded data (e.g. ${missing[0]!.path}).`,
    );
  if (extra.length > 0)
    out.push(`${extra.length} loaded images were not in the experiment (e.g. ${extra[0]!.path}).`);
  if (moved.length > 0)
    out.push(
      `${moved.length} images sit in another class than in the experiment (e.g. ${moved[0]!.path}).`,
    );
  return out;
}
