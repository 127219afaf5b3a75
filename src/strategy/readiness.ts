/** Whether a dataset can be trained on, and what to tell the user when it cannot. Pure. */
import type { ClassSummary } from '../domain';

/** Minimum images per class: one to train on and one to validate with. */
export const MIN_IMAGES_PER_CLASS = 2;

/** Problems that block training, as sentences for the user; empty when ready. */
export function datasetProblems(classes: readonly ClassSummary[]): string[] {
  const problems: string[] = [];
  if (classes.length === 0) {
    problems.push('No usable images yet. Drop a folder with one sub-folder per class.');
    return problems;
  }
  if (classes.length === 1) {
    problems.push(
      `Only one class found ("${classes[0]?.name}"). A classifier needs at least two: put each class's images in its own sub-folder.`,
    );
  }
  for (const c of classes) {
    if (c.count < MIN_IMAGES_PER_CLASS) {
      problems.push(
        `Class "${c.name}" has ${c.count} image${c.count === 1 ? '' : 's'}; each class needs at least ${MIN_IMAGES_PER_CLASS} (one to train, one to validate).`,
      );
    }
  }
  return problems;
}

/** What decides whether a run may start (the training panel's state, reduced to facts). */
export interface TrainInputs {
  modelLoaded: boolean;
  /** The last model load failed. */
  modelFailed: boolean;
  backendReady: boolean;
  /** Null before any dataset is loaded. */
  datasetName: string | null;
  /** Images are still being read. */
  reading: boolean;
  datasetFailed: boolean;
  classes: readonly ClassSummary[];
  /** Fields whose typed value is refused, by name: no run starts while any is. */
  refused: readonly string[];
}

/**
 * Whether Train may start, and if not, what stops it, first reason first (a refused field,
 * then the model, the backend, the dataset). A dataset that failed to load blocks silently:
 * its own message is shown where it was loaded.
 */
export function trainReadiness(t: TrainInputs): { ready: boolean; blockers: string[] } {
  const blockers = [
    ...(t.modelLoaded
      ? []
      : [t.modelFailed ? 'The model did not load.' : 'The model is still loading.']),
    ...(t.backendReady ? [] : ['The compute backend is starting.']),
    ...(t.datasetName
      ? t.reading
        ? ['The images are still being read.']
        : datasetProblems(t.classes)
      : ['Load a dataset first.']),
  ];
  const n = t.refused.length;
  if (n > 0)
    blockers.unshift(
      `${t.refused.map((name) => `"${name}"`).join(' and ')} ${n === 1 ? 'is' : 'are'} not valid — fix ${n === 1 ? 'it' : 'them'} to train.`,
    );
  return { ready: blockers.length === 0 && !t.datasetFailed, blockers };
}
