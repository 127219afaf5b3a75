import { useEffect, useRef } from 'react';
import type { FeatureMaps } from '../../domain';

/** How many channels a thumbnail strip shows: enough to see edges vs parts, small enough for a tooltip. */
const THUMB_CHANNELS = 4;

function Channel({ pixels, width, height }: { pixels: Uint8Array; width: number; height: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const image = ctx.createImageData(width, height);
    pixels.forEach((v, i) => image.data.set([v, v, v, 255], i * 4));
    ctx.putImageData(image, 0, 0);
  }, [pixels, width, height]);
  return <canvas ref={ref} width={width} height={height} className="thumb-map" />;
}

/** The image, then the first channels of a layer's feature maps, as a strip of thumbnails. */
export function FeatureThumbs(props: { maps: FeatureMaps; label: string; src: string | null }) {
  const { maps } = props;
  return (
    <figure className="feature-thumbs" role="img" aria-label={props.label}>
      {props.src && <img src={props.src} alt="" className="thumb-map thumb-source" />}
      {maps.channels.slice(0, THUMB_CHANNELS).map((c, i) => (
        <Channel key={`${maps.layer}-${i}`} pixels={c} width={maps.width} height={maps.height} />
      ))}
      <figcaption>
        {maps.layer}, {maps.width}×{maps.height}, {Math.min(THUMB_CHANNELS, maps.channels.length)}{' '}
        of {maps.totalChannels} channels
      </figcaption>
    </figure>
  );
}
