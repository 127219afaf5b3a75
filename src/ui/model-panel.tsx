import { useStudio } from '../state/store';
import { CATALOG, catalogEntry } from '../model/catalog';
import { loadModel } from '../training/client';

const formatParams = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : String(n));

export function ModelPanel() {
  const modelId = useStudio((s) => s.modelId);
  const model = useStudio((s) => s.model);
  const loading = useStudio((s) => s.modelLoading);
  const error = useStudio((s) => s.modelError);
  const busy = useStudio((s) => s.phase === 'features' || s.phase === 'training');
  const entry = catalogEntry(modelId);

  return (
    <section aria-label="Network" className="panel model">
      <h2>
        <span className="step">2</span> Model
      </h2>
      <label className="field">
        <span>Pretrained network</span>
        <select aria-label="Model" value={modelId} disabled={busy || loading} onChange={(e) => loadModel(e.target.value)}>
          {CATALOG.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </select>
      </label>
      {error && (
        <p role="alert" className="error-text">
          {error}
        </p>
      )}
      {entry && (
        <details className="card">
          <summary>
            Where these weights come from: <span className="muted">{entry.provenanceSummary}</span>
          </summary>
          {entry.provenance.map((p) => (
            <p key={p}>{p}</p>
          ))}
        </details>
      )}
      {loading && <p className="muted">Loading the network…</p>}
      {model && (
        <>
          <p className="summary-line">
            {model.layers.length} layers · {formatParams(model.totalParams)} parameters · input {model.inputSize}×
            {model.inputSize} · features: <code>{model.featureLayer}</code> ({model.featureDim}-d)
          </p>
          <p className="hint">
            Every layer below is <strong>frozen</strong>: it turns each image into a {model.featureDim}-number feature vector once,
            and only a new softmax head is trained on those features.
          </p>
          <div className="layer-header" aria-hidden="true">
            <span>Layer</span>
            <span>Type</span>
            <span>Output</span>
            <span className="num">Params</span>
          </div>
          <ul aria-label="Layers" className="layers">
            {model.layers.map((l) => (
              <li key={l.name} aria-label={l.name} className={l.params > 0 ? 'has-weights' : 'passive'}>
                <span className="layer-name" title={l.name}>
                  {l.name}
                </span>
                <span className="layer-class" title={l.className}>
                  {l.className}
                </span>
                <span className="layer-shape">{l.outputShape}</span>
                <span className="num">{l.params > 0 ? l.params.toLocaleString('en') : '—'}</span>
              </li>
            ))}
          </ul>
          <p className="head-note">
            + new head: Dense softmax, {model.featureDim} → one output per class (trained)
          </p>
        </>
      )}
    </section>
  );
}
