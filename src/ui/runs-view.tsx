import { useState } from 'react';
import type { RunRecord } from '../domain';
import { useStudio } from '../state/store';
import { planSummary } from '../strategy/compare';
import { ComparisonView } from './comparison-view';
import { SweepPanel } from './sweep-panel';
import { useStudioActions } from './studio-actions';
import {
  CONSERVATION_LESSON,
  LAYER_TRANSFER_LESSON,
  LEARNING_RATE_LESSON,
  MEASURED_LESSONS,
  MODE_LESSONS,
  YOSINSKI_2014,
} from '../strategy/lesson';

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const formatBytes = (n: number) =>
  n >= 2 ** 20
    ? `${(n / 2 ** 20).toFixed(1)} MB`
    : n >= 1024
      ? `${(n / 1024).toFixed(0)} kB`
      : `${n} B`;

/** This session's finished runs, and the reference numbers of Yosinski et al. beside them. */
export function RunsView() {
  const {
    openRun,
    reuseRun,
    deleteRun,
    exportExperiment,
    importExperiment,
    exportTrainingJob,
    importRun,
  } = useStudioActions();
  const canExportJob = useStudio((s) => s.model !== null && s.classes.length > 0);
  const experimentNote = useStudio((s) => s.experimentNote);
  const sweepDone = useStudio((s) => (s.sweep?.runs.length ?? 0) > 0);
  const runs = useStudio((s) => s.runs);
  const current = useStudio((s) => s.runId);
  const storedBytes = useStudio((s) => s.storedBytes);
  const storageError = useStudio((s) => s.storageError);
  const [selected, setSelected] = useState<string[]>([]);
  const [comparing, setComparing] = useState<string[] | null>(null);
  const byDepth = runs.filter((r) => r.epochs.length > 0).sort((a, b) => a.frozen - b.frozen);
  const label = (r: RunRecord) => `#${runs.indexOf(r) + 1}`;
  const toggle = (id: string) =>
    setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));
  const compared = (comparing ?? [])
    .map((id) => runs.find((r) => r.id === id))
    .filter((r): r is RunRecord => r !== undefined);
  return (
    <section aria-label="Runs and lesson" className="runs">
      <h3>Runs</h3>
      <p role="status" className="small muted">
        Stored: {storedBytes === null ? 'unknown' : formatBytes(storedBytes)} in this browser
      </p>
      {storageError && (
        <p role="alert" className="error-text small">
          {storageError}
        </p>
      )}
      {runs.length === 0 ? (
        <p className="muted small">
          Runs are listed and kept here, to compare freeze depths and settings.
        </p>
      ) : (
        <ul aria-label="Runs" className="run-list">
          {runs.map((r) => (
            <li
              key={r.id}
              aria-label={`Run ${label(r)}`}
              className={r.id === current ? 'current' : ''}
            >
              <label className="check">
                <input
                  type="checkbox"
                  aria-label={`Select run ${label(r)}`}
                  checked={selected.includes(r.id)}
                  onChange={() => toggle(r.id)}
                />
                <span className="run-name">
                  {label(r)} {r.model} · {r.dataset} · {planSummary(r)} · {r.epochs.length} ep
                  {r.status === 'interrupted'
                    ? ' (interrupted)'
                    : r.status === 'stopped'
                      ? ' (stopped)'
                      : r.status === 'failed'
                        ? ' (failed)'
                        : r.status === 'running'
                          ? ' (running)'
                          : ''}
                </span>
              </label>
              <span className="num">
                val {pct(r.valAccuracy)} · test {pct(r.testAccuracy)} ·{' '}
                {new Date(r.createdAt).toLocaleTimeString()}
              </span>
              <span className="run-actions">
                <button
                  type="button"
                  className="link"
                  onClick={() => openRun(r.id)}
                  disabled={r.status === 'running'}
                >
                  Open
                </button>
                <button type="button" className="link" onClick={() => reuseRun(r.id)}>
                  Use this plan again
                </button>
                <button
                  type="button"
                  className="link"
                  aria-label={`Delete run ${label(r)}`}
                  disabled={r.status === 'running'}
                  onClick={() => {
                    setSelected((s) => s.filter((x) => x !== r.id));
                    deleteRun(r.id);
                  }}
                >
                  Delete
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      {runs.length > 1 && (
        <button
          type="button"
          className="button"
          disabled={selected.length < 2}
          onClick={() => setComparing(selected)}
        >
          Compare runs
        </button>
      )}
      <div className="actions small">
        <button
          type="button"
          className="button"
          disabled={selected.length === 0}
          onClick={() => void exportExperiment({ runIds: selected })}
        >
          Export experiment
        </button>
        <button
          type="button"
          className="button"
          disabled={!sweepDone}
          onClick={() => void exportExperiment('sweep')}
        >
          Export sweep
        </button>
        <button
          type="button"
          className="button"
          disabled={!canExportJob}
          onClick={exportTrainingJob}
        >
          Export training job
        </button>
        <label className="button file-button">
          Import run…
          <input
            type="file"
            multiple
            accept=".json,.bin"
            aria-label="Import run"
            className="visually-hidden"
            onChange={(e) => {
              if (e.target.files?.length) void importRun(Array.from(e.target.files));
              e.target.value = '';
            }}
          />
        </label>
        <label className="button file-button">
          Import experiment…
          <input
            type="file"
            accept="application/json,.json"
            aria-label="Import experiment"
            className="visually-hidden"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void importExperiment(file);
              e.target.value = '';
            }}
          />
        </label>
      </div>
      {experimentNote && (
        <p
          role={experimentNote.warning ? 'alert' : 'status'}
          className={experimentNote.warning ? 'error-text small' : 'small'}
        >
          {experimentNote.text}
        </p>
      )}
      {compared.length >= 2 && <ComparisonView runs={compared} labels={compared.map(label)} />}
      <SweepPanel />
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
        <h4>Measured in this studio</h4>
        <ul className="small takeaways" aria-label="Measured in this studio">
          {MEASURED_LESSONS.map((m) => (
            <li key={m.title}>
              <strong>{m.title}.</strong> {m.text} <span className="muted">({m.source})</span>
            </li>
          ))}
        </ul>
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
