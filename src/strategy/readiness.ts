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
