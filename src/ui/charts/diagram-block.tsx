/** One block of the network diagram: its box (coloured by its layers' modes), and opened, its layers. */
import {
  featureIndex,
  isSpatial,
  MODE_LABEL,
  modeOf,
  type FeatureMaps,
  type LayerInfo,
  type LayerMode,
  type LayerPlan,
} from '../../domain';
import type { NetworkBlock } from '../../strategy/blocks';
import { blockMix, setBlockMode, type BlockMix } from '../../strategy/block-mix';
import { setMode } from '../../strategy/layer-plan';
import { FeatureThumbs } from './feature-thumbs';

const MODES: LayerMode[] = ['frozen', 'fine-tune', 'reinit'];
/** Keras class names short enough for an opened block's narrow rows. */
const SHORT_CLASS: Record<string, string> = {
  BatchNormalization: 'BatchNorm',
  DepthwiseConv2D: 'Depthwise',
  ZeroPadding2D: 'ZeroPad',
  InputLayer: 'Input',
  GlobalAveragePooling2D: 'GlobalAvgPool',
  AveragePooling2D: 'AvgPool',
  MaxPooling2D: 'MaxPool',
};

/** Parameter counts as the list shows them: 496, 12.3 k, 1.02 M. */
export const fmt = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : String(n);
const pct = (x: number) => `${(x * 100).toFixed(x < 0.01 ? 2 : 1)}%`;

/** Soft fills for a block's background, by the share of its parameters in each mode. */
function mixFill(mix: BlockMix): string | undefined {
  const parts: [string, number][] = [
    ['var(--net-frozen)', mix.frozen],
    ['var(--net-finetune)', mix.fineTune],
    ['var(--net-reinit)', mix.reinit],
    ['var(--net-cut)', mix.cutAway],
  ];
  const total = parts.reduce((n, [, v]) => n + v, 0);
  if (total === 0) return undefined;
  let at = 0;
  const stops = parts
    .filter(([, v]) => v > 0)
    .map(([c, v]) => {
      const from = at;
      at += (v / total) * 100;
      return `${c} ${from.toFixed(1)}% ${at.toFixed(1)}%`;
    });
  return `linear-gradient(to right, ${stops.join(', ')})`;
}

function mixText(b: NetworkBlock, mix: BlockMix): string {
  const counts = MODES.filter((m) => mix.layers[m] > 0).map(
    (m) => `${mix.layers[m]} ${MODE_LABEL[m]}`,
  );
  const shape = b.outputShape ? `output ${b.outputShape}` : '';
  const skip = b.residual ? 'skip connection adds its input to its output' : '';
  const cut = mix.cutAway > 0 ? `${fmt(mix.cutAway)} parameters cut away` : '';
  return [shape, `${fmt(b.params)} parameters`, counts.join(', '), skip, cut]
    .filter(Boolean)
    .join('; ');
}

