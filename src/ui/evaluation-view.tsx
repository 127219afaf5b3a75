import { useState } from 'react';
import { useStudio } from '../state/store';
import { useStudioActions } from './studio-actions';
import { ProjectionChart } from './charts/projection-chart';

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(0)}%`);
const pct1 = (v: number) => `${(v * 100).toFixed(1)}%`;

/** Test-split report: accuracy, per-class precision/recall, and a confusion matrix whose cells open their images. */
export function EvaluationView() {
  const { imageUrl } = useStudioActions();
  const evaluation = useStudio((s) => s.evaluation);
  const [cell, setCell] = useState<string | null>(null);
  if (!evaluation) return null;
  const { classNames, confusion, perClass, misclassified } = evaluation;
  const open = cell ? (misclassified[cell] ?? []) : [];
  const [t = 0, p = 0] = cell ? cell.split('-').map(Number) : [];

  return (
    <section aria-label="Evaluation" className="evaluation">
      <h3>
        {evaluation.split === 'test' ? 'Test' : 'Validation'} set:{' '}
        <span className="metric-inline">{pct(evaluation.accuracy)}</span> accuracy
        <span className="muted small">
          {' '}
          · held out from training{evaluation.split === 'test' ? ' and validation' : ''}
        </span>
      </h3>
      {evaluation.forgetting && (
        <p className="forgetting" data-testid="forgetting">
          Source task ({evaluation.forgetting.images} held-out images of the classes the network was
          pretrained on): {pct1(evaluation.forgetting.before)} before →{' '}
          <strong>{pct1(evaluation.forgetting.after)}</strong> after this run (
          {((evaluation.forgetting.after - evaluation.forgetting.before) * 100).toFixed(1)} pp).{' '}
          <span className="muted">Conservation training (L2-SP λ) reduces this loss.</span>
        </p>
      )}
      <div className="eval-grid">
        <table aria-label="Confusion matrix" className="confusion">
          <thead>
            <tr>
              <th scope="col" className="corner">
                true ↓ / predicted →
              </th>
              {classNames.map((c) => (
                <th key={c} scope="col" title={c}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {confusion.map((row, i) => (
              <tr key={classNames[i]}>
                <th scope="row">{classNames[i]}</th>
                {row.map((n, j) => {
                  const key = `${i}-${j}`;
                  const wrong = i !== j && n > 0;
                  const rowTotal = row.reduce((a, b) => a + b, 0) || 1;
                  const style = {
                    background:
                      i === j
                        ? `rgba(47,111,184,${(0.12 + (0.6 * n) / rowTotal).toFixed(2)})`
                        : n > 0
                          ? `rgba(217,83,79,${(0.1 + (0.5 * n) / rowTotal).toFixed(2)})`
                          : undefined,
                  };
                  return (
                    <td key={key} className="num" style={style}>
                      {wrong ? (
                        <button
                          type="button"
                          className="cell-button"
                          aria-label={`${n} ${classNames[i]} predicted as ${classNames[j]}`}
                          onClick={() => setCell(cell === key ? null : key)}
                        >
                          {n}
                        </button>
                      ) : (
                        n
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
        <table aria-label="Per-class scores" className="per-class">
          <thead>
            <tr>
              <th scope="col">Class</th>
              <th scope="col" className="num">
                Precision
              </th>
              <th scope="col" className="num">
                Recall
              </th>
              <th scope="col" className="num">
                n
              </th>
            </tr>
          </thead>
          <tbody>
            {perClass.map((s, i) => (
              <tr key={classNames[i]}>
                <td>{classNames[i]}</td>
                <td className="num">{pct(s.precision)}</td>
                <td className="num">{pct(s.recall)}</td>
                <td className="num">{s.support}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {evaluation.projection.before.length > 0 && (
        <ProjectionChart
          before={evaluation.projection.before}
          after={evaluation.projection.after}
          labels={evaluation.projection.labels}
          classNames={classNames}
          featuresTrained={evaluation.projection.featuresTrained}
        />
      )}
      {cell && (
        <figure aria-label="Misclassified images" className="misclassified">
          <figcaption className="small">
            {open.length} {classNames[t]} image{open.length === 1 ? '' : 's'} predicted as{' '}
            {classNames[p]}:
          </figcaption>
          <div className="thumbs">
            {open.map((path) => {
              const url = imageUrl(path);
              return url ? (
                <img key={path} src={url} alt={path} title={path} />
              ) : (
                <span key={path}>{path}</span>
              );
            })}
          </div>
        </figure>
      )}
    </section>
  );
}
