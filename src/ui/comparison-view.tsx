import type { RunRecord } from '../domain';
import { differingConfig } from '../strategy/compare';
import { CompareChart } from './charts/compare-chart';

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

/** Two or more runs side by side: overlaid curves, what differs in their set-up, their confusion matrices. */
export function ComparisonView({ runs, labels }: { runs: RunRecord[]; labels: string[] }) {
  const named = runs.map((run, i) => ({ run, label: labels[i]! }));
  const differs = differingConfig(runs);
  return (
    <section aria-label="Comparison" className="comparison">
      <h4>Comparison</h4>
      <div className="compare-charts">
        <CompareChart runs={named} metric="valLoss" title="Validation loss per epoch" />
        <CompareChart runs={named} metric="valAccuracy" title="Validation accuracy per epoch (%)" />
      </div>
      <table aria-label="Differences" className="lesson-table">
        <thead>
          <tr>
            <th scope="col">set-up</th>
            {labels.map((l) => (
              <th key={l} scope="col">
                {l}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {differs.length === 0 && (
            <tr>
              <td colSpan={labels.length + 1} className="muted">
                Same set-up: the runs differ only by chance.
              </td>
            </tr>
          )}
          {differs.map((row) => (
            <tr key={row.label}>
              <th scope="row">{row.label}</th>
              {row.values.map((v, i) => (
                <td key={i}>{v}</td>
              ))}
            </tr>
          ))}
          <tr>
            <th scope="row">best val. / test accuracy</th>
            {runs.map((r) => (
              <td key={r.id} className="num">
                {pct(r.valAccuracy)} / {pct(r.testAccuracy)}
              </td>
            ))}
          </tr>
        </tbody>
      </table>
      <div className="compare-matrices">
        {named.map(({ run, label }) =>
          run.evaluation ? (
            <table
              key={run.id}
              aria-label={`Confusion matrix of ${label}`}
              className="confusion small"
            >
              <caption>{label}</caption>
              <tbody>
                {run.evaluation.confusion.map((row, t) => (
                  <tr key={t}>
                    <th scope="row">{run.evaluation!.classNames[t]}</th>
                    {row.map((n, p) => (
                      <td key={p} className={t === p ? 'diag num' : n > 0 ? 'off num' : 'num'}>
                        {n}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p key={run.id} className="small muted">
              {label}: no evaluation (the run did not finish).
            </p>
          ),
        )}
      </div>
    </section>
  );
}
