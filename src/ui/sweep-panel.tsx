import { useMemo, useState } from 'react';
import { useStudio } from '../state/store';
import {
  candidateDepths,
  defaultDepths,
  summarizeSweep,
  SWEEP_DEFAULT_SEEDS,
  timeLeft,
} from '../strategy/sweep';
import { SweepChart } from './charts/sweep-chart';
import { NumberField } from './number-field';
import { PARAM_RANGES } from '../domain';
import { sweepFineTuneRate } from '../strategy/quadrant-table';
import { useStudioActions } from './studio-actions';

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/** "How deep should I freeze for my data?": the current plan at several freeze depths, several seeds each. */
export function SweepPanel() {
  const { startSweep, cancelSweep } = useStudioActions();
  const model = useStudio((s) => s.model);
  const plan = useStudio((s) => s.plan);
  const sweep = useStudio((s) => s.sweep);
  const fineTuneRate = useStudio((s) => s.params.fineTuneLearningRate);
  const busy = useStudio((s) => s.phase === 'features' || s.phase === 'training');
  const ready = useStudio((s) => s.classes.length >= 2 && !s.decoding);
  const [seeds, setSeeds] = useState(SWEEP_DEFAULT_SEEDS);
  const measured = model ? sweepFineTuneRate(model.card.id) : null;
  const [rateDraft, setRate] = useState<number | null>(null);
  const rate = rateDraft ?? measured?.rate ?? fineTuneRate;
  const [chosen, setChosen] = useState<string[] | null>(null);
  const all = useMemo(
    () => (model ? candidateDepths(model.layers, plan.featureLayer) : []),
    [model, plan.featureLayer],
  );
  const defaults = useMemo(
    () => (model ? defaultDepths(model.layers, plan.featureLayer) : []),
    [model, plan.featureLayer],
  );
  const key = (d: { label: string }) => d.label;
  const selected = all.filter((d) => (chosen ?? defaults.map(key)).includes(key(d)));
  const running = sweep?.status === 'running';
  const points = sweep ? summarizeSweep(sweep.depths, sweep.runs) : [];
  const left = sweep && running ? timeLeft(sweep.runs, sweep.total) : null;
  if (!model) return null;

  return (
    <section aria-label="Freeze-depth sweep" className="sweep">
      <h4>Freeze-depth sweep</h4>
      <p className="small muted">
        Trains the current plan at each depth below — frozen up to that block boundary, fine-tuned
        above — with {seeds} seed{seeds === 1 ? '' : 's'} each, on the same split, one run after
        another.
      </p>
      <p className="small muted" data-testid="sweep-rate-note">
        {measured && rateDraft === null
          ? `Fine-tuned layers learn at ${measured.rate} in the sweep: the rate validation chose for fine-tuning this network on ${measured.table.perClass} images per class (docs/quadrants.md). At the default 1e-5 the unfrozen layers barely move in a few epochs and every depth comes out alike.`
          : `Fine-tuned layers learn at ${rate} in the sweep.`}
        {rate <= 1e-5 &&
          ' At this rate the unfrozen layers barely move in a few epochs, so the depths may come out alike.'}
      </p>
      <details>
        <summary className="small">
          Depths: {selected.length} of {all.length} block boundaries
        </summary>
        <ul className="depth-list">
          {all.map((d) => (
            <li key={key(d)}>
              <label className="check">
                <input
                  type="checkbox"
                  aria-label={`Depth ${d.label}`}
                  checked={selected.includes(d)}
                  disabled={running}
                  onChange={(e) => {
                    const now = selected.map(key);
                    setChosen(
                      e.target.checked ? [...now, key(d)] : now.filter((k) => k !== key(d)),
                    );
                  }}
                />
                {d.label} ({d.frozen}/{d.weighted} frozen)
              </label>
            </li>
          ))}
        </ul>
      </details>
      <div className="field-row">
        <NumberField
          name="Seeds per depth"
          value={seeds}
          min={1}
          max={10}
          step={1}
          integer
          disabled={running}
          onChange={setSeeds}
        />
        <NumberField
          name="Sweep fine-tune rate"
          value={rate}
          min={PARAM_RANGES.fineTuneLearningRate.min}
          max={PARAM_RANGES.fineTuneLearningRate.max}
          step="any"
          disabled={running}
          onChange={setRate}
        />
        <button
          type="button"
          className="button"
          disabled={running || busy || !ready || selected.length < 2}
          onClick={() => startSweep(selected, seeds, rate)}
        >
          Freeze-depth sweep
        </button>
        <button type="button" className="button" disabled={!running} onClick={cancelSweep}>
          Cancel sweep
        </button>
      </div>
      {sweep && (
        <div className="progress-row">
          <progress aria-label="Sweep progress" max={sweep.total} value={sweep.runs.length} />
          <span className="small muted">
            {sweep.runs.length} / {sweep.total} runs
            {left !== null ? ` · about ${Math.ceil(left)} s left` : ''}
            {sweep.status === 'cancelled' ? ' · stopped; the finished runs are kept' : ''}
            {sweep.status === 'done'
              ? ` · finished in ${Math.round((Date.now() - sweep.startedAt) / 1000)} s`
              : ''}
          </span>
        </div>
      )}
      {sweep?.error && (
        <p role="alert" className="error-text small">
          {sweep.error}
        </p>
      )}
      {sweep && sweep.runs.length > 0 && (
        <>
          <SweepChart points={points} />
          <table aria-label="Sweep results" className="lesson-table">
            <thead>
              <tr>
                <th scope="col">frozen up to</th>
                <th scope="col" className="num">
                  val. (mean ± sd)
                </th>
                <th scope="col" className="num">
                  test (mean ± sd)
                </th>
                <th scope="col" className="num">
                  time/run
                </th>
                <th scope="col">vs next depth</th>
              </tr>
            </thead>
            <tbody>
              {points
                .filter((p) => p.runs > 0)
                .map((p, i, shown) => (
                  <tr key={p.depth.label}>
                    <th scope="row">{p.depth.label}</th>
                    <td className="num">
                      {pct(p.val.mean)} ± {pct(p.val.sd)}
                    </td>
                    <td className="num">
                      {p.test ? `${pct(p.test.mean)} ± ${pct(p.test.sd)}` : '—'}
                    </td>
                    <td className="num">{p.seconds.toFixed(1)} s</td>
                    <td className="small">
                      {i === shown.length - 1
                        ? ''
                        : p.sameAsNext
                          ? 'within seed noise'
                          : 'differs beyond noise'}
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
