import { useCallback, useState } from 'react';
import { useStudio } from '../state/store';
import { datasetProblems } from '../strategy/readiness';
import { useStudioActions } from './studio-actions';
import { LossChart } from './charts/loss-chart';
import { EvaluationView } from './evaluation-view';
import { PredictPanel } from './predict-panel';
import { TrainOptions } from './train-options';
import { RunsView } from './runs-view';
import { FieldProblems, NumberField } from './number-field';
import { MemoryNote } from './memory-note';

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
/** The epochs table shows the latest few; the curve shows them all. */
const EPOCH_ROWS = 8;

export function TrainPanel() {
  const { stop, train } = useStudioActions();
  const s = useStudio();
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
  const blockers = [
    ...(s.model ? [] : [s.modelError ? 'The model did not load.' : 'The model is still loading.']),
    ...(s.backend ? [] : ['The compute backend is starting.']),
    ...(s.datasetName
      ? s.decoding
        ? ['The images are still being read.']
        : datasetProblems(s.classes)
      : ['Load a dataset first.']),
  ];
  // A number typed out of range is never replaced by the last valid one behind the user's back.
  const refused = Object.keys(fieldProblems);
  if (refused.length > 0)
    blockers.unshift(
      `${refused.map((n) => `"${n}"`).join(' and ')} ${refused.length === 1 ? 'is' : 'are'} not valid — fix ${refused.length === 1 ? 'it' : 'them'} to train.`,
    );
  const ready = blockers.length === 0 && !s.datasetError;
  const featureShare = s.features?.cached ? 0 : 0.4;
  const featureFrac = s.features ? s.features.done / Math.max(1, s.features.total) : 0;
  const lastX = s.batches[s.batches.length - 1]?.x ?? 0;
  const trainFrac = Math.min(1, lastX / Math.max(1, s.params.epochs));
  const progress =
    s.phase === 'done' ? 1 : featureShare * featureFrac + (1 - featureShare) * trainFrac;
  const lastEpoch = s.epochs[s.epochs.length - 1];

  let phaseText = '';
  if (s.phase === 'features' && s.features)
    phaseText = `Running the frozen layers once per image: ${s.features.done} / ${s.features.total}`;
  else if (s.phase === 'features') phaseText = 'Preparing…';
  else if (s.phase === 'training')
    phaseText = `Epoch ${Math.min(s.params.epochs, s.epochs.length + 1)} / ${s.params.epochs}${s.features?.cached ? ' · frozen features from cache' : ''}`;
  else if (s.phase === 'done') phaseText = `Finished ${s.epochs.length} epochs`;
  else if (s.phase === 'stopped')
    phaseText = `Stopped after ${s.epochs.length} epoch${s.epochs.length === 1 ? '' : 's'}; the curve so far is kept.`;

  return (
    <section
      aria-label="Training"
      className="panel training"
      data-dataset={s.datasetName ?? ''}
      data-decoding={s.decoding ? 'yes' : 'no'}
    >
      <h2>
        <span className="step">3</span> Train
      </h2>
      <FieldProblems.Provider value={reportField}>
        <div className="field-grid">
          <NumberField
            name="Learning rate"
            value={s.params.learningRate}
            min={1e-7}
            max={10}
            step="any"
            disabled={running}
            onChange={(v) => s.setParams({ learningRate: v })}
          />
          <NumberField
            name="Fine-tune learning rate"
            value={s.params.fineTuneLearningRate}
            min={1e-9}
            max={10}
            step="any"
            disabled={running}
            onChange={(v) => s.setParams({ fineTuneLearningRate: v })}
          />
          <NumberField
            name="Epochs"
            value={s.params.epochs}
            min={1}
            max={500}
            step={1}
            integer
            disabled={running}
            onChange={(v) => s.setParams({ epochs: v })}
          />
          <NumberField
            name="Batch size"
            value={s.params.batchSize}
            min={1}
            max={1024}
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
            min={1}
            max={100}
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
        <TrainOptions disabled={running} />
      </FieldProblems.Provider>
      <div className="actions">
        <button
          type="button"
          className="button primary"
          disabled={!ready || running}
          onClick={train}
        >
          Train
        </button>
        <button type="button" className="button" disabled={!running} onClick={stop}>
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
      <div className="progress-row">
        <progress
          aria-label="Training progress"
          max={1}
          value={running || s.phase === 'done' || s.phase === 'stopped' ? progress : 0}
        />
        <span className="small muted">{phaseText}</span>
      </div>
      {s.trainingError && (
        <p role="alert" className="error-text">
          {s.trainingError}
        </p>
      )}
      <LossChart
        batches={s.batches}
        epochs={s.epochs}
        totalEpochs={s.params.epochs}
        keptEpoch={s.params.earlyStopping.enabled ? s.bestEpoch : null}
      />
      <div
        role="status"
        aria-label="Validation accuracy"
        className="metric"
        data-run={s.runId ?? ''}
        data-epochs={s.epochs.length}
        data-phase={s.phase}
      >
        {s.valAccuracy !== null ? (
          <>
            <span className="metric-label">Validation accuracy</span>
            <span className="metric-value">{pct(s.valAccuracy)}</span>
            <span className="small muted">
              chance: {pct(1 / Math.max(1, s.classes.length))}
              {s.bestEpoch && s.params.earlyStopping.enabled
                ? ` · weights of epoch ${s.bestEpoch} of ${s.epochs.length} kept${s.stoppedEarly ? ' (stopped early)' : ''}`
                : ''}
            </span>
          </>
        ) : lastEpoch ? (
          <span className="muted">
            Validation accuracy after epoch {lastEpoch.epoch}: {pct(lastEpoch.valAccuracy)}
          </span>
        ) : (
          <span className="muted">Validation accuracy appears here after training.</span>
        )}
      </div>
      {s.epochs.length > 0 && (
        <table className="epochs" aria-label="Epochs">
          <thead>
            <tr>
              <th scope="col">Epoch</th>
              <th scope="col" className="num">
                Train loss
              </th>
              <th scope="col" className="num">
                Train acc.
              </th>
              <th scope="col" className="num">
                Val. loss
              </th>
              <th scope="col" className="num">
                Val. acc.
              </th>
            </tr>
          </thead>
          <tbody>
            {s.epochs.slice(-EPOCH_ROWS).map((e) => (
              <tr key={e.epoch}>
                <td>{e.epoch}</td>
                <td className="num">{e.trainLoss.toFixed(3)}</td>
                <td className="num">{pct(e.trainAccuracy)}</td>
                <td className="num">{e.valLoss.toFixed(3)}</td>
                <td className="num">{pct(e.valAccuracy)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <EvaluationView />
      <PredictPanel />
      {s.timings && (
        <p
          className="small muted"
          data-testid="timings"
          data-features-ms={Math.round(s.timings.featuresMs)}
          data-head-ms={Math.round(s.timings.headMs)}
          data-images={s.timings.images}
          data-features-backend={s.timings.featuresBackend ?? ''}
          data-head-backend={s.timings.headBackend}
          data-frozen-layers={s.timings.frozenPrefixLayers}
          data-trainable-params={s.timings.trainableParams}
        >
          {s.timings.featuresBackend
            ? `Frozen part (${s.timings.frozenPrefixLayers} layers): ${s.timings.images} images in ${(s.timings.featuresMs / 1000).toFixed(1)} s on ${s.timings.featuresBackend} (${(s.timings.images / Math.max(0.001, s.timings.featuresMs / 1000)).toFixed(1)} img/s), cached. `
            : s.timings.frozenPrefixLayers > 1
              ? `Frozen part (${s.timings.frozenPrefixLayers} layers): from cache. `
              : 'Nothing frozen to cache: every step runs the whole network. '}
          Training: {(s.timings.headMs / 1000).toFixed(1)} s on {s.timings.headBackend}
          {s.timings.trainableParams > 0
            ? `, ${s.timings.trainableParams.toLocaleString('en')} network parameters + head`
            : ', head only'}
          .
        </p>
      )}
      <MemoryNote />
      {s.tensorCheck && (
        <p
          className="small muted"
          data-testid="tensor-check"
          data-before={s.tensorCheck.before}
          data-after={s.tensorCheck.after}
        >
          Worker tensors: {s.tensorCheck.before} before the run, {s.tensorCheck.after} after.
        </p>
      )}
      <RunsView />
    </section>
  );
}
