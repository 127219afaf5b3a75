/** The learning-rate range test: start it, put its suggested rates to use; what a crashed worker means for it. */
import type { Job } from '../../client/worker-client';
import { roundRate, type TrainParams } from '../../domain';
import type { StudioActions } from '../../ui/studio-actions';
import { store, type ActionContext } from './context';

export interface LrFindActions {
  actions: Pick<StudioActions, 'findLearningRate' | 'useSuggestedRates'>;
  /** The worker died and was restarted: a test it cut off says so. */
  crashed: (reason: string, running: Job[]) => void;
}

export function lrFindActions({ client }: ActionContext): LrFindActions {
  return {
    actions: {
      findLearningRate: () => {
        const s = store();
        if (s.lrFind.status === 'running') return;
        const measuredOn = [s.datasetName, s.model?.card.name].filter(Boolean).join(' · ');
        client.lrFind(s.params, s.plan);
        s.setLrFind({ status: 'running', progress: null, result: null, error: null, measuredOn });
      },
      useSuggestedRates: () => {
        const { result } = store().lrFind;
        const patch: Partial<TrainParams> = {};
        if (result?.head.suggested) patch.learningRate = roundRate(result.head.suggested);
        if (result?.fineTune?.suggested)
          patch.fineTuneLearningRate = roundRate(result.fineTune.suggested);
        if (Object.keys(patch).length > 0) store().setParams(patch);
      },
    },
    crashed: (reason, running) => {
      if (running.includes('lr-find'))
        store().setLrFind({
          status: 'error',
          progress: null,
          error: `The training worker stopped (${reason}). It was restarted; press Find learning rate to try again.`,
        });
    },
  };
}
