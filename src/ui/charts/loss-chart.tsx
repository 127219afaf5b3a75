import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { BatchPoint, EpochMetrics } from '../../domain';

interface Props {
  batches: readonly BatchPoint[];
  epochs: readonly EpochMetrics[];
  totalEpochs: number;
  /** The epoch whose weights were kept (marked on the curve), if known. */
  keptEpoch?: number | null;
}

interface Row {
  x: number;
  train?: number;
  validation?: number;
}

/** Batch points drawn at most: a run over 50,000 images has ~3,000 batches an epoch, and redrawing them all several times a second stalls the page. */
export const MAX_DRAWN_BATCHES = 600;

/** At most `max` points: consecutive batches averaged in equal groups (x and loss). */
export function thinned(batches: readonly BatchPoint[], max: number): BatchPoint[] {
  if (batches.length <= max) return [...batches];
  const out: BatchPoint[] = [];
  for (let g = 0; g < max; g++) {
    const from = Math.floor((g * batches.length) / max);
    const to = Math.floor(((g + 1) * batches.length) / max);
    let x = 0;
    let loss = 0;
    for (let i = from; i < to; i++) {
      x += batches[i]!.x;
      loss += batches[i]!.loss;
    }
    out.push({ x: x / (to - from), loss: loss / (to - from) });
  }
  return out;
}

/** Train loss per batch (averaged in groups past MAX_DRAWN_BATCHES) and validation loss per epoch, on one epoch axis. */
export function LossChart({ batches, epochs, totalEpochs, keptEpoch }: Props) {
  const rows: Row[] = [
    ...thinned(batches, MAX_DRAWN_BATCHES).map((b) => ({ x: b.x, train: b.loss })),
    ...epochs.map((e) => ({ x: e.epoch, validation: e.valLoss })),
  ].sort((a, b) => a.x - b.x);
  return (
    <figure aria-label="Loss curve" role="figure" className="chart">
      <ResponsiveContainer width="100%" height={230}>
        <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 4, left: -8 }}>
          <CartesianGrid stroke="#e3e8ef" />
          <XAxis
            dataKey="x"
            type="number"
            domain={[0, Math.max(1, totalEpochs)]}
            allowDecimals={false}
            tickCount={Math.min(11, totalEpochs + 1)}
            label={{ value: 'epoch', position: 'insideBottomRight', offset: -2, fontSize: 11 }}
            fontSize={11}
          />
          <YAxis
            fontSize={11}
            domain={[0, 'auto']}
            tickFormatter={(v: number) => (v >= 1000 ? v.toExponential(0) : v.toFixed(2))}
          />
          <Tooltip
            formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))}
            labelFormatter={(x) => `epoch ${Number(x).toFixed(2)}`}
          />
          <Legend verticalAlign="top" height={24} iconSize={10} wrapperStyle={{ fontSize: 12 }} />
          {keptEpoch ? (
            <ReferenceLine
              x={keptEpoch}
              stroke="#2f7d4f"
              strokeDasharray="4 3"
              label={{
                value: `kept: epoch ${keptEpoch}`,
                position: 'insideTopRight',
                fontSize: 11,
                fill: '#2f7d4f',
              }}
            />
          ) : null}
          <Line
            name="train loss (per batch)"
            dataKey="train"
            stroke="#4f8fd6"
            dot={false}
            strokeWidth={1.5}
            isAnimationActive={false}
            connectNulls
          />
          <Line
            name="validation loss (per epoch)"
            dataKey="validation"
            stroke="#e07a3f"
            strokeWidth={2}
            dot={{ r: 3 }}
            isAnimationActive={false}
            connectNulls
          />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
