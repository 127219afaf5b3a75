import {
  CartesianGrid,
  ErrorBar,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { ProbePoint } from '../../domain';

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const pc = (x: number) => +(x * 100).toFixed(1);

/**
 * Nearest-centroid accuracy by layer — raw pixels first, the top features last — as the
 * mean over the probe's splits with the range across them, and the pixels' mean as a
 * reference line: where the network's features beat no learning at all.
 */
export function ProbeChart({ points, chance }: { points: readonly ProbePoint[]; chance: number }) {
  const rows = points.map((p) => {
    const m = mean(p.splits);
    return {
      layer: p.source === 'top' ? `${p.layer} (top)` : p.layer,
      accuracy: pc(m),
      range: [pc(m - Math.min(...p.splits)), pc(Math.max(...p.splits) - m)],
      low: pc(Math.min(...p.splits)),
      high: pc(Math.max(...p.splits)),
    };
  });
  const pixels = points.find((p) => p.source === 'pixels');
  return (
    <figure aria-label="Probe accuracy by layer" role="figure" className="chart small-chart">
      <ResponsiveContainer width="100%" height={180}>
        <LineChart data={rows} margin={{ top: 6, right: 8, bottom: 4, left: -18 }}>
          <CartesianGrid stroke="#e3e8ef" />
          <XAxis
            dataKey="layer"
            fontSize={9}
            interval={0}
            angle={-20}
            textAnchor="end"
            height={34}
          />
          <YAxis fontSize={10} domain={[0, 100]} unit="%" />
          <Tooltip
            formatter={(v, _name, item) => {
              const row = item?.payload as { low: number; high: number } | undefined;
              return row ? `${String(v)}% (splits ${row.low}–${row.high}%)` : `${String(v)}%`;
            }}
          />
          <Legend verticalAlign="top" height={20} iconSize={8} wrapperStyle={{ fontSize: 11 }} />
          <Line
            name="accuracy: mean, range over splits"
            dataKey="accuracy"
            stroke="#2f6fb8"
            strokeWidth={2}
            isAnimationActive={false}
          >
            <ErrorBar dataKey="range" width={4} stroke="#2f6fb8" direction="y" />
          </Line>
          {pixels && (
            <ReferenceLine
              y={pc(mean(pixels.splits))}
              stroke="#9aa4b2"
              strokeDasharray="4 3"
              label={{ value: 'raw pixels', fontSize: 10, position: 'insideBottomRight' }}
            />
          )}
          <ReferenceLine
            y={pc(chance)}
            stroke="#e07a3f"
            label={{
              value: `chance ${(chance * 100).toFixed(0)}%`,
              fontSize: 10,
              position: 'insideBottomLeft',
            }}
          />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
