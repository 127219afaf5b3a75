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
import type { RunRecord } from '../../domain';

/** Distinct colours for up to eight overlaid runs. */
export const RUN_COLOURS = [
  '#2563eb',
  '#e07a3f',
  '#2f7d4f',
  '#9333ea',
  '#c2410c',
  '#0e7490',
  '#be185d',
  '#4d7c0f',
];

interface Props {
  runs: readonly { run: RunRecord; label: string }[];
  metric: 'valLoss' | 'valAccuracy';
  title: string;
}

/** One metric per epoch, one line per run, on a shared epoch axis. */
export function CompareChart({ runs, metric, title }: Props) {
  const maxEpoch = Math.max(1, ...runs.map((r) => r.run.epochs.length));
  const rows = Array.from({ length: maxEpoch }, (_, i) => {
    const row: Record<string, number> = { epoch: i + 1 };
    runs.forEach(({ run }, k) => {
      const e = run.epochs[i];
      if (e) row[`r${k}`] = metric === 'valAccuracy' ? e.valAccuracy * 100 : e.valLoss;
    });
    return row;
  });
  return (
    <figure aria-label={title} role="figure" className="chart">
      <figcaption className="small muted">{title}</figcaption>
      <ResponsiveContainer width="100%" height={200}>
        <LineChart data={rows} margin={{ top: 4, right: 12, bottom: 4, left: -8 }}>
          <CartesianGrid stroke="#e3e8ef" />
          <XAxis
            dataKey="epoch"
            type="number"
            domain={[1, maxEpoch]}
            allowDecimals={false}
            fontSize={11}
          />
          <YAxis fontSize={11} domain={metric === 'valAccuracy' ? [0, 100] : [0, 'auto']} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))} />
          <Legend verticalAlign="top" height={24} iconSize={10} wrapperStyle={{ fontSize: 12 }} />
          {runs.map(({ label }, k) => (
            <Line
              key={label}
              name={label}
              dataKey={`r${k}`}
              stroke={RUN_COLOURS[k % RUN_COLOURS.length]}
              strokeWidth={2}
              dot={{ r: 2 }}
              isAnimationActive={false}
              connectNulls
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
