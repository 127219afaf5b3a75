import { useEffect, useRef, useState, type DragEvent } from 'react';
import { useStudio } from '../state/store';
import { datasetProblems } from '../strategy/readiness';
import { useStudioActions } from './studio-actions';
import { StrategyPanel } from './strategy-panel';

export function DataPanel() {
  const { loadDropped, loadPickedFolder, loadSample, samples, cancelDataset } = useStudioActions();
  const classes = useStudio((s) => s.classes);
  const skipped = useStudio((s) => s.skipped);
  const decoding = useStudio((s) => s.decoding);
  const name = useStudio((s) => s.datasetName);
  const error = useStudio((s) => s.datasetError);
  const notice = useStudio((s) => s.datasetNotice);
  const busy = useStudio((s) => s.phase === 'features' || s.phase === 'training');
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    // Not in React's attribute typings; set it on the element directly.
    input.current?.setAttribute('webkitdirectory', '');
  }, []);

  const onDrop = (e: DragEvent<HTMLElement>) => {
    e.preventDefault();
    setOver(false);
    if (!busy) loadDropped(e.dataTransfer);
  };
  const total = classes.reduce((n, c) => n + c.count, 0);
  const problems = name && !decoding && !error ? datasetProblems(classes) : [];

  return (
    <section
      aria-label="Dataset"
      className={`panel drop ${over ? 'drop-over' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <h2>
        <span className="step">1</span> Data
      </h2>
      <p className="hint">
        Drop a folder here: one sub-folder per class. Images stay on this machine.
      </p>
      <div className="actions">
        <label className="button">
          Choose image folder…
          <input
            ref={input}
            type="file"
            multiple
            aria-label="Choose image folder"
            className="visually-hidden"
            disabled={busy}
            onChange={(e) => {
              if (e.target.files && e.target.files.length > 0) loadPickedFolder(e.target.files);
              e.target.value = '';
            }}
          />
        </label>
        {samples.map((sample) => (
          <button
            key={sample.id}
            type="button"
            className="button secondary"
            disabled={busy}
            title={sample.description}
            aria-label={`Load sample: ${sample.name}`}
            onClick={() => void loadSample(sample)}
          >
            Load sample: {sample.name}
          </button>
        ))}
      </div>

      {decoding && (
        <div className="progress-row">
          <label htmlFor="decode-progress">
            {decoding.note ?? `Reading ${name}…`}{' '}
            {decoding.handed !== undefined && decoding.handed < decoding.total
              ? `passing the files to the reader: ${decoding.handed.toLocaleString('en')} / ${decoding.total.toLocaleString('en')}`
              : decoding.total > 0
                ? `${decoding.done.toLocaleString('en')} / ${decoding.total.toLocaleString('en')}`
                : ''}
          </label>
          <progress
            id="decode-progress"
            aria-label="Reading images"
            max={decoding.total || undefined}
            value={decoding.total ? decoding.done : undefined}
          />
          {!decoding.note && (
            <button type="button" className="button secondary small-button" onClick={cancelDataset}>
              Cancel reading
            </button>
          )}
        </div>
      )}
      {notice && !decoding && (
        <p role="status" aria-label="Dataset notice" className="notice small">
          {notice}
        </p>
      )}
      {error && (
        <p role="alert" className="error-text">
          {error}
        </p>
      )}

      {name && !decoding && !error && (
        <>
          <h3 className="dataset-name">
            {name}{' '}
            <span className="muted">
              · {total} images, {classes.length} classes
            </span>
          </h3>
          <table aria-label="Classes" className="classes">
            <thead>
              <tr>
                <th scope="col">Class</th>
                <th scope="col" className="num">
                  Images
                </th>
              </tr>
            </thead>
            <tbody>
              {classes.map((c) => (
                <tr key={c.name}>
                  <td>{c.name}</td>
                  <td className="num">{c.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {problems.length > 0 && (
            <div role="alert" className="warning">
              {problems.map((p) => (
                <p key={p}>{p}</p>
              ))}
            </div>
          )}
          <h3>
            Skipped files <span className="muted">({skipped.length})</span>
          </h3>
          {skipped.length === 0 ? (
            <p className="muted small">Every file was used.</p>
          ) : (
            <ul aria-label="Skipped files" className="skipped">
              {skipped.map((f) => (
                <li key={f.path}>
                  <span className="path">{f.path}</span>
                  <span className="reason">{f.reason}</span>
                </li>
              ))}
            </ul>
          )}
          <StrategyPanel />
        </>
      )}
    </section>
  );
}
