import { allFrozen, isSpatial, layersInUse, type LayerInfo, type LayerPlan } from '../domain';
import { freezeUpTo, planTotals, planWarnings, takeFeaturesFrom } from '../strategy/layer-plan';

const fmt = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : String(n);

interface Props {
  layers: readonly LayerInfo[];
  plan: LayerPlan;
  defaultFeatureLayer: string;
  disabled: boolean;
  onPlan: (plan: LayerPlan) => void;
}

/** Quick actions, the parameter stack by mode, and warnings with their fixes. */
export function PlanTools({ layers, plan, defaultFeatureLayer, disabled, onPlan }: Props) {
  const totals = planTotals(layers, plan);
  const warnings = planWarnings(layers, plan);
  const used = totals.frozen + totals.fineTune + totals.reinit;
  const share = (n: number) => `${used > 0 ? (n / used) * 100 : 0}%`;
  const weighted = layersInUse(layers, plan.featureLayer);
  const feature = layers.find((l) => l.name === plan.featureLayer);

  return (
    <div className="plan-tools">
      <div className="quick-actions">
        <label className="field">
          <span>Freeze everything up to</span>
          <select
            aria-label="Freeze up to"
            value=""
            disabled={disabled}
            onChange={(e) => e.target.value && onPlan(freezeUpTo(layers, plan, e.target.value))}
          >
            <option value="">choose a layer…</option>
            {weighted.map((l) => (
              <option key={l.name} value={l.name}>
                {l.name}
                {l.cutPoint ? '' : ' (inside a block)'}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Take features from</span>
          <select
            aria-label="Take features from"
            value={plan.featureLayer}
            disabled={disabled}
            onChange={(e) => onPlan(takeFeaturesFrom(plan, e.target.value))}
          >
            {layers.map((l) => (
              <option key={l.name} value={l.name}>
                {l.name}
                {l.cutPoint ? '' : ' (inside a block)'}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="button small-button"
          disabled={disabled}
          onClick={() => onPlan(allFrozen(defaultFeatureLayer))}
        >
          Reset: all frozen
        </button>
      </div>
      <div
        className="stack"
        role="img"
        aria-label={`Parameters: ${fmt(totals.frozen)} frozen, ${fmt(totals.fineTune)} fine-tuned, ${fmt(totals.reinit)} re-initialized`}
      >
        <span className="seg mode-frozen" style={{ width: share(totals.frozen) }} />
        <span className="seg mode-fine-tune" style={{ width: share(totals.fineTune) }} />
        <span className="seg mode-reinit" style={{ width: share(totals.reinit) }} />
      </div>
      <p className="totals small">
        <span className="key mode-frozen" /> Frozen {fmt(totals.frozen)} ·{' '}
        <span className="key mode-fine-tune" /> Fine-tune {fmt(totals.fineTune)} ·{' '}
        <span className="key mode-reinit" /> Re-initialize {fmt(totals.reinit)} · trainable{' '}
        {fmt(totals.fineTune + totals.reinit)} + new head
        {totals.cutAway > 0 ? ` · ${fmt(totals.cutAway)} cut away after ${plan.featureLayer}` : ''}
      </p>
      <p className="hint small">
        <strong>Frozen</strong>: copied, not trained (a fixed feature extractor).{' '}
        <strong>Fine-tune</strong>: copied, trained at a small rate. <strong>Re-initialize</strong>:
        same shape, fresh random weights, trained from scratch. For images copy the first layers;
        for speech it is often the last.
      </p>
      {feature && (
        <p className="hint small">
          Features from <code>{feature.name}</code> ({feature.outputShape}
          {isSpatial(feature.outputShape) ? ', globally average-pooled' : ''}) feed a new softmax
          head.
        </p>
      )}
      {warnings.length > 0 && (
        <ul className="warnings" aria-label="Plan warnings">
          {warnings.map((w) => (
            <li key={w.message} className="warning">
              <p>{w.message}</p>
              {w.fix && (
                <button
                  type="button"
                  className="button small-button"
                  disabled={disabled}
                  onClick={() => onPlan(w.fix!.plan)}
                >
                  {w.fix.label}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
