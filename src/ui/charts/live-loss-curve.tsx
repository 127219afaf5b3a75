import type { BatchPoint, EpochMetrics } from '../../domain';
import { MAX_DRAWN_BATCHES, thinned } from './loss-chart';

interface Props {
  batches: readonly BatchPoint[];
  epochs: readonly EpochMetrics[];
  totalEpochs: number;
}

/** The drawing's own size; it scales to the panel's width (about this wide). */
const W = 460;
const H = 230;
const PAD = { left: 40, right: 12, top: 28, bottom: 22 };
const TRAIN = '#4f8fd6';
const VALIDATION = '#e07a3f';

/** A round upper bound for the loss axis: 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten. */
export function niceMax(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return ([1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((m) => m * p >= v * (1 - 1e-9)) ?? 10) * p;
}

/**
 * The loss curve while a run trains: the same two lines as the finished chart (train loss
 * per batch, validation loss per epoch), drawn as two plain SVG paths. Redrawing it costs a
 * millisecond or two, where the charting library's full redraw took 50–60 ms on a 2-core
 * machine — a long task on the page with every epoch. The interactive chart (tooltip, kept
 * epoch) replaces it when the run ends.
 */
export function LiveLossCurve({ batches, epochs, totalEpochs }: Props) {
  const points = thinned(batches, MAX_DRAWN_BATCHES);
  const top = niceMax(Math.max(0, ...points.map((p) => p.loss), ...epochs.map((e) => e.valLoss)));
  const span = Math.max(1, totalEpochs);
  const x = (v: number) => PAD.left + (v / span) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (Math.min(v, top) / top) * (H - PAD.top - PAD.bottom);
  const path = (xy: [number, number][]) =>
    xy.map(([a, b], i) => `${i ? 'L' : 'M'}${x(a).toFixed(1)},${y(b).toFixed(1)}`).join('');
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * top);
  const step = Math.max(1, Math.ceil(span / 10));
  const xTicks = Array.from({ length: Math.floor(span / step) + 1 }, (_, i) => i * step);
  return (
    <figure aria-label="Loss curve" role="figure" className="chart live-curve">
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" style={{ display: 'block' }}>
        <g fontSize={11} fill="#5b6675">
          {yTicks.map((t) => (
            <g key={t}>
              <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} stroke="#e3e8ef" />
              <text x={PAD.left - 4} y={y(t) + 4} textAnchor="end">
                {t.toFixed(2)}
              </text>
            </g>
          ))}
          {xTicks.map((t) => (
            <text key={t} x={x(t)} y={H - 6} textAnchor="middle">
              {t}
            </text>
          ))}
          <text x={W - PAD.right} y={H - 22} textAnchor="end">
            epoch
          </text>
          <rect x={PAD.left} y={8} width={10} height={3} fill={TRAIN} />
          <text x={PAD.left + 14} y={13}>
            train loss (per batch)
          </text>
          <rect x={PAD.left + 160} y={8} width={10} height={3} fill={VALIDATION} />
          <text x={PAD.left + 174} y={13}>
            validation loss (per epoch)
          </text>
        </g>
        <path
          d={path(points.map((p) => [p.x, p.loss]))}
          fill="none"
          stroke={TRAIN}
          strokeWidth={1.5}
        />
        <path
          d={path(epochs.map((e) => [e.epoch, e.valLoss]))}
          fill="none"
          stroke={VALIDATION}
          strokeWidth={2}
        />
        {epochs.map((e) => (
          <circle key={e.epoch} cx={x(e.epoch)} cy={y(e.valLoss)} r={3} fill={VALIDATION} />
        ))}
      </svg>
    </figure>
  );
}
