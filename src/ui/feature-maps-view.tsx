import { useEffect, useRef, useState } from 'react';
import { isSpatial } from '../domain';
import { useStudio } from '../state/store';
import { useStudioActions } from './studio-actions';

function MapCanvas({
  pixels,
  width,
  height,
  label,
}: {
  pixels: Uint8Array;
  width: number;
  height: number;
  label: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const image = ctx.createImageData(width, height);
    pixels.forEach((v, i) => {
      image.data.set([v, v, v, 255], i * 4);
    });
    ctx.putImageData(image, 0, 0);
  }, [pixels, width, height]);
  return <canvas ref={ref} width={width} height={height} aria-label={label} className="map" />;
}

/** Feature maps of a chosen layer for a chosen image: early layers show edges and textures, late ones abstract parts. */
export function FeatureMapsView() {
  const { imageUrl, requestFeatureMaps } = useStudioActions();
  const model = useStudio((s) => s.model);
  const classes = useStudio((s) => s.classes);
  const { maps, error } = useStudio((s) => s.featureMaps);
  const [path, setPath] = useState('');
  const [layer, setLayer] = useState('');
  const images = useStudio((s) => s.examples);
  if (!model || classes.length === 0) return null;
  const spatial = model.layers.filter((l) => l.params > 0 && isSpatial(l.outputShape));
  const chosenPath = path || images[0] || '';
  const chosenLayer = layer || spatial[0]?.name || '';
  const src = chosenPath ? imageUrl(chosenPath) : null;

  return (
    <details className="inside">
      <summary>See inside: feature maps of a layer</summary>
      <div className="inside-controls">
        <label className="field">
          <span>Image</span>
          <select
            aria-label="Image to look inside"
            value={chosenPath}
            onChange={(e) => setPath(e.target.value)}
          >
            {images.map((p) => (
              <option key={p} value={p}>
                {p.split('/').slice(-2).join('/')}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Layer</span>
          <select
            aria-label="Layer to look inside"
            value={chosenLayer}
            onChange={(e) => setLayer(e.target.value)}
          >
            {spatial.map((l) => (
              <option key={l.name} value={l.name}>
                {l.name} ({l.outputShape})
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="button small-button"
          disabled={!chosenPath || !chosenLayer}
          onClick={() => requestFeatureMaps(chosenPath, chosenLayer)}
        >
          Show
        </button>
      </div>
      <p className="hint small">
        Early layers respond to edges, blobs and textures (generic); deeper layers to larger, more
        source-specific patterns. Brighter = stronger activation.
      </p>
      {error && (
        <p role="alert" className="error-text">
          {error}
        </p>
      )}
      {maps && (
        <figure aria-label="Feature maps" className="maps">
          {src && <img src={src} alt={maps.path} className="map source" />}
          {maps.channels.map((c, i) => (
            <MapCanvas
              key={`${maps.layer}-${i}`}
              pixels={c}
              width={maps.width}
              height={maps.height}
              label={`${maps.layer} channel ${i + 1}`}
            />
          ))}
          <figcaption className="small muted">
            {maps.layer}: {maps.channels.length} of {maps.totalChannels} channels, {maps.width}×
            {maps.height}
          </figcaption>
        </figure>
      )}
    </details>
  );
}
