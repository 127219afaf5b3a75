import { useStudio } from '../state/store';
import { useStudioActions } from './studio-actions';
import { MIN_SHARED_PASS_IMAGES, type BackendChoice } from '../domain';

const CHOICES: { value: BackendChoice; label: string }[] = [
  { value: 'auto', label: 'Auto (best per job)' },
  { value: 'webgpu', label: 'webgpu' },
  { value: 'webgl', label: 'webgl' },
  { value: 'wasm', label: 'wasm' },
  { value: 'cpu', label: 'cpu' },
];

export function BackendControls() {
  const { setBackend } = useStudioActions();
  const choice = useStudio((s) => s.backendChoice);
  const report = useStudio((s) => s.backend);
  const error = useStudio((s) => s.backendError);
  const busy = useStudio((s) => s.phase === 'features' || s.phase === 'training');
  const gpuText =
    report?.gpu === 'software'
      ? 'software GPU'
      : report?.gpu === 'hardware'
        ? 'hardware GPU'
        : null;
  const jobsText =
    report &&
    (report.jobs.features !== report.active ||
      report.jobs.head !== report.active ||
      report.jobs.fineTune !== report.active)
      ? `network on ${report.jobs.features}${report.jobs.fineTune !== report.jobs.features ? ` (training on ${report.jobs.fineTune})` : ''}, lone head on ${report.jobs.head}`
      : null;
  return (
    <div className="backend">
      <div role="status" className="backend-status" title={report?.note ?? ''}>
        {error ? (
          <span className="error-text">Backend: none — {error}</span>
        ) : report ? (
          <>
            <span className="pill">Backend: {report.active}</span>
            {gpuText && <span className="muted"> · {gpuText}</span>}
            {jobsText && <span className="muted"> · {jobsText}</span>}
            {report.wasm && (
              <span className="muted" title={report.wasm.note}>
                {' '}
                · wasm: {report.wasm.threads} {report.wasm.threads === 1 ? 'thread' : 'threads'}
                {!report.wasm.isolated && ' (page not cross-origin isolated)'}
              </span>
            )}
            {(report.featureWorkers ?? 0) > 1 && (
              <span
                className="muted"
                title={`From ${MIN_SHARED_PASS_IMAGES} images on, the frozen layers' pass over the images is shared among this many workers, one per core.`}
              >
                {' '}
                · features on {report.featureWorkers} workers
              </span>
            )}
          </>
        ) : (
          <span className="muted">Backend: starting…</span>
        )}
      </div>
      <label className="inline-field">
        <span>Backend</span>
        <select
          aria-label="Backend"
          value={choice}
          disabled={busy}
          onChange={(e) => setBackend(e.target.value as BackendChoice)}
        >
          {CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
