import { memo } from 'react';
import type { LayerInfo } from '../domain';
import { featureIndex, MODE_LABEL, modeOf, type LayerMode, type LayerPlan } from '../domain';
import { setMode } from '../strategy/layer-plan';
import { MODE_LESSONS } from '../strategy/lesson';

const MODES: LayerMode[] = ['frozen', 'fine-tune', 'reinit'];
const MODE_HELP = Object.fromEntries(MODE_LESSONS.map((m) => [m.mode, m.text])) as Record<
  LayerMode,
  string
>;

/** Short names for long Keras class names, so the list stays readable; the full name is in the tooltip. */
const SHORT_CLASS: Record<string, string> = {
  BatchNormalization: 'BatchNorm',
  DepthwiseConv2D: 'DepthwiseConv',
  ZeroPadding2D: 'ZeroPad',
  InputLayer: 'Input',
  GlobalAveragePooling2D: 'GlobalAvgPool',
  AveragePooling2D: 'AvgPool',
  MaxPooling2D: 'MaxPool',
};

interface Props {
  layers: readonly LayerInfo[];
  plan: LayerPlan;
  /** ‖w − w₀‖/‖w₀‖ per trained layer, from the latest epoch. */
  drift: Readonly<Record<string, number>>;
  disabled: boolean;
  onPlan: (plan: LayerPlan) => void;
}

/** Every layer of the network, with a mode for each layer that has weights. */
export const LayerList = memo(function LayerList({ layers, plan, drift, disabled, onPlan }: Props) {
  const end = featureIndex(layers, plan.featureLayer);
  return (
    <>
      <div className="layer-header" aria-hidden="true">
        <span>Layer</span>
        <span>Type</span>
        <span>Output</span>
        <span className="num">Params</span>
        <span>Mode</span>
      </div>
      <ul aria-label="Layers" className="layers">
        {layers.map((l, i) => {
          const cut = i > end;
          const mode = modeOf(plan.modes, l);
          const cls = cut ? 'cut' : l.params === 0 ? 'passive' : `mode-${mode}`;
          return (
            <li
              key={l.name}
              aria-label={l.name}
              className={`${cls} ${i === end ? 'feature-layer' : ''}`}
            >
              <span className="layer-name" title={l.name}>
                {l.name}
              </span>
              <span className="layer-class" title={l.className}>
                {SHORT_CLASS[l.className] ?? l.className}
              </span>
              <span className="layer-shape" title={l.outputShape}>
                {l.outputShape}
              </span>
              <span className="num">
                {l.params > 0 ? l.params.toLocaleString('en') : '—'}
                {drift[l.name] !== undefined && (
                  <span
                    className="drift"
                    title={`Drift ‖w − w₀‖/‖w₀‖ = ${drift[l.name]!.toPrecision(3)}`}
                    aria-label={`Drift of ${l.name}: ${(drift[l.name]! * 100).toFixed(2)}%`}
                  >
                    <span style={{ width: `${Math.min(100, drift[l.name]! * 100)}%` }} />
                  </span>
                )}
              </span>
              <span className="layer-mode">
                {cut ? (
                  <span className="tag">cut away</span>
                ) : l.params === 0 ? (
                  <span className="tag" title="No weights: nothing to freeze or train">
                    passive
                  </span>
                ) : (
                  <select
                    aria-label={`Mode for ${l.name}`}
                    title={MODE_HELP[mode]}
                    value={mode}
                    disabled={disabled}
                    onChange={(e) => onPlan(setMode(plan, l.name, e.target.value as LayerMode))}
                  >
                    {MODES.map((m) => (
                      <option key={m} value={m}>
                        {MODE_LABEL[m]}
                      </option>
                    ))}
                  </select>
                )}
              </span>
            </li>
          );
        })}
      </ul>
    </>
  );
});
