/**
 * A lesson's runs in Node, through the studio's engine: the bundled sample it names (the
 * PNG files the studio loads, decoded to the same RGB bytes), the studio's split for the
 * seed, and each arm's plan and parameters exactly as `lessonSteps` sends them. Used by
 * `outcomes.test.ts` to check that what each lesson demonstrates still happens.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { stratifiedSplit } from '../../src/data/split';
import { expect } from 'vitest';
import { lessonById, lessonSteps, type Lesson } from '../../src/strategy/lessons';
import { useBackend } from '../teaching/backend';
import { PrefixCaches, readArtifacts, studioRun, teachingLayers } from '../teaching/studio-run';
import type { SeedData } from '../teaching/studio-run';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

interface Sample {
  images: Uint8Array[];
  labels: number[];
}

const samples = new Map<string, Sample>();

/** A bundled sample as the studio reads it: one class per manifest entry, RGB bytes per image. */
export function bundledSample(id: string): Sample {
  const known = samples.get(id);
  if (known) return known;
  const dir = join(ROOT, 'public/samples', id);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    classes: { name: string; files: string[] }[];
  };
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  manifest.classes.forEach((c, label) => {
    for (const f of c.files) {
      const png = PNG.sync.read(readFileSync(join(dir, c.name, f)));
      const rgb = new Uint8Array(png.width * png.height * 3);
      for (let p = 0; p < png.width * png.height; p++)
        for (let ch = 0; ch < 3; ch++) rgb[p * 3 + ch] = png.data[p * 4 + ch]!;
      images.push(rgb);
      labels.push(label);
    }
  });
  const sample = { images, labels };
  samples.set(id, sample);
  return sample;
}

/** Test accuracy of every arm of `lesson` for one seed, by arm id. */
export async function lessonAccuracies(
  lesson: Lesson,
  seed: number,
): Promise<Record<string, number>> {
  await useBackend('wasm');
  const layers = teachingLayers();
  const artifacts = readArtifacts(join(ROOT, 'public/models/teaching-cnn'));
  const caches = new PrefixCaches();
  const out: Record<string, number> = {};
  for (const step of lessonSteps(lesson, layers, seed)) {
    if (step.seed !== seed) continue;
    const { images, labels } = bundledSample(step.sample);
    const { params } = step;
    const data: SeedData = {
      images,
      labels,
      numClasses: Math.max(...labels) + 1,
      split: stratifiedSplit(
        labels,
        params.validationFraction,
        params.splitSeed ?? params.seed,
        params.testFraction,
      ),
    };
    const r = await studioRun({
      artifacts,
      cacheKey: `${step.sample}|${seed}`,
      caches,
      plan: step.plan,
      data,
      params,
      backend: 'wasm',
    });
    out[lesson.arms[step.armIndex]!.id] = r.test;
  }
  return out;
}

/** Lowest test accuracy an arm that learned anything reaches here (seed 1 gave 60–90%). */
export const LEARNED = 0.5;

export const MINUTES = 60_000;

/** Runs lesson `id` for seed 1 and checks that every arm ran and learned; returns the accuracies. */
export async function checkedLesson(id: string): Promise<Record<string, number>> {
  const lesson = lessonById(id);
  if (!lesson) throw new Error(`no lesson ${id}`);
  const acc = await lessonAccuracies(lesson, 1);
  expect(Object.keys(acc).sort()).toEqual(lesson.arms.map((a) => a.id).sort());
  for (const [arm, a] of Object.entries(acc))
    expect(a, `${id}: ${arm}`).toBeGreaterThanOrEqual(LEARNED);
  return acc;
}
