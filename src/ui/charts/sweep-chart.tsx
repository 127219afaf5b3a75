import {
  CartesianGrid,
  ErrorBar,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { SweepPoint } from '../../strategy/sweep';

/** Mean validation and test accuracy against freeze depth, with ±1 sd error bars (the Yosinski figure for the user's data). */
export function SweepChart({ points }: { points: readonly SweepPoint[] }) {
  const rows = points
    .filter((p) => p.runs > 0)
    .map((p) => ({
      frozen: p.depth.frozen,
      label: p.depth.label,
      val: +(p.val.mean * 100).toFixed(2),
      valErr: +(p.val.sd * 100).toFixed(2),
      test: p.test ? +(p.test.mean * 100).toFixed(2) : undefined,
      testErr: p.test ? +(p.test.sd * 100).toFixed(2) : undefined,
    }));
  const weighted = points[0]?.depth.weighted ?? 1;
  return (
    <figure aria-label="Accuracy vs freeze depth" role="figure" className="chart">
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 4, left: -8 }}>
          <CartesianGrid stroke="#e3e8ef" />
          <XAxis
            dataKey="frozen"
            type="number"
            domain={[0, weighted]}
            allowDecimals={false}
            fontSize={11}
            label={{
              value: 'weighted layers frozen',
              position: 'insideBottomRight',
              offset: -2,
              fontSize: 11,
            }}
          />
          <YAxis fontSize={11} domain={[0, 100]} unit="%" />
          <Tooltip
            labelFormatter={(x) => rows.find((r) => r.frozen === Number(x))?.label ?? String(x)}
            formatter={(v) => (typeof v === 'number' ? `${v.toFixed(1)}%` : String(v))}
          />
          <Legend verticalAlign="top" height={24} iconSize={10} wrapperStyle={{ fontSize: 12 }} />
          <Line
            name="validation (mean ± sd)"
            dataKey="val"
            stroke="#e07a3f"
            strokeWidth={2}
            isAnimationActive={false}
          >
            <ErrorBar dataKey="valErr" width={4} stroke="#e07a3f" direction="y" />
          </Line>
          <Line
            name="test (mean ± sd)"
            dataKey="test"
            stroke="#2563eb"
            strokeWidth={2}
            isAnimationActive={false}
          >
            <ErrorBar dataKey="testErr" width={4} stroke="#2563eb" direction="y" />
          </Line>
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
