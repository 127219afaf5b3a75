/** Training actions: train and stop, the probe, feature maps; and what a crashed worker means for them. */
import type { Job } from '../../client/worker-client';
import { PROBE_IMAGES_PER_CLASS, type RunRecord } from '../../domain';
import { useStudio, type StudioState } from '../../state/store';
import type { StudioActions } from '../../ui/studio-actions';
import { store, type ActionContext } from './context';

/**
 * Resolves when the run `runId` has ended: its record when it finished or was stopped with
 * epochs to keep, or null when it failed, kept nothing or was replaced by another run.
 */
export function runEnded(runId: string): Promise<RunRecord | null> {
  return new Promise((resolve) => {
    const check = (s: StudioState): boolean => {
      if (s.runId !== runId || s.phase === 'error') resolve(null);
      else if (s.phase === 'done' || s.phase === 'stopped')
        resolve(s.runs.find((r) => r.id === runId) ?? null);
      else return false;
      return true;
    };
    if (check(store())) return;
    const unsubscribe = useStudio.subscribe((s) => {
      if (check(s)) unsubscribe();
    });
  });
}

export interface TrainActions {
  actions: Pick<StudioActions, 'train' | 'stop' | 'runProbe' | 'requestFeatureMaps'>;
  /** The worker died and was restarted: the jobs it cut off say so. */
  crashed: (reason: string, running: Job[], silent: boolean) => void;
}

/** `onTrained`: a run started with Train ended with weights to use (not a sweep's runs). */
export function trainActions(
  { client }: ActionContext,
  onTrained: (run: RunRecord) => void,
): TrainActions {
  return {
    actions: {
      train: () => {
        const { params, plan } = store();
        const runId = client.train(params, plan);
        store().startRun(runId);
        void runEnded(runId).then((run) => run && onTrained(run));
      },
      stop: () => client.stop(),
      runProbe: () => {
        store().setProbe({ status: 'running', points: [], error: null });
        client.probe(PROBE_IMAGES_PER_CLASS, store().params.seed);
      },
      requestFeatureMaps: (path, layer) => void client.featureMaps(path, layer),
    },
    crashed: (reason, running, silent) => {
      const what = silent ? 'stopped without an error' : `crashed (${reason})`;
      if (running.includes('train'))
        store().failRun(
          `The training worker ${what}. It was restarted; your dataset and settings are kept — press Train to try again.`,
        );
      if (running.includes('probe')) store().setProbe({ status: 'error', error: reason });
    },
  };
}
