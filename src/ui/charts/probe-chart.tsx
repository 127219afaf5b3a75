import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { ProbePoint } from '../../domain';

/** Probe accuracy by layer, pretrained vs random weights. */
export function ProbeChart({ points, chance }: { points: readonly ProbePoint[]; chance: number }) {
  const rows = points.map((p) => ({
    layer: p.layer,
    pretrained: +(p.pretrained * 100).toFixed(1),
    random: +(p.random * 100).toFixed(1),
  }));
  return (
    <figure aria-label="Probe accuracy by layer" role="figure" className="chart small-chart">
      <ResponsiveContainer width="100%" height={170}>
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
          <Tooltip formatter={(v) => `${String(v)}%`} />
          <Legend verticalAlign="top" height={20} iconSize={8} wrapperStyle={{ fontSize: 11 }} />
          <Line
            name="pretrained"
            dataKey="pretrained"
            stroke="#2f6fb8"
            strokeWidth={2}
            isAnimationActive={false}
          />
          <Line
            name="random weights"
            dataKey="random"
            stroke="#9aa4b2"
            strokeDasharray="4 3"
            strokeWidth={2}
            isAnimationActive={false}
          />
          <Line
            name={`chance ${(chance * 100).toFixed(0)}%`}
            dataKey={() => +(chance * 100).toFixed(1)}
            stroke="#e07a3f"
            strokeWidth={1}
            dot={false}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
