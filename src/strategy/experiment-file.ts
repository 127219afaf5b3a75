/**
 * The experiment file: a run or a sweep as JSON that someone else can reproduce on the same
 * data — model, plan, parameters, seeds and a manifest of the dataset with file hashes.
 * Pure: building, checking and comparing; hashing happens where the files are.
 */
import type { LayerPlan, TrainParams } from '../domain';
import { parseExperimentJson } from '../domain/formats/experiment';

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

/**
 * Reads an experiment file, or throws a sentence naming the file (`name`), the field and
 * its allowed range. Parsed whole against the format before anything of it is returned.
 */
export function parseExperiment(text: string, name = 'experiment file'): ExperimentFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`"${name}" is not JSON: it is not a Thaw experiment file.`);
  }
  return parseExperimentJson(json, name);
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
