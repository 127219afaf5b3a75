import {
  Bar,
  BarChart,
  CartesianGrid,
  LabelList,
  Legend,
  ResponsiveContainer,
  Text,
  XAxis,
  YAxis,
} from 'recharts';
import type { ArmSummary } from '../../strategy/lesson-verdict';

interface Props {
  arms: readonly ArmSummary[];
  /** Also draw the source task's accuracy per arm (forgetting). */
  source: boolean;
  /** Source-task accuracy before any run, drawn as its own bar when known. */
  sourceBefore: number | null;
}

const r1 = (v: number) => Math.round(v * 1000) / 10;

interface TickProps {
  x?: number;
  y?: number;
  width?: number;
  visibleTicksCount?: number;
  payload?: { value: string };
}

interface Row {
  label: string;
  target?: number;
  targetErr?: number;
  source?: number;
  sourceErr?: number;
}

interface ShapeProps {
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  fill?: string;
  payload?: Row;
}

/** A bar with its ±1 sd whisker, scaled from the bar itself (it starts at 0%). */
function withError(key: 'target' | 'source') {
  return function BarWithError({ x = 0, y = 0, width = 0, height = 0, fill, payload }: ShapeProps) {
    const value = payload?.[key] ?? 0;
    const err = payload?.[key === 'target' ? 'targetErr' : 'sourceErr'] ?? 0;
    const half = value > 0 ? (err * height) / value : 0;
    const cx = x + width / 2;
    return (
      <g>
        <rect x={x} y={y} width={width} height={height} fill={fill} />
        {half > 0.5 && (
          <g stroke="#14263d" strokeWidth={1.5} className="error-bar">
            <line x1={cx} x2={cx} y1={y - half} y2={y + half} />
            <line x1={cx - 6} x2={cx + 6} y1={y - half} y2={y - half} />
            <line x1={cx - 6} x2={cx + 6} y1={y + half} y2={y + half} />
          </g>
        )}
      </g>
    );
  };
}

/** An arm's label under its bars, wrapped to the width of its slot. */
function ArmTick({ x = 0, y = 0, width = 0, visibleTicksCount = 1, payload }: TickProps) {
  return (
    <Text
      x={x}
      y={y + 4}
      width={Math.max(40, width / Math.max(1, visibleTicksCount) - 6)}
      textAnchor="middle"
      verticalAnchor="start"
      fontSize={13}
      fill="#1c2533"
    >
      {payload?.value ?? ''}
    </Text>
  );
}

/** Accuracy per arm, mean over seeds with ±1 sd error bars: the lesson's picture. */
export function LessonChart({ arms, source, sourceBefore }: Props) {
  const rows: Row[] = arms.map((a) => ({
    label: a.label,
    target: a.target ? r1(a.target.mean) : undefined,
    targetErr: a.target ? r1(a.target.sd) : undefined,
    source: a.source ? r1(a.source.mean) : undefined,
    sourceErr: a.source ? r1(a.source.sd) : undefined,
  }));
  if (source && sourceBefore !== null)
    rows.unshift({
      label: 'Pretrained',
      target: undefined,
      targetErr: undefined,
      source: r1(sourceBefore),
      sourceErr: 0,
    });
  const label = (v: unknown) => (typeof v === 'number' ? `${v.toFixed(0)}%` : '');
  return (
    <figure aria-label="Lesson chart" role="figure" className="chart lesson-chart">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={rows} margin={{ top: 18, right: 8, bottom: 0, left: -12 }} barGap={2}>
          <CartesianGrid stroke="#e3e8ef" vertical={false} />
          <XAxis dataKey="label" interval={0} tickLine={false} height={40} tick={<ArmTick />} />
          <YAxis fontSize={12} domain={[0, 100]} unit="%" ticks={[0, 20, 40, 60, 80, 100]} />
          {source && (
            <Legend verticalAlign="top" height={22} iconSize={12} wrapperStyle={{ fontSize: 13 }} />
          )}
          <Bar
            name="new task (test)"
            dataKey="target"
            fill="#2f6fb8"
            shape={withError('target')}
            isAnimationActive={false}
            maxBarSize={70}
          >
            <LabelList
              dataKey="target"
              position="insideBottom"
              fill="#fff"
              fontSize={13}
              formatter={label}
            />
          </Bar>
          {source && (
            <Bar
              name="source task (memory)"
              dataKey="source"
              fill="#f0a04b"
              shape={withError('source')}
              isAnimationActive={false}
              maxBarSize={70}
            >
              <LabelList
                dataKey="source"
                position="insideBottom"
                fill="#14263d"
                fontSize={13}
                formatter={label}
              />
            </Bar>
          )}
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
