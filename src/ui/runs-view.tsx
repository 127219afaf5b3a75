import { useStudio } from '../state/store';
import {
  CONSERVATION_LESSON,
  LAYER_TRANSFER_LESSON,
  LEARNING_RATE_LESSON,
  MODE_LESSONS,
  YOSINSKI_2014,
} from '../strategy/lesson';

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

/** This session's finished runs, and the reference numbers of Yosinski et al. beside them. */
export function RunsView() {
  const runs = useStudio((s) => s.runs);
  const byDepth = [...runs].sort((a, b) => a.frozen - b.frozen);
  return (
    <section aria-label="Runs and lesson" className="runs">
      <h3>Runs this session</h3>
      {runs.length === 0 ? (
        <p className="muted small">
          Finished runs are listed here, to compare freeze depths and settings.
        </p>
      ) : (
        <ul aria-label="Runs" className="run-list">
          {runs.map((r, i) => (
            <li key={r.id} aria-label={`Run ${i + 1}`}>
              <span className="run-name">
                #{i + 1} {r.dataset} · {r.frozen}/{r.weighted} layers frozen
                {r.fineTuned ? `, ${r.fineTuned} fine-tuned` : ''}
                {r.reinitialized ? `, ${r.reinitialized} re-initialized` : ''} ·{' '}
                {r.params.head === 'svm' ? 'SVM' : 'softmax'}
                {r.params.conservation > 0 ? ` · λ=${r.params.conservation}` : ''} ·{' '}
                {r.epochs.length} ep
                {r.stopped ? ' (stopped)' : ''}
              </span>
              <span className="num">
                val {pct(r.valAccuracy)} · test {pct(r.testAccuracy)}
              </span>
            </li>
          ))}
        </ul>
      )}
      <details className="lesson">
        <summary>Lesson: how many layers to freeze?</summary>
        <p className="small">{YOSINSKI_2014.setup}</p>
        <table aria-label="Reference: Yosinski et al. 2014" className="lesson-table">
          <thead>
            <tr>
              <th scope="col">first n layers copied</th>
              {YOSINSKI_2014.frozen.map((p) => (
                <th key={p.n} scope="col" className="num">
                  {p.n}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">frozen (top-1 %)</th>
              {YOSINSKI_2014.frozen.map((p) => (
                <td key={p.n} className="num">
                  {p.top1}
                </td>
              ))}
            </tr>
            <tr>
              <th scope="row">fine-tuned</th>
              <td colSpan={YOSINSKI_2014.frozen.length} className="num">
                {YOSINSKI_2014.fineTuned.min}–{YOSINSKI_2014.fineTuned.max} at every n (scratch:{' '}
                {YOSINSKI_2014.baseline})
              </td>
            </tr>
          </tbody>
        </table>
        <ul className="small takeaways">
          {YOSINSKI_2014.takeaways.map((t) => (
            <li key={t}>{t}</li>
          ))}
        </ul>
        {byDepth.length > 0 && (
          <p className="small">
            <strong>Your runs by frozen depth:</strong>{' '}
            {byDepth
              .map(
                (r) => `${r.frozen}/${r.weighted} frozen → ${pct(r.testAccuracy ?? r.valAccuracy)}`,
              )
              .join(' · ')}
            . With few images, differences of 1–2 points are within noise: compare several seeds
            before drawing a line.
          </p>
        )}
        <p className="small muted">{YOSINSKI_2014.citation}</p>
        <h4>Layer modes</h4>
        <ul className="small takeaways">
          {MODE_LESSONS.map((m) => (
            <li key={m.mode}>
              <strong>{m.label}:</strong> {m.text}
            </li>
          ))}
        </ul>
        <p className="small">
          <strong>Learning rates.</strong> {LEARNING_RATE_LESSON.text}
        </p>
        <p className="small">
          <strong>Conservation training.</strong> {CONSERVATION_LESSON.text}{' '}
          {CONSERVATION_LESSON.outputForm}
        </p>
        <p className="small">
          <strong>Layer transfer.</strong> {LAYER_TRANSFER_LESSON.images}{' '}
          {LAYER_TRANSFER_LESSON.speech}
        </p>
      </details>
    </section>
  );
}
