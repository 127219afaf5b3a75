import { useCallback, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { PARAM_RANGES } from '../domain';
import { useStudio } from '../state/store';
import { trainReadiness } from '../strategy/readiness';
import { useStudioActions } from './studio-actions';
import { EvaluationView } from './evaluation-view';
import { PredictPanel } from './predict-panel';
import { TrainOptions } from './train-options';
import { LrFindView } from './lr-find-view';
import { RunsView } from './runs-view';
import { FieldProblems, NumberField } from './number-field';
import { MemoryNote } from './memory-note';
import {
  EpochsTable,
  RunTimingsNote,
  TensorCheckNote,
  TrainLossChart,
  TrainProgress,
  ValidationMetric,
} from './train-live';

/**
 * Step 3: the run's settings, Train and Stop, and what a run reports. The panel selects only
 * what changes between runs; the parts that follow a run batch by batch select their own data
 * (train-live.tsx), so a batch report does not re-render the panel.
 */
export function TrainPanel() {
  const { stop, train } = useStudioActions();
  const s = useStudio(
    useShallow((s) => ({
      phase: s.phase,
      params: s.params,
      setParams: s.setParams,
      trainingError: s.trainingError,
      datasetName: s.datasetName,
      reading: s.decoding !== null,
      modelLoaded: s.model !== null,
      modelFailed: Boolean(s.modelError),
      backendReady: s.backend !== null,
      datasetFailed: Boolean(s.datasetError),
      classes: s.classes,
      finding: s.lrFind.status === 'running',
    })),
  );
  // Fields whose typed value is refused (name → why): no run starts while any is.
  const [fieldProblems, setFieldProblems] = useState<Record<string, string>>({});
  const reportField = useCallback(
    (name: string, problem: string | null) =>
      setFieldProblems((all) => {
        if ((all[name] ?? null) === problem) return all;
        const next = { ...all };
        if (problem === null) delete next[name];
        else next[name] = problem;
        return next;
      }),
    [],
  );
  const running = s.phase === 'features' || s.phase === 'training';
  // A number typed out of range is never replaced by the last valid one behind the user's back.
  const refused = Object.keys(fieldProblems);
  const { ready, blockers } = trainReadiness({ ...s, refused });

  return (
    <section
      aria-label="Training"
      className="panel training"
      data-dataset={s.datasetName ?? ''}
      data-decoding={s.reading ? 'yes' : 'no'}
    >
      <h2>
        <span className="step">3</span> Train
      </h2>
      <FieldProblems.Provider value={reportField}>
        <div className="field-grid">
          <NumberField
            name="Learning rate"
            value={s.params.learningRate}
            min={PARAM_RANGES.learningRate.min}
            max={PARAM_RANGES.learningRate.max}
            step="any"
            disabled={running}
            onChange={(v) => s.setParams({ learningRate: v })}
          />
          <NumberField
            name="Fine-tune learning rate"
            value={s.params.fineTuneLearningRate}
            min={PARAM_RANGES.fineTuneLearningRate.min}
            max={PARAM_RANGES.fineTuneLearningRate.max}
            step="any"
            disabled={running}
            onChange={(v) => s.setParams({ fineTuneLearningRate: v })}
          />
          <NumberField
            name="Epochs"
            value={s.params.epochs}
            min={PARAM_RANGES.epochs.min}
            max={PARAM_RANGES.epochs.max}
            step={1}
            integer
            disabled={running}
            onChange={(v) => s.setParams({ epochs: v })}
          />
          <NumberField
            name="Batch size"
            value={s.params.batchSize}
            min={PARAM_RANGES.batchSize.min}
            max={PARAM_RANGES.batchSize.max}
            step={1}
            integer
            disabled={running}
            onChange={(v) => s.setParams({ batchSize: v })}
          />
        </div>
        <div className="field-row">
          <label className="check">
            <input
              type="checkbox"
              aria-label="Early stopping"
              checked={s.params.earlyStopping.enabled}
              disabled={running}
              onChange={(e) =>
                s.setParams({
                  earlyStopping: { ...s.params.earlyStopping, enabled: e.target.checked },
                })
              }
            />
            Early stopping
          </label>
          <NumberField
            name="Patience"
            value={s.params.earlyStopping.patience}
            min={PARAM_RANGES.patience.min}
            max={PARAM_RANGES.patience.max}
            step={1}
            integer
            disabled={running || !s.params.earlyStopping.enabled}
            onChange={(v) =>
              s.setParams({ earlyStopping: { ...s.params.earlyStopping, patience: v } })
            }
          />
        </div>
        <p className="hint">
          <strong>Early stopping</strong> ends the run when the validation loss has not improved for{' '}
          {s.params.earlyStopping.patience} epochs and keeps the weights of the best epoch: the
          numbers reported are those of the classifier you get. <strong>Learning rate</strong>{' '}
          trains the new softmax head and Re-initialize layers (≈1e-3: they start from random).{' '}
          <strong>Fine-tune learning rate</strong> is for Fine-tune layers (≈1e-5: small, so good
          pretrained weights are adjusted, not destroyed). 20% of each class is held out for
          validation (seed {s.params.seed}).
        </p>
        <LrFindView ready={ready} training={running} />
        <TrainOptions disabled={running} />
      </FieldProblems.Provider>
      <div className="actions">
        <button
          type="button"
          className="button primary"
          disabled={!ready || running || s.finding}
          onClick={train}
        >
          Train
        </button>
        <button type="button" className="button" disabled={!running && !s.finding} onClick={stop}>
          Stop
        </button>
      </div>
      {!ready && !running && blockers.length > 0 && (
        <p
          className={refused.length > 0 ? 'error-text small' : 'muted small'}
          data-testid="train-blocker"
        >
          {blockers[0]}
        </p>
      )}
      <TrainProgress />
      {s.trainingError && (
        <p role="alert" className="error-text">
          {s.trainingError}
        </p>
      )}
      <TrainLossChart />
      <ValidationMetric />
      <EpochsTable />
      <EvaluationView />
      <PredictPanel />
      <RunTimingsNote />
      <MemoryNote />
      <TensorCheckNote />
      <RunsView />
    </section>
  );
}
