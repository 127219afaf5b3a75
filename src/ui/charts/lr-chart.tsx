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
import type { LrSweep } from '../../domain';

export interface LrRow {
  rate: number;
  head?: number;
  headRaw?: number;
  fineTune?: number;
  fineTuneRaw?: number;
}

/** Both sweeps on one rate axis (in rate order), and a loss limit that keeps the final climb from flattening the rest. */
export function lrChartRows(
  head: LrSweep,
  fineTune: LrSweep | null,
): { rows: LrRow[]; yMax: number; decades: number[] } {
  const rows: LrRow[] = [
    ...head.points.map((p) => ({ rate: p.rate, head: p.smoothed, headRaw: p.loss })),
    ...(fineTune?.points ?? []).map((p) => ({
      rate: p.rate,
      fineTune: p.smoothed,
      fineTuneRaw: p.loss,
    })),
  ].sort((a, b) => a.rate - b.rate);
  const starts = [head, fineTune].flatMap((s) => (s?.points[0] ? [s.points[0].smoothed] : []));
  const highest = Math.max(0, ...rows.map((r) => r.head ?? r.fineTune ?? 0));
  const yMax = +Math.min(highest, 2 * Math.max(0, ...starts)).toPrecision(2) || 1;
  const rates = rows.map((r) => r.rate);
  const lo = Math.floor(Math.log10(Math.min(...rates, 1)));
  const hi = Math.ceil(Math.log10(Math.max(...rates, 1e-7)));
  const decades = Array.from({ length: Math.max(0, hi - lo + 1) }, (_, i) => 10 ** (lo + i));
  return { rows, yMax, decades };
}

const rateText = (v: number) => v.toExponential(0).replace('e+0', '');

/** Smoothed loss (and each step's loss, faint) against the learning rate on a log axis, with the suggested rates marked. */
export function LrChart({ head, fineTune }: { head: LrSweep; fineTune: LrSweep | null }) {
  const { rows, yMax, decades } = lrChartRows(head, fineTune);
  return (
    <figure aria-label="Loss vs learning rate" role="figure" className="chart">
      <ResponsiveContainer width="100%" height={230}>
        <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 4, left: -8 }}>
          <CartesianGrid stroke="#e3e8ef" />
          <XAxis
            dataKey="rate"
            type="number"
            scale="log"
            domain={[decades[0] ?? 1e-7, decades.at(-1) ?? 1]}
            ticks={decades}
            tickFormatter={rateText}
            fontSize={11}
            label={{
              value: 'learning rate',
              position: 'insideBottomRight',
              offset: -2,
              fontSize: 11,
            }}
          />
          <YAxis fontSize={11} domain={[0, yMax]} allowDataOverflow />
          <Tooltip
            labelFormatter={(x) => `rate ${Number(x).toExponential(2)}`}
            formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))}
          />
          <Legend verticalAlign="top" height={24} iconSize={10} wrapperStyle={{ fontSize: 12 }} />
          <Line
            name="head (each step)"
            dataKey="headRaw"
            stroke="#b9cbe6"
            dot={false}
            connectNulls
            isAnimationActive={false}
            legendType="none"
          />
          <Line
            name="head, smoothed"
            dataKey="head"
            stroke="#2563eb"
            strokeWidth={2}
            dot={false}
            connectNulls
            isAnimationActive={false}
          />
          {fineTune && (
            <Line
              name="fine-tune (each step)"
              dataKey="fineTuneRaw"
              stroke="#f1c6a8"
              dot={false}
              connectNulls
              isAnimationActive={false}
              legendType="none"
            />
          )}
          {fineTune && (
            <Line
              name="fine-tune layers, smoothed"
              dataKey="fineTune"
              stroke="#e07a3f"
              strokeWidth={2}
              dot={false}
              connectNulls
              isAnimationActive={false}
            />
          )}
          {head.suggested !== null && (
            <ReferenceLine x={head.suggested} stroke="#2563eb" strokeDasharray="4 3" />
          )}
          {fineTune?.suggested != null && (
            <ReferenceLine x={fineTune.suggested} stroke="#e07a3f" strokeDasharray="4 3" />
          )}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
