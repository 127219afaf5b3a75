import { useEffect, useMemo, useRef, useState } from 'react';
import type { DatasetFile } from '../domain';
import { useStudio } from '../state/store';
import {
  predictionAccuracy,
  predictionsCsv,
  sortPredictions,
  type PredictionSort,
} from '../strategy/predictions';
import { useStudioActions } from './studio-actions';

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
/** Camera frames classified per second at most: live enough, and leaves the worker room. */
const FRAME_INTERVAL_MS = 250;

function filesOf(list: FileList): DatasetFile[] {
  return Array.from(list, (file) => ({ path: file.webkitRelativePath || file.name, file }));
}

/** Use a trained run: classify images, a folder, or the camera; add camera frames to a class; export the model. */
export function PredictPanel() {
  const { choosePredictRun, predictFiles, predictFrame, captureToClass, exportModel } =
    useStudioActions();
  const runs = useStudio((s) => s.runs);
  const predict = useStudio((s) => s.predict);
  const classes = useStudio((s) => s.classes);
  const [sort, setSort] = useState<{ by: PredictionSort; desc: boolean }>({
    by: 'file',
    desc: false,
  });
  const [thumbs, setThumbs] = useState<Map<string, string>>(new Map());
  const [camera, setCamera] = useState<MediaStream | null>(null);
  const [cameraError, setCameraError] = useState<string | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  const usable = runs.filter((r) => r.status === 'done' || r.status === 'stopped');
  const label = (id: string) => `#${runs.findIndex((r) => r.id === id) + 1}`;
  const ready = predict.status === 'ready';
  const inUse = runs.find((r) => r.id === predict.runId);

  const choose = (list: FileList | null) => {
    if (!list || list.length === 0) return;
    const files = filesOf(list);
    for (const url of thumbs.values()) URL.revokeObjectURL(url);
    setThumbs(new Map(files.map((f) => [f.path, URL.createObjectURL(f.file)])));
    predictFiles(files);
  };

  // Live top classes: one frame every FRAME_INTERVAL_MS while the camera runs.
  useEffect(() => {
    if (!camera || !ready) return;
    let busy = false;
    const timer = setInterval(() => {
      const v = video.current;
      if (busy || !v || v.readyState < 2) return;
      busy = true;
      createImageBitmap(v)
        .then(predictFrame)
        .finally(() => (busy = false));
    }, FRAME_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [camera, ready, predictFrame]);

  useEffect(() => () => camera?.getTracks().forEach((t) => t.stop()), [camera]);

  const startCamera = async () => {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
      setCamera(stream);
      setCameraError(null);
      if (video.current) video.current.srcObject = stream;
    } catch (err) {
      setCameraError(`The camera could not be started: ${(err as Error).message}`);
    }
  };

  const capture = (className: string) => {
    const v = video.current;
    if (!v) return;
    const side = Math.min(v.videoWidth, v.videoHeight);
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = side;
    canvas
      .getContext('2d')!
      .drawImage(
        v,
        (v.videoWidth - side) / 2,
        (v.videoHeight - side) / 2,
        side,
        side,
        0,
        0,
        side,
        side,
      );
    canvas.toBlob((blob) => blob && captureToClass(className, blob), 'image/png');
  };

  const rows = useMemo(
    () => sortPredictions(predict.results, sort.by, sort.desc),
    [predict.results, sort],
  );
  const accuracy = predictionAccuracy(predict.results);
  const header = (by: PredictionSort, text: string) => (
    <th scope="col" aria-sort={sort.by === by ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
      <button
        type="button"
        className="link"
        onClick={() => setSort((s) => ({ by, desc: s.by === by ? !s.desc : false }))}
      >
        {text}
      </button>
    </th>
  );
  const downloadCsv = () => {
    const url = URL.createObjectURL(new Blob([predictionsCsv(rows)], { type: 'text/csv' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'predictions.csv';
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  return (
    <section aria-label="Predict" className="predict">
      <h3>Use a trained run</h3>
      {usable.length === 0 ? (
        <p className="small muted">Finish a run to classify new images with it or export it.</p>
      ) : (
        <>
          <label className="field">
            <span>Run to use</span>
            <select
              aria-label="Run to use"
              value={predict.runId ?? ''}
              onChange={(e) => e.target.value && void choosePredictRun(e.target.value)}
            >
              <option value="">choose a run…</option>
              {usable.map((r) => (
                <option key={r.id} value={r.id}>
                  {label(r.id)} {r.model} · {r.dataset} · val {pct(r.valAccuracy)}
                </option>
              ))}
            </select>
          </label>
          {inUse && predict.status !== 'error' && (
            <p className="small" aria-live="polite">
              Using run {label(inUse.id)} ({inUse.model} · {inUse.dataset})
              {predict.justTrained ? ', trained just now' : ''}.
            </p>
          )}
          {predict.status === 'loading' && <p className="small muted">Building the classifier…</p>}
          {predict.error && (
            <p role="alert" className="error-text small">
              {predict.error}
            </p>
          )}
          <div className="actions">
            <label className={`button file-button${ready ? '' : ' disabled'}`}>
              Images…
              <input
                type="file"
                accept="image/*"
                multiple
                aria-label="Choose images to predict"
                className="visually-hidden"
                disabled={!ready}
                onChange={(e) => {
                  choose(e.target.files);
                  e.target.value = '';
                }}
              />
            </label>
            <label className={`button file-button${ready ? '' : ' disabled'}`}>
              Folder…
              <input
                type="file"
                aria-label="Choose folder to predict"
                className="visually-hidden"
                disabled={!ready}
                {...{ webkitdirectory: '', directory: '' }}
                onChange={(e) => {
                  choose(e.target.files);
                  e.target.value = '';
                }}
              />
            </label>
            <button
              type="button"
              className="button"
              disabled={!ready || camera !== null}
              onClick={() => void startCamera()}
            >
              Start camera
            </button>
            <button
              type="button"
              className="button"
              disabled={!ready || predict.exporting}
              onClick={exportModel}
            >
              Export model
            </button>
          </div>
          {cameraError && (
            <p role="alert" className="error-text small">
              {cameraError}
            </p>
          )}
          <div className={camera ? 'camera' : 'camera hidden'}>
            <video ref={video} autoPlay muted playsInline aria-label="Camera" />
            {predict.frame && (
              <ol aria-label="Camera predictions" className="frame-top small">
                {predict.frame.slice(0, 3).map((t) => (
                  <li key={t.className}>
                    {t.className} <span className="num">{pct(t.probability)}</span>
                  </li>
                ))}
              </ol>
            )}
            {camera && classes.length > 0 && (
              <div className="actions small">
                {classes.map((c) => (
                  <button
                    key={c.name}
                    type="button"
                    className="button"
                    onClick={() => capture(c.name)}
                  >
                    Capture to {c.name}
                  </button>
                ))}
              </div>
            )}
          </div>
          {predict.status === 'predicting' && <p className="small muted">Classifying…</p>}
          {predict.results.length > 0 && (
            <>
              <p className="small">
                {predict.results.length} image{predict.results.length === 1 ? '' : 's'} classified
                {accuracy
                  ? ` · ${pct(accuracy.accuracy)} correct on the ${accuracy.images} with a class folder`
                  : ''}
                {predict.skipped.length > 0 ? ` · ${predict.skipped.length} skipped` : ''}.{' '}
                <button type="button" className="button" onClick={downloadCsv}>
                  Download predictions (CSV)
                </button>
              </p>
              <div className="table-scroll">
                <table aria-label="Predictions" className="predictions">
                  <thead>
                    <tr>
                      <th scope="col">image</th>
                      {header('file', 'file')}
                      {header('class', 'predicted class')}
                      {header('confidence', 'confidence')}
                      {header('truth', 'true class')}
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((r) => (
                      <tr key={r.path}>
                        <td>
                          {thumbs.get(r.path) && (
                            <img src={thumbs.get(r.path)} alt="" className="thumb" />
                          )}
                        </td>
                        <td className="path">{r.path}</td>
                        <td>{r.top[0]?.className}</td>
                        <td className="num">{pct(r.top[0]?.probability ?? 0)}</td>
                        <td className={r.truth && r.truth !== r.top[0]?.className ? 'wrong' : ''}>
                          {r.truth ?? '—'}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </>
      )}
    </section>
  );
}
