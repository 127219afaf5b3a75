import type { ComponentProps } from 'react';
import { useStudio } from '../state/store';
import { LayerList } from './layer-list';
import { ModelPicker } from './model-picker';
import { PlanTools } from './plan-tools';
import { FeatureMapsView } from './feature-maps-view';
import { NetworkDiagram } from './network-diagram';

const formatParams = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : String(n);

/**
 * The layer list with the drift of the run in progress. It reads the drift itself, so the
 * drift that arrives after every epoch redraws the list, not the whole panel (its diagram,
 * plan tools and feature maps): on a 160-layer network that redraw was a long task.
 */
function LayerListWithDrift(props: Omit<ComponentProps<typeof LayerList>, 'drift'>) {
  const drift = useStudio((s) => s.drift);
  return <LayerList {...props} drift={drift} />;
}

export function ModelPanel() {
  const model = useStudio((s) => s.model);
  const loading = useStudio((s) => s.modelLoading);
  const error = useStudio((s) => s.modelError);
  const plan = useStudio((s) => s.plan);
  const setPlan = useStudio((s) => s.setPlan);
  const hasDrift = useStudio((s) => Object.keys(s.drift).length > 0);
  const busy = useStudio((s) => s.phase === 'features' || s.phase === 'training');

  return (
    <section aria-label="Network" className="panel model">
      <h2>
        <span className="step">2</span> Model
      </h2>
      <ModelPicker />
      {error && (
        <p role="alert" className="error-text">
          {error}
          {model ? ` ${model.card.name} is still loaded.` : ''}
        </p>
      )}
      {loading && <p className="muted">Loading the network…</p>}
      {model && (
        <>
          <details className="card">
            <summary>
              Where these weights come from:{' '}
              <span className="muted">{model.card.provenanceSummary}</span>
            </summary>
            {model.card.provenance.map((p) => (
              <p key={p}>{p}</p>
            ))}
          </details>
          <p className="summary-line">
            {model.layers.length} layers · {formatParams(model.totalParams)} parameters · input{' '}
            {model.resolution}×{model.resolution}
            {model.card.channels === 1 ? ' grey' : ''}
          </p>
          <FeatureMapsView />
          <NetworkDiagram />
          <PlanTools
            layers={model.layers}
            plan={plan}
            defaultFeatureLayer={model.card.featureLayer}
            disabled={busy}
            onPlan={setPlan}
          />
          {hasDrift && (
            <p className="hint small">
              Bars under the parameter counts: how far each trained layer moved from its starting
              weights, ‖w − w₀‖/‖w₀‖ (full bar = 100%).
            </p>
          )}
          <LayerListWithDrift layers={model.layers} plan={plan} disabled={busy} onPlan={setPlan} />
        </>
      )}
    </section>
  );
}