/** A block as a button named by the block (click: open it into its layers), with its skip connection and drift. */
export function BlockRow(props: {
  order: number;
  block: NetworkBlock;
  layers: readonly LayerInfo[];
  plan: LayerPlan;
  cutAway: boolean;
  cutInside: boolean;
  drift: number | null;
  maxDrift: number;
  open: boolean;
  busy: boolean;
  onToggle: () => void;
  onPlan: (plan: LayerPlan) => void;
  onHover: (layer: string | null) => void;
  maps: FeatureMaps | null;
  imageUrl: string | null;
}) {
  const { block: b, layers, plan } = props;
  const spatial = spatialLayer(b, layers);
  const mix = blockMix(b, layers, plan);
  const passive = b.params === 0;
  const detailId = `net-detail-${b.first}`;
  const cls = [
    'net-block',
    `net-kind-${b.kind}`,
    props.cutAway ? 'net-cut-away' : '',
    props.cutInside ? 'net-cut-inside' : '',
    passive ? 'net-passive' : '',
    b.residual ? 'net-residual' : '',
  ].join(' ');
  return (
    <div
      className={cls}
      style={{ order: props.order }}
      onMouseEnter={() => spatial && props.onHover(spatial)}
      onMouseLeave={() => props.onHover(null)}
    >
      <button
        type="button"
        className="net-block-head"
        aria-label={b.name}
        aria-expanded={props.open}
        aria-controls={props.open ? detailId : undefined}
        title={mixText(b, mix)}
        style={{ background: props.cutAway ? undefined : mixFill(mix) }}
        onClick={props.onToggle}
      >
        <span className="net-name">{b.name}</span>
        <span className="net-shape">
          {b.size ? `${b.size} · ` : ''}
          {b.channels !== null ? `${b.channels} ch` : b.outputShape}
        </span>
        <span className="net-params">{passive ? '—' : fmt(b.params)}</span>
        <span className="net-drift-cell">
          {props.drift !== null && (
            <span
              className="net-drift"
              role="img"
              aria-label={`${b.name} moved ${pct(props.drift)} from its start`}
              title={`‖w − w₀‖/‖w₀‖ = ${pct(props.drift)} (parameter-weighted over its layers)`}
            >
              <span className="net-drift-track">
                <span style={{ width: `${(props.drift / (props.maxDrift || 1)) * 100}%` }} />
              </span>
              <em>{pct(props.drift)}</em>
            </span>
          )}
        </span>
      </button>
      {b.residual && <span className="net-skip" aria-hidden="true" />}
      {spatial && props.maps?.layer === spatial && (
        <div className="net-maps">
          <FeatureThumbs
            maps={props.maps}
            src={props.imageUrl}
            label={`Feature maps of ${b.name}`}
          />
        </div>
      )}
      {props.open && (
        <BlockDetail
          id={detailId}
          block={b}
          layers={layers}
          plan={plan}
          busy={props.busy}
          onPlan={props.onPlan}
        />
      )}
    </div>
  );
}

/** The block's last layer with a spatial output (height × width × channels), if any. */
function spatialLayer(b: NetworkBlock, layers: readonly LayerInfo[]): string | null {
  for (let i = b.last; i >= b.first; i--)
    if (isSpatial(layers[i]!.outputShape)) return layers[i]!.name;
  return null;
}

const SET_BLOCK: Record<LayerMode, string> = {
  frozen: 'Freeze',
  'fine-tune': 'Fine-tune',
  reinit: 'Re-initialize',
};

/** A block opened into its layers (first layer at the bottom, like the stack), each with its mode. */
function BlockDetail(props: {
  id: string;
  block: NetworkBlock;
  layers: readonly LayerInfo[];
  plan: LayerPlan;
  busy: boolean;
  onPlan: (plan: LayerPlan) => void;
}) {
  const { block: b, layers, plan } = props;
  const end = featureIndex(layers, plan.featureLayer);
  const inside = layers.slice(b.first, b.last + 1);
  return (
    <div id={props.id} className="net-detail">
      {b.params > 0 && (
        <div className="net-detail-actions small">
          <span>Whole block:</span>
          {MODES.map((mode) => (
            <button
              key={mode}
              type="button"
              className={`button small-button net-set-${mode}`}
              aria-label={`${SET_BLOCK[mode]} ${b.name}`}
              disabled={props.busy}
              onClick={() => props.onPlan(setBlockMode(b, layers, plan, mode))}
            >
              {MODE_LABEL[mode]}
            </button>
          ))}
        </div>
      )}
      <div className="net-layers">
        {inside.map((l, k) => {
          const i = b.first + k;
          const cut = i > end;
          const mode = modeOf(plan.modes, l);
          return (
            <div
              key={l.name}
              className={`net-layer ${cut ? 'net-cut-away' : l.params === 0 ? 'net-passive' : `mode-${mode}`}`}
            >
              <span className="net-layer-name" title={l.name}>
                {l.name}
              </span>
              <span className="net-layer-class" title={`${l.className}, output ${l.outputShape}`}>
                {SHORT_CLASS[l.className] ?? l.className}
              </span>
              <span className="net-params">{l.params > 0 ? fmt(l.params) : '—'}</span>
              {cut ? (
                <span className="tag">cut away</span>
              ) : l.params === 0 ? (
                <span className="tag">no weights</span>
              ) : (
                <select
                  aria-label={`${l.name} mode`}
                  value={mode}
                  disabled={props.busy}
                  onChange={(e) => props.onPlan(setMode(plan, l.name, e.target.value as LayerMode))}
                >
                  {MODES.map((m) => (
                    <option key={m} value={m}>
                      {MODE_LABEL[m]}
                    </option>
                  ))}
                </select>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
