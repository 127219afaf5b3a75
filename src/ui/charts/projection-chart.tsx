import { ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from 'recharts';

const PALETTE = [
  '#2f6fb8',
  '#e07a3f',
  '#3a9d5d',
  '#c23b78',
  '#7a5cc2',
  '#b8952e',
  '#2aa6a6',
  '#8c564b',
  '#5a6270',
  '#d9534f',
];

interface Props {
  before: readonly [number, number][];
  after: readonly [number, number][];
  labels: readonly number[];
  classNames: readonly string[];
  featuresTrained: boolean;
}

function Panel({
  title,
  points,
  labels,
  classNames,
}: {
  title: string;
  points: readonly [number, number][];
  labels: readonly number[];
  classNames: readonly string[];
}) {
  const series = classNames.map((name, c) => ({
    name,
    data: points.flatMap(([x, y], i) => (labels[i] === c ? [{ x, y }] : [])),
  }));
  return (
    <div className="projection-panel">
      <div className="small muted">{title}</div>
      <ResponsiveContainer width="100%" height={150}>
        <ScatterChart margin={{ top: 4, right: 4, bottom: 0, left: -28 }}>
          <XAxis dataKey="x" type="number" tick={false} domain={['auto', 'auto']} />
          <YAxis dataKey="y" type="number" tick={false} domain={['auto', 'auto']} />
          <ZAxis range={[18, 18]} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(2) : String(v))} />
          {series.map((s, c) => (
            <Scatter
              key={s.name}
              name={s.name}
              data={s.data}
              fill={PALETTE[c % PALETTE.length]}
              isAnimationActive={false}
            />
          ))}
        </ScatterChart>
      </ResponsiveContainer>
    </div>
  );
}

/** The validation images' features projected to 2-D (PCA), coloured by class, before and after training. */
export function ProjectionChart({ before, after, labels, classNames, featuresTrained }: Props) {
  return (
    <figure aria-label="Feature projection" role="figure" className="projection">
      <div className="projection-grid">
        <Panel
          title="Features before training (PCA)"
          points={before}
          labels={labels}
          classNames={classNames}
        />
        <Panel
          title={featuresTrained ? 'After training' : 'After (unchanged: the network was frozen)'}
          points={after}
          labels={labels}
          classNames={classNames}
        />
      </div>
      <figcaption className="legend small">
        {classNames.map((name, c) => (
          <span key={name}>
            <span className="key" style={{ background: PALETTE[c % PALETTE.length] }} /> {name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
