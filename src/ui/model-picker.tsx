import { useState } from 'react';
import { useStudio } from '../state/store';
import { CATALOG } from '../model/catalog';
import { useStudioActions } from './studio-actions';

/** Pixel ranges a user's model may have been trained on. */
const RANGES: { value: [number, number]; label: string }[] = [
  { value: [0, 1], label: '[0, 1]' },
  { value: [-1, 1], label: '[-1, 1]' },
  { value: [0, 255], label: '[0, 255]' },
];
const rangeKey = (r: readonly [number, number]) => `${r[0]},${r[1]}`;

/** Model combobox, input resolution, and the user's own model (files or URL). */
export function ModelPicker() {
  const { loadModel, loadModelFiles, loadModelUrl, setResolution, setValueRange } =
    useStudioActions();
  const modelId = useStudio((s) => s.modelId);
  const model = useStudio((s) => s.model);
  const loading = useStudio((s) => s.modelLoading);
  const busy = useStudio((s) => s.phase === 'features' || s.phase === 'training') || loading;
  const [url, setUrl] = useState('');
  const custom = model?.card.source === 'custom' ? model.card : null;

  return (
    <div className="picker">
      <div className="picker-row">
        <label className="field grow">
          <span>Pretrained network</span>
          <select
            aria-label="Model"
            value={modelId}
            disabled={busy}
            onChange={(e) => loadModel(e.target.value)}
          >
            {CATALOG.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
            {custom && <option value={custom.id}>{custom.name}</option>}
          </select>
        </label>
        {model && model.card.resolutions.length > 1 && (
          <label className="field">
            <span>Input size</span>
            <select
              aria-label="Input size"
              value={model.resolution}
              disabled={busy}
              onChange={(e) => setResolution(Number(e.target.value))}
            >
              {model.card.resolutions.map((r) => (
                <option key={r} value={r}>
                  {r} px
                </option>
              ))}
            </select>
          </label>
        )}
        {custom && (
          <label className="field">
            <span>Pixel range</span>
            <select
              aria-label="Pixel range"
              aria-describedby="pixel-range-hint"
              value={rangeKey(custom.valueRange)}
              disabled={busy}
              onChange={(e) => {
                const chosen = [...RANGES, { value: custom.valueRange }].find(
                  (r) => rangeKey(r.value) === e.target.value,
                );
                if (chosen) setValueRange(chosen.value);
              }}
            >
              {!RANGES.some((r) => rangeKey(r.value) === rangeKey(custom.valueRange)) && (
                <option value={rangeKey(custom.valueRange)}>
                  [{custom.valueRange[0]}, {custom.valueRange[1]}]
                </option>
              )}
              {RANGES.map((r) => (
                <option key={r.label} value={rangeKey(r.value)}>
                  {r.label}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {custom && (
        <p
          id="pixel-range-hint"
          className={custom.valueRangeFrom === 'assumed' ? 'hint' : 'hint small'}
        >
          {custom.valueRangeFrom === 'assumed'
            ? 'Which pixel values was this network trained on? A model.json does not say, so Thaw assumed [0, 1]. '
            : custom.valueRangeFrom === 'user'
              ? `Pixels are fed in [${custom.valueRange[0]}, ${custom.valueRange[1]}], as you chose. `
              : `Pixels are fed in [${custom.valueRange[0]}, ${custom.valueRange[1]}], read from the model (its metadata.json or its structure). `}
          With the wrong range every activation is shifted: the pretrained features and BatchNorm
          statistics no longer fit, and accuracy drops, often a lot. Teachable Machine and Keras
          MobileNet models take [-1, 1]; many others [0, 1]; some [0, 255].
        </p>
      )}
      {model && model.card.resolutions.length > 1 && (
        <p className="hint small">
          Input size trades speed for accuracy: compute grows with the square of the side (128 px
          costs a third of 224 px), but the network learned at {model.card.inputSize} px, so smaller
          inputs lose fine detail. The weights are the same at every size.
        </p>
      )}
      <details className="own-model">
        <summary>Use your own layers model…</summary>
        <div className="own-model-body">
          <label className="button small-button">
            Choose model files…
            <input
              type="file"
              multiple
              accept=".json,.bin,application/json,application/octet-stream"
              aria-label="Choose model files"
              className="visually-hidden"
              disabled={busy}
              onChange={(e) => {
                if (e.target.files && e.target.files.length > 0)
                  loadModelFiles(Array.from(e.target.files));
                e.target.value = '';
              }}
            />
          </label>
          <form
            className="url-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (url.trim()) loadModelUrl(url.trim());
            }}
          >
            <input
              type="text"
              inputMode="url"
              aria-label="Model URL"
              placeholder="https://…/model.json"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
            />
            <button type="submit" className="button small-button" disabled={busy || !url.trim()}>
              Load URL
            </button>
          </form>
          <p className="hint small">
            A tfjs layers model: model.json with its weight shards, and metadata.json when there is
            one (a Teachable Machine or Thaw export: select all its files). Nested models are opened
            into their layers. Graph models cannot be fine-tuned.
          </p>
        </div>
      </details>
    </div>
  );
}
