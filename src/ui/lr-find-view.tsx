import { roundRate, type LrSweep } from '../domain';
import { useStudio } from '../state/store';
import { LrChart } from './charts/lr-chart';
import { useStudioActions } from './studio-actions';

const rate = (r: number) => roundRate(r).toExponential(1).replace('.0e', 'e');

const PHASES = {
  features: 'Computing the frozen layers’ features',
  head: 'Sweeping the head’s rate',
  'fine-tune': 'Sweeping the fine-tune rate',
} as const;

/** What a sweep suggests, in words. */
function suggestion(label: string, s: LrSweep, extra = ''): string {
  if (s.ended === 'stopped') return `${label}: stopped before the end, no suggestion.`;
  const climb = s.climbsFrom === null ? '' : `; it climbs from ${rate(s.climbsFrom)}`;
  if (s.suggested === null || s.minimum === null)
    return `${label}: no suggestion — the smoothed loss did not fall${climb}${extra}.`;
  const last = s.points.at(-1)?.rate ?? 0;
  const falling = s.ended === 'last rate' && s.minimum >= last / 2 ? ', still falling' : '';
  return `${label}: ${rate(s.suggested)} (lowest smoothed loss at ${rate(s.minimum)}${falling}, ÷ 10${climb}${extra}).`;
}

/**
 * `Find learning rate`: the learning-rate range test on the current data and plan, its curve
 * of loss against rate, and the rates it suggests (`Use suggested rates`). `Stop` ends it.
 */
export function LrFindView({ ready, training }: { ready: boolean; training: boolean }) {
  const { findLearningRate, useSuggestedRates } = useStudioActions();
  const lr = useStudio((s) => s.lrFind);
  const running = lr.status === 'running';
  const result = lr.result;
  const any = Boolean(result && (result.head.suggested || result.fineTune?.suggested));
  return (
    <div className="lr-find">
      <div className="actions">
        <button
          type="button"
          className="button"
          disabled={!ready || training || running}
          onClick={findLearningRate}
        >
          Find learning rate
        </button>
        {running && (
          <span className="muted small">
            {lr.progress
              ? `${PHASES[lr.progress.phase]}: ${lr.progress.done} of ${lr.progress.phase === 'features' ? '' : 'at most '}${lr.progress.total}…`
              : 'Starting the learning-rate test…'}
          </span>
        )}
      </div>
      {lr.status === 'error' && lr.error && <p className="error-text small">{lr.error}</p>}
      {result && (
        <section aria-label="Loss vs learning rate" className="lr-result">
          <LrChart head={result.head} fineTune={result.fineTune} />
          <ul className="small">
            <li>{suggestion('Learning rate (head)', result.head)}</li>
            {result.fineTune && (
              <li>
                {suggestion(
                  'Fine-tune learning rate',
                  result.fineTune,
                  result.fineTune.headRate
                    ? `; head trained first at ${rate(result.fineTune.headRate)}, then held`
                    : '',
                )}
              </li>
            )}
          </ul>
          <button
            type="button"
            className="button"
            disabled={!any || training}
            onClick={useSuggestedRates}
          >
            Use suggested rates
          </button>
          <p className="hint small">
            {lr.measuredOn && <>Measured on {lr.measuredOn}. </>}
            The rate grew from 1e-7 to 1, ten times every 14 steps of training; after each step the
            loss is measured on{' '}
            {result.head.lossOf === 'validation'
              ? 'up to 100 validation images (a rate too large shows there while the training batches still fit)'
              : 'the step’s training batch (there is no validation split)'}
            , and smoothed over about ten steps. Where it falls the rate is useful; where it climbs,
            too large. The suggestion is the rate at the lowest smoothed loss ÷ 10. With fine-tuned
            layers a second sweep varies their rate alone, on a new head trained first at its
            suggested rate. Your trained runs are not changed.
          </p>
        </section>
      )}
    </div>
  );
}
