/**
 * The quadrant experiment: on the loaded data and network, trains the plan applied now, the
 * chosen quadrant's textbook plan and Teachable Machine's recipe, several seeds each, on one
 * split, one run after another through the same path as Train (each an ordinary run in
 * `Runs`). It can be stopped between or during runs; a failed run ends it with its error.
 */
import type { StudioState } from '../../state/store';
import { QUADRANTS, type Quadrant } from '../../strategy/quadrant';
import {
  armLabel,
  experimentArms,
  experimentSteps,
  type ExperimentArm,
} from '../../strategy/quadrant-experiment';
import type { StudioActions } from '../../ui/studio-actions';
import { store, type ActionContext } from './context';
import { runEnded } from './train';

export type QuadrantExperimentActions = Pick<
  StudioActions,
  'runQuadrantExperiment' | 'stopQuadrantExperiment'
>;

/** Seeds per arm, and the most epochs any run trains (null: each plan's own). */
export type ExperimentOptions = Parameters<StudioActions['runQuadrantExperiment']>[0];

const isQuadrant = (q: string | null): q is Quadrant => QUADRANTS.some((x) => x.id === q);

/** Something else trains (or will) on the worker: the experiment waits for it to end. */
export const trainingBusy = (s: StudioState): boolean =>
  s.quadrantExperiment?.status === 'running' ||
  s.lesson?.status === 'running' ||
  s.sweep?.status === 'running' ||
  s.lrFind.status === 'running' ||
  s.phase === 'features' ||
  s.phase === 'training';

/** The arms the experiment would train now, or why it cannot. */
export function armsNow(
  s: StudioState,
  maxEpochs: number | null,
): { arms: ExperimentArm[] } | { problem: string } {
  if (!s.model) return { problem: 'Load a network first.' };
  if (!isQuadrant(s.quadrant)) return { problem: 'Choose a quadrant first.' };
  try {
    const arms = experimentArms({
      layers: s.model.layers,
      featureLayer: s.model.card.featureLayer,
      quadrant: s.quadrant,
      plan: s.plan,
      params: s.params,
      maxEpochs,
    });
    return { arms };
  } catch (err) {
    return { problem: (err as Error).message };
  }
}

export function quadrantExperimentActions({ client }: ActionContext): QuadrantExperimentActions {
  /** Each experiment's number; a stopped (or newer) experiment's loop sees another one and ends quietly. */
  let current = 0;

  const run = async (options: ExperimentOptions) => {
    const s = store();
    if (!s.model || trainingBusy(s) || s.classes.length < 2 || s.decoding) return;
    const made = armsNow(s, options.maxEpochs);
    const quadrant = s.quadrant ?? '';
    if ('problem' in made) {
      store().startQuadrantExperiment(quadrant, [], [], []);
      return store().endQuadrantExperiment('failed', made.problem);
    }
    const { arms } = made;
    const steps = experimentSteps(arms, Math.max(1, Math.round(options.seeds)));
    const seeds = [...new Set(steps.map((x) => x.seed))];
    const mine = ++current;
    const stopped = () => current !== mine;
    store().startQuadrantExperiment(
      quadrant,
      arms,
      seeds,
      steps.map((x) => x.armIndex),
    );
    if (arms.length < 2) {
      return store().endQuadrantExperiment(
        'failed',
        'Nothing to compare: the applied plan is the textbook plan and Teachable Machine’s recipe.',
      );
    }
    const end = (status: 'done' | 'stopped' | 'failed', error: string | null = null) =>
      store().endQuadrantExperiment(status, error);
    for (const [i, step] of steps.entries()) {
      const arm = arms[step.armIndex]!;
      store().setQuadrantExperimentStep(
        `Run ${i + 1} of ${steps.length}: ${armLabel(arm)}, seed ${step.seed}`,
      );
      const t0 = performance.now();
      const runId = client.train(step.params, step.plan);
      store().startRun(runId, { plan: step.plan, params: step.params });
      const record = await runEnded(runId);
      if (stopped()) return;
      const now = store();
      if (record === null) {
        if (now.runId !== runId)
          return end('failed', 'Another run was started during the experiment, so it ended.');
        if (now.phase === 'stopped') return end('stopped');
        return end(
          'failed',
          now.trainingError ?? 'A run of the experiment ended without a result.',
        );
      }
      // Stopped with the training panel's Stop: the experiment stops too.
      if (record.status === 'stopped') return end('stopped');
      store().addQuadrantExperimentRun({
        armIndex: step.armIndex,
        seed: step.seed,
        runId,
        valAccuracy: record.valAccuracy,
        testAccuracy: record.testAccuracy,
        seconds: (performance.now() - t0) / 1000,
      });
    }
    end('done');
  };

  return {
    runQuadrantExperiment: (options) => void run(options),
    stopQuadrantExperiment: () => {
      if (store().quadrantExperiment?.status !== 'running') return;
      current++;
      store().endQuadrantExperiment('stopped');
      client.stop();
    },
  };
}
