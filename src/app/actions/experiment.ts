/** Experiment actions: the chosen runs (or the last sweep) written to an experiment file, and one applied again. */
import { catalogEntry } from '../../model/catalog';
import {
  manifestDifferences,
  parseExperiment,
  type ExperimentFile,
} from '../../strategy/experiment-file';
import type { StudioActions } from '../../ui/studio-actions';
import { manifestOf } from '../experiment';
import { store, type ActionContext } from './context';
import type { ModelActions } from './model';

export type ExperimentActions = Pick<StudioActions, 'exportExperiment' | 'importExperiment'>;

export function experimentActions(
  { client, download }: ActionContext,
  ensureModel: ModelActions['ensureModel'],
): ExperimentActions {
  return {
    exportExperiment: async (what) => {
      const s = store();
      const sweep = what === 'sweep' ? s.sweep : null;
      const chosen = what === 'sweep' ? [] : s.runs.filter((r) => what.runIds.includes(r.id));
      const first = chosen[0];
      if (!s.model || (what === 'sweep' && !sweep) || (what !== 'sweep' && !first)) return;
      const file: ExperimentFile = {
        format: 'thaw-experiment',
        version: 1,
        kind: sweep ? 'sweep' : 'run',
        createdAt: new Date().toISOString(),
        modelId: s.model.card.id,
        resolution: s.model.resolution,
        plan: first?.plan ?? s.plan,
        params: first?.params ?? s.params,
        seeds: sweep ? sweep.seeds : chosen.map((r) => r.params.seed),
        depths: sweep ? sweep.depths.map((d) => d.boundary) : undefined,
        dataset: { name: s.datasetName ?? '', files: await manifestOf(client.datasetFiles()) },
        results: sweep
          ? sweep.runs.map((r) => ({
              label: `${sweep.depths[r.depthIndex]!.label}, seed ${r.seed}`,
              valAccuracy: r.valAccuracy,
              testAccuracy: r.testAccuracy,
            }))
          : chosen.map((r) => ({
              label: r.id,
              valAccuracy: r.valAccuracy,
              testAccuracy: r.testAccuracy,
            })),
      };
      download(
        `thaw-${file.kind}-${file.modelId}.json`,
        new Blob([JSON.stringify(file, null, 1)], { type: 'application/json' }),
      );
    },
    importExperiment: async (picked) => {
      try {
        const exp = parseExperiment(await picked.text(), picked.name);
        if (!catalogEntry(exp.modelId))
          throw new Error(
            `The experiment uses the model "${exp.modelId}", which this studio does not have.`,
          );
        store().setParams(exp.params);
        // The plan names the network's layers: it applies once that network is loaded.
        const model = ensureModel(exp.modelId, exp.resolution, false);
        const differences = manifestDifferences(
          exp.dataset.files,
          await manifestOf(client.datasetFiles()),
        );
        const loaded = await model;
        if (!loaded.loaded)
          throw new Error(
            `Experiment "${picked.name}" was not applied: its model "${exp.modelId}" did not load (${loaded.reason}).`,
          );
        store().setPlan(exp.plan);
        store().setExperimentNote(
          differences.length === 0
            ? {
                text: `Experiment "${picked.name}" applied: same data (${exp.dataset.files.length} images, same hashes).`,
                warning: false,
              }
            : {
                text: `Experiment "${picked.name}" applied, but the loaded data differs from the one it was run on: ${differences.join(' ')} Results will not be comparable.`,
                warning: true,
              },
        );
      } catch (err) {
        store().setExperimentNote({ text: (err as Error).message, warning: true });
      }
    },
  };
}
