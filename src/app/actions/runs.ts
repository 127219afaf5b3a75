/** Run actions: open, reuse and delete stored runs; and the sweep, which trains one run after another. */
import { PREDICT_IDLE } from '../../state/predict-slice';
import { planAtDepth, type SweepDepth } from '../../strategy/sweep';
import type { StudioActions } from '../../ui/studio-actions';
import { store, storeAndCount, type ActionContext } from './context';
import { runEnded } from './train';
import type { WeightsKeeper } from './weights';

export type RunsActions = Pick<
  StudioActions,
  'openRun' | 'reuseRun' | 'deleteRun' | 'startSweep' | 'cancelSweep'
>;

export function runsActions(
  { client, storage }: ActionContext,
  weights: WeightsKeeper,
): RunsActions {
  let sweepCancelled = false;

  /**
   * Trains the current plan at each depth with each seed, one run after another, on one split;
   * fine-tuned layers at `fineTuneRate` when given (the panel's field), else the current rate.
   */
  const runSweep = async (depths: SweepDepth[], seedCount: number, fineTuneRate?: number) => {
    const s = store();
    if (!s.model || s.sweep?.status === 'running') return;
    const layers = s.model.layers;
    const base = {
      plan: s.plan,
      params:
        fineTuneRate === undefined ? s.params : { ...s.params, fineTuneLearningRate: fineTuneRate },
    };
    const seeds = Array.from({ length: seedCount }, (_, i) => base.params.seed + i);
    sweepCancelled = false;
    store().startSweep(depths, seeds);
    for (let d = 0; d < depths.length; d++) {
      for (const seed of seeds) {
        if (sweepCancelled) return store().endSweep('cancelled');
        const setup = {
          plan: planAtDepth(layers, base.plan, depths[d]!),
          params: { ...base.params, seed, splitSeed: base.params.seed },
        };
        const t0 = performance.now();
        const runId = client.train(setup.params, setup.plan);
        store().startRun(runId, setup);
        const record = await runEnded(runId);
        if (sweepCancelled) return store().endSweep('cancelled');
        if (record?.status !== 'done')
          return store().endSweep('failed', store().trainingError ?? 'A run of the sweep failed.');
        store().addSweepRun({
          depthIndex: d,
          seed,
          valAccuracy: record.valAccuracy,
          testAccuracy: record.testAccuracy,
          seconds: (performance.now() - t0) / 1000,
        });
      }
    }
    store().endSweep('done');
  };

  return {
    openRun: (id) => store().openRun(id),
    reuseRun: (id) => {
      const run = store().runs.find((r) => r.id === id);
      if (!run) return;
      store().setParams(run.params);
      store().setPlan(run.plan);
    },
    deleteRun: (id) => {
      store().removeRun(id);
      weights.forget(id);
      if (store().predict.runId === id) store().setPredict(PREDICT_IDLE);
      storeAndCount(storage, (s) => s.deleteRun(id));
    },
    startSweep: (depths, seedCount, fineTuneRate) => void runSweep(depths, seedCount, fineTuneRate),
    cancelSweep: () => {
      sweepCancelled = true;
      client.stop();
    },
  };
}
