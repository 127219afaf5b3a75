/**
 * Lessons: one click loads a lesson's network and bundled samples, then trains its arms one
 * run after another through the same path as the sweep (each an ordinary run in `Runs`),
 * recording each run's accuracy and source-task memory, and can be stopped between or
 * during runs.
 */
import type { SampleInfo } from '../../domain';
import { useStudio, type StudioState } from '../../state/store';
import type { LessonRun } from '../../strategy/lesson-verdict';
import {
  LESSON_MIN_SEEDS,
  lessonById,
  lessonOrder,
  lessonSteps,
  QUADRANT_LESSON,
} from '../../strategy/lessons';
import { EXPERIMENT_DEFAULT_MAX_EPOCHS } from '../../strategy/quadrant-experiment';
import type { StudioActions } from '../../ui/studio-actions';
import { store, type ActionContext } from './context';
import type { ModelActions } from './model';
import { runEnded } from './train';

export type LessonsActions = Pick<StudioActions, 'runLesson' | 'stopLesson'>;

export interface LessonDeps {
  ensureModel: ModelActions['ensureModel'];
  samples: readonly SampleInfo[];
  loadSample: (sample: SampleInfo) => Promise<void>;
  /** The quadrant experiment on the loaded data and the chosen quadrant (the four-quadrants lesson). */
  runQuadrantExperiment: StudioActions['runQuadrantExperiment'];
}

type Wait = { loaded: true } | { loaded: false; reason: string };

const datasetReady = (s: StudioState, name: string) =>
  s.datasetName === name && s.decoding === null && s.classes.length > 0;

/** Resolves when the dataset `name` is read (at once when it is), or not, with the reason. */
export function whenDatasetLoaded(name: string): Promise<Wait> {
  return new Promise((resolve) => {
    if (datasetReady(store(), name)) return resolve({ loaded: true });
    const unsubscribe = useStudio.subscribe((s) => {
      let result: Wait | null = null;
      if (datasetReady(s, name)) result = { loaded: true };
      else if (s.datasetError !== null) result = { loaded: false, reason: s.datasetError };
      else if (s.datasetName !== name)
        result = { loaded: false, reason: 'another dataset was loaded meanwhile' };
      else if (s.decoding === null && s.datasetNotice !== null)
        result = { loaded: false, reason: s.datasetNotice };
      if (!result) return;
      unsubscribe();
      resolve(result);
    });
  });
}

export function lessonsActions({ client }: ActionContext, deps: LessonDeps): LessonsActions {
  /** Each lesson's number; a stopped (or newer) lesson's loop sees another one and ends quietly. */
  let current = 0;

  const busy = (s: StudioState) =>
    s.lesson?.status === 'running' ||
    s.sweep?.status === 'running' ||
    s.quadrantExperiment?.status === 'running' ||
    s.lrFind.status === 'running' ||
    s.phase === 'features' ||
    s.phase === 'training';

  const ensureSample = async (id: string): Promise<string | null> => {
    const sample = deps.samples.find((x) => x.id === id);
    if (!sample) return `There is no bundled sample "${id}".`;
    if (datasetReady(store(), sample.name)) return null;
    store().setLessonStep(`Loading the sample "${sample.name}"…`);
    // Listen first: a sample that cannot be fetched fails inside `loadSample`.
    const wait = whenDatasetLoaded(sample.name);
    await deps.loadSample(sample);
    const done = await wait;
    return done.loaded ? null : `Could not load the sample "${sample.name}": ${done.reason}`;
  };

  /** Loads the network and sample, chooses the quadrant, then hands over to the quadrant experiment. */
  const runQuadrants = async (seeds: number) => {
    const lesson = QUADRANT_LESSON;
    const mine = ++current;
    store().startLesson(lesson.id, []);
    store().setLessonStep('Loading the network…');
    const model = await deps.ensureModel(lesson.modelId, null, false);
    if (current !== mine) return;
    if (!model.loaded)
      return store().endLesson('failed', `Could not load the network: ${model.reason}`);
    const missing = await ensureSample(lesson.sample);
    if (current !== mine) return;
    if (missing) return store().endLesson('failed', missing);
    store().setQuadrant(lesson.quadrant);
    store().endLesson('done');
    deps.runQuadrantExperiment({ seeds, maxEpochs: EXPERIMENT_DEFAULT_MAX_EPOCHS });
  };

  const run = async (lessonId: string, seedCount: number | undefined) => {
    if (lessonId === QUADRANT_LESSON.id && !busy(store()))
      return runQuadrants(Math.max(LESSON_MIN_SEEDS, Math.round(seedCount ?? 3)));
    const lesson = lessonById(lessonId);
    if (!lesson || busy(store())) return;
    const seeds = Math.max(LESSON_MIN_SEEDS, Math.round(seedCount ?? lesson.seeds));
    const mine = ++current;
    const stopped = () => current !== mine;
    store().startLesson(
      lessonId,
      lessonOrder(lesson, seeds).map((r) => r.armIndex),
    );
    store().setLessonStep('Loading the network…');
    const model = await deps.ensureModel(lesson.modelId, null, false);
    if (stopped()) return;
    if (!model.loaded)
      return store().endLesson('failed', `Could not load the network: ${model.reason}`);
    let steps;
    try {
      steps = lessonSteps(lesson, store().model?.layers ?? [], seeds);
    } catch (err) {
      return store().endLesson('failed', (err as Error).message);
    }
    for (const [i, step] of steps.entries()) {
      const missing = await ensureSample(step.sample);
      if (stopped()) return;
      if (missing) return store().endLesson('failed', missing);
      const arm = lesson.arms[step.armIndex]!;
      store().setLessonStep(`Run ${i + 1} of ${steps.length}: ${arm.label}, seed ${step.seed}`);
      const t0 = performance.now();
      const runId = client.train(step.params, step.plan);
      store().startRun(runId, { plan: step.plan, params: step.params });
      const record = await runEnded(runId);
      if (stopped()) return;
      const seconds = (performance.now() - t0) / 1000;
      const base = { armIndex: step.armIndex, seed: step.seed, runId, seconds };
      if (record === null) {
        if (store().runId !== runId)
          return store().endLesson('failed', 'Another run was started during the lesson.');
        // A failed run (e.g. its loss diverged) is a result of the lesson, not its end.
        const error = store().trainingError ?? 'The run failed.';
        store().addLessonRun({ ...base, target: null, source: null, sourceBefore: null, error });
        continue;
      }
      // Stopped with the training panel's Stop: the lesson stops too.
      if (record.status === 'stopped') return store().endLesson('stopped');
      const forgetting = record.evaluation?.forgetting ?? null;
      const result: LessonRun = {
        ...base,
        target: record.testAccuracy,
        source: forgetting?.after ?? null,
        sourceBefore: forgetting?.before ?? null,
      };
      store().addLessonRun(result);
    }
    store().endLesson('done');
  };

  return {
    runLesson: (id, seeds) => void run(id, seeds),
    stopLesson: () => {
      if (store().lesson?.status !== 'running') return;
      current++;
      store().endLesson('stopped');
      client.stop();
    },
  };
}
