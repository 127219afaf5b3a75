/**
 * The parts of the training panel that follow a run as it goes: each selects the few store
 * fields it shows, so a batch report re-draws the bar and the curve, not the panel around them.
 */
import { useShallow } from 'zustand/react/shallow';
import { useStudio } from '../state/store';
import { trainingProgress } from '../strategy/training-progress';
import { LossChart } from './charts/loss-chart';
import { LiveLossCurve } from './charts/live-loss-curve';

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
/** The epochs table shows the latest few; the curve shows them all. */
const EPOCH_ROWS = 8;

/** The progress bar and what the run is doing now. */
export function TrainProgress() {
  const s = useStudio(
    useShallow((s) => ({
      phase: s.phase,
      features: s.features,
      lastX: s.batches[s.batches.length - 1]?.x ?? 0,
      epochsDone: s.epochs.length,
      epochs: s.params.epochs,
    })),
  );
  const progress = trainingProgress({ ...s });
  let phaseText = '';
  if (s.phase === 'features' && s.features)
    phaseText = `Running the frozen layers once per image: ${s.features.done} / ${s.features.total}`;
  else if (s.phase === 'features') phaseText = 'Preparing…';
  else if (s.phase === 'training')
    phaseText = `Epoch ${Math.min(s.epochs, s.epochsDone + 1)} / ${s.epochs}${s.features?.cached ? ' · frozen features from cache' : ''}`;
  else if (s.phase === 'done') phaseText = `Finished ${s.epochsDone} epochs`;
  else if (s.phase === 'stopped')
    phaseText = `Stopped after ${s.epochsDone} epoch${s.epochsDone === 1 ? '' : 's'}; the curve so far is kept.`;
  return (
    <div className="progress-row">
      <progress aria-label="Training progress" max={1} value={progress} />
      <span className="small muted">{phaseText}</span>
    </div>
  );
}

/**
 * The loss curve of the run on screen: while it trains, the light curve (a redraw of the
 * full chart was a 50–60 ms task on the page with every epoch); once it ends, the
 * interactive chart.
 */
export function TrainLossChart() {
  const s = useStudio(
    useShallow((s) => ({
      training: s.phase === 'features' || s.phase === 'training',
      batches: s.batches,
      epochs: s.epochs,
      totalEpochs: s.params.epochs,
      keptEpoch: s.params.earlyStopping.enabled ? s.bestEpoch : null,
    })),
  );
  const { training, ...chart } = s;
  return training ? <LiveLossCurve {...chart} /> : <LossChart {...chart} />;
}

/** Validation accuracy: the kept weights' once the run ends, the last epoch's while it runs. */
export function ValidationMetric() {
  const s = useStudio(
    useShallow((s) => ({
      runId: s.runId,
      phase: s.phase,
      epochs: s.epochs,
      valAccuracy: s.valAccuracy,
      classCount: s.classes.length,
      bestEpoch: s.bestEpoch,
      stoppedEarly: s.stoppedEarly,
      earlyStopping: s.params.earlyStopping.enabled,
    })),
  );
  const lastEpoch = s.epochs[s.epochs.length - 1];
  return (
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
            chance: {pct(1 / Math.max(1, s.classCount))}
            {s.bestEpoch && s.earlyStopping
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
  );
}

/** The latest epochs' losses and accuracies. */
export function EpochsTable() {
  const epochs = useStudio((s) => s.epochs);
  if (epochs.length === 0) return null;
  return (
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
        {epochs.slice(-EPOCH_ROWS).map((e) => (
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
  );
}

/** Where a finished run spent its time: the frozen part (or its cache), then training. */
export function RunTimingsNote() {
  const t = useStudio((s) => s.timings);
  if (!t) return null;
  return (
    <p
      className="small muted"
      data-testid="timings"
      data-features-ms={Math.round(t.featuresMs)}
      data-head-ms={Math.round(t.headMs)}
      data-images={t.images}
      data-features-backend={t.featuresBackend ?? ''}
      data-features-workers={t.featuresWorkers ?? 0}
      data-head-backend={t.headBackend}
      data-frozen-layers={t.frozenPrefixLayers}
      data-trainable-params={t.trainableParams}
    >
      {t.featuresBackend
        ? `Frozen part (${t.frozenPrefixLayers} layers): ${t.images} images in ${(t.featuresMs / 1000).toFixed(1)} s on ${t.featuresBackend}${(t.featuresWorkers ?? 0) > 1 ? ` in ${t.featuresWorkers} workers` : ''} (${(t.images / Math.max(0.001, t.featuresMs / 1000)).toFixed(1)} img/s), cached. `
        : t.frozenPrefixLayers > 1
          ? `Frozen part (${t.frozenPrefixLayers} layers): from cache. `
          : 'Nothing frozen to cache: every step runs the whole network. '}
      Training: {(t.headMs / 1000).toFixed(1)} s on {t.headBackend}
      {t.trainableParams > 0
        ? `, ${t.trainableParams.toLocaleString('en')} network parameters + head`
        : ', head only'}
      .
    </p>
  );
}

/** Live tensors in the worker before and after the last run (a leak shows as a difference). */
export function TensorCheckNote() {
  const check = useStudio((s) => s.tensorCheck);
  if (!check) return null;
  return (
    <p
      className="small muted"
      data-testid="tensor-check"
      data-before={check.before}
      data-after={check.after}
    >
      Worker tensors: {check.before} before the run, {check.after} after.
    </p>
  );
}
