import { useMemo, useState } from 'react';
import { countModes, type RunRecord } from '../domain';
import type { StudioState } from '../state/store';
import { useStudio } from '../state/store';
import { QUADRANTS, type Quadrant } from '../strategy/quadrant';
import {
  armLabel,
  EXPERIMENT_DEFAULT_MAX_EPOCHS,
  EXPERIMENT_DEFAULT_SEEDS,
  experimentArms,
  experimentResults,
  experimentTimeLeft,
  sameRunNote,
  type ArmVerdict,
  type ExperimentArm,
} from '../strategy/quadrant-experiment';
import { ComparisonView } from './comparison-view';
import { NumberField } from './number-field';
import { useStudioActions } from './studio-actions';

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const pp = (v: number) => `${v < 0 ? '−' : '+'}${Math.abs(v * 100).toFixed(1)}`;

const VERDICT_TEXT: Record<ArmVerdict, string> = {
  better: 'Better',
  'within-noise': 'Within noise',
  worse: 'Worse',
  'too-few': 'Cannot tell from one seed',
};

/** Something trains on the worker now (a run, a sweep, a lesson, a range test, this experiment). */
const busyOf = (s: StudioState) =>
  s.phase === 'features' ||
  s.phase === 'training' ||
  s.quadrantExperiment?.status === 'running' ||
  s.sweep?.status === 'running' ||
  s.lesson?.status === 'running' ||
  s.lrFind.status === 'running';

/** One line on what an arm trains. */
function planLine(layers: readonly { name: string; params: number }[], arm: ExperimentArm) {
  const m = countModes(layers, arm.plan);
  const trained = [
    m['fine-tune'] ? `${m['fine-tune']} fine-tuned` : '',
    m.reinit ? `${m.reinit} re-initialized` : '',
  ].filter(Boolean);
  const head = arm.params.head === 'svm' ? 'linear SVM' : 'softmax';
  const epochs =
    arm.cappedFrom !== null
      ? `${arm.params.epochs} epochs (capped from ${arm.cappedFrom})`
      : `${arm.params.epochs} epochs`;
  return `${m.frozen}/${m.weighted} frozen${trained.length ? `, ${trained.join(', ')}` : ''}, ${head} head on ${arm.plan.featureLayer}, ${epochs}`;
}

/**
 * "Does the textbook advice hold on my images?": the plan applied now, the chosen quadrant's
 * textbook plan and Teachable Machine's recipe, trained on the loaded data with several
 * seeds on one split, then compared run by run with a verdict per plan.
 */
export function QuadrantExperiment() {
  const { runQuadrantExperiment, stopQuadrantExperiment } = useStudioActions();
  const model = useStudio((s) => s.model);
  const quadrant = useStudio((s) => s.quadrant) as Quadrant | null;
  const plan = useStudio((s) => s.plan);
  const params = useStudio((s) => s.params);
  const runs = useStudio((s) => s.runs);
  const experiment = useStudio((s) => s.quadrantExperiment);
  const busy = useStudio(busyOf);
  const ready = useStudio((s) => s.classes.length >= 2 && !s.decoding);
  const [seeds, setSeeds] = useState(EXPERIMENT_DEFAULT_SEEDS);
  const [maxEpochs, setMaxEpochs] = useState(EXPERIMENT_DEFAULT_MAX_EPOCHS);
  const [shownSeed, setShownSeed] = useState<number | null>(null);
  const preview = useMemo(() => {
    if (!model || !quadrant) return null;
    try {
      return experimentArms({
        layers: model.layers,
        featureLayer: model.card.featureLayer,
        quadrant,
        plan,
        params,
        maxEpochs,
      });
    } catch (err) {
      return (err as Error).message;
    }
  }, [model, quadrant, plan, params, maxEpochs]);
  if (!model || !quadrant) return null;

  const running = experiment?.status === 'running';
  const arms = typeof preview === 'string' ? [] : (preview ?? []);
  const nothingToCompare = arms.length === 1;
  const results = experiment ? experimentResults(experiment.arms, experiment.runs) : [];
  const total = experiment ? experiment.runs.length + experiment.remaining.length : 0;
  const left =
    experiment && running ? experimentTimeLeft(experiment.runs, experiment.remaining) : null;
  const seedShown = shownSeed ?? experiment?.runs[0]?.seed ?? null;
  const compared = (experiment?.runs ?? [])
    .filter((r) => r.seed === seedShown)
    .map((r) => ({ run: runs.find((x) => x.id === r.runId), arm: experiment!.arms[r.armIndex]! }))
    .filter((x): x is { run: RunRecord; arm: ExperimentArm } => x.run !== undefined);
  const quadrantLabel = (id: string) => QUADRANTS.find((q) => q.id === id)?.label ?? id;

  return (
    <section aria-label="Quadrant experiment" className="sweep">
      <h4>Try it on your data</h4>
      <p className="small muted">
        Trains the plan applied now, the textbook plan of “{quadrantLabel(quadrant)}” and Teachable
        Machine’s recipe (everything frozen, a softmax head on the pooled features) on your images,{' '}
        {seeds} seed{seeds === 1 ? '' : 's'} each, on the same split, one run after another; then
        compares each with the applied plan, seed by seed. A plan that fine-tunes or re-initializes
        layers trains at most the epochs below; a head on cached features keeps its plan&apos;s
        epochs (they are cheap, and a head stopped short would lose unfairly). Early stopping may
        end any run sooner.
      </p>
      {typeof preview === 'string' && (
        <p role="alert" className="error-text small">
          {preview}
        </p>
      )}
      {arms.length > 0 && (
        <ul className="small" aria-label="Plans in the experiment">
          {arms.map((a) => (
            <li key={a.id}>
              <strong>{armLabel(a)}</strong>: {planLine(model.layers, a)}
            </li>
          ))}
        </ul>
      )}
      {arms.length > 1 && sameRunNote(arms) && <p className="small hint">{sameRunNote(arms)}</p>}
      {nothingToCompare && (
        <p className="small hint">
          Nothing to compare: the applied plan is the textbook plan and Teachable Machine’s recipe.
          Edit the plan or choose another quadrant to compare plans.
        </p>
      )}
      <div className="field-row">
        <NumberField
          name="Seeds per plan"
          value={seeds}
          min={1}
          max={10}
          step={1}
          integer
          disabled={running}
          onChange={setSeeds}
        />
        <NumberField
          name="Fine-tuning epochs at most"
          value={maxEpochs}
          min={1}
          max={500}
          step={1}
          integer
          disabled={running}
          onChange={setMaxEpochs}
        />
        <button
          type="button"
          className="button"
          disabled={busy || !ready || arms.length < 2}
          onClick={() => {
            setShownSeed(null);
            runQuadrantExperiment({ seeds, maxEpochs });
          }}
        >
          Quadrant experiment
        </button>
        <button
          type="button"
          className="button"
          disabled={!running}
          onClick={stopQuadrantExperiment}
        >
          Stop experiment
        </button>
      </div>
      {experiment && (
        <div className="progress-row">
          <progress
            aria-label="Quadrant experiment progress"
            max={Math.max(1, total)}
            value={experiment.runs.length}
          />
          <span role="status" aria-label="Quadrant experiment status" className="small muted">
            {experiment.runs.length} / {total} runs
            {running && experiment.step ? ` · ${experiment.step}` : ''}
            {left !== null ? ` · about ${Math.ceil(left)} s left` : ''}
            {experiment.status === 'stopped' ? ' · stopped; the finished runs are kept' : ''}
            {experiment.status === 'done' && experiment.endedAt !== null
              ? ` · finished in ${Math.round((experiment.endedAt - experiment.startedAt) / 1000)} s`
              : ''}
          </span>
        </div>
      )}
      {experiment?.error && (
        <p role="alert" className="error-text small">
          {experiment.error}
        </p>
      )}
      {experiment && experiment.runs.length > 0 && (
        <>
          <table aria-label="Quadrant experiment verdict" className="lesson-table">
            <caption className="small">
              {quadrantLabel(experiment.quadrant)}: test accuracy over seeds, and the difference to
              the applied plan paired by seed (same split, same test images; a paired t-test at 95%
              decides better / within noise / worse).
            </caption>
            <thead>
              <tr>
                <th scope="col">plan</th>
                <th scope="col" className="num">
                  accuracy (mean ± sd)
                </th>
                <th scope="col" className="num">
                  vs applied, points
                </th>
                <th scope="col">verdict</th>
                <th scope="col" className="num">
                  time/run
                </th>
              </tr>
            </thead>
            <tbody>
              {results.map((r, i) => (
                <tr key={r.arm.id} data-verdict={r.vsApplied?.verdict ?? 'reference'}>
                  <th scope="row">{r.label}</th>
                  <td className="num">
                    {r.score ? `${pct(r.score.mean)} ± ${pct(r.score.sd)} (${r.score.n})` : '—'}
                  </td>
                  <td className="num">
                    {r.vsApplied
                      ? `${pp(r.vsApplied.mean)} ± ${(r.vsApplied.sd * 100).toFixed(1)}`
                      : '—'}
                  </td>
                  <td>
                    {i === 0
                      ? 'reference'
                      : r.vsApplied
                        ? VERDICT_TEXT[r.vsApplied.verdict]
                        : 'no pair yet'}
                  </td>
                  <td className="num">{r.seconds === null ? '—' : `${r.seconds.toFixed(1)} s`}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {experiment.seeds.length > 1 && (
            <label className="inline-field small">
              <span>Comparison shows seed</span>
              <select
                aria-label="Seed in Comparison"
                value={seedShown ?? ''}
                onChange={(e) => setShownSeed(Number(e.target.value))}
              >
                {experiment.seeds.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
          )}
          {compared.length >= 2 && (
            <ComparisonView
              runs={compared.map((c) => c.run)}
              labels={compared.map((c) => `${armLabel(c.arm)} (seed ${seedShown})`)}
            />
          )}
        </>
      )}
    </section>
  );
}
