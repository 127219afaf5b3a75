import { useEffect } from 'react';
import { useStudio } from '../state/store';
import { useStudioActions } from './studio-actions';
import { QUADRANTS, type Quadrant } from '../strategy/quadrant';
import {
  appliedQuadrantPlan,
  QUADRANT_DOC,
  textbookQuadrantPlan,
  type QuadrantChoice,
} from '../strategy/quadrant-choice';
import { samePlan } from '../strategy/layer-plan';
import {
  estimateQuadrant,
  estimateSimilarity,
  estimateSize,
  pp,
  type SimilarityEstimate,
} from '../strategy/estimate';
import { ProbeChart } from './charts/probe-chart';
import { QuadrantExperiment } from './quadrant-experiment';
import { PROBE_PROGRESS_STEPS, type LayerInfo } from '../domain';

const strategyLayers = (layers: readonly LayerInfo[]) =>
  layers.map(({ name, className, params, cutPoint }) => ({ name, className, params, cutPoint }));

type Variant = 'applied' | 'textbook';

/** The quadrant's plan on the loaded model: what the picker applies, or the textbook plan. */
function quadrantChoice(q: Quadrant, variant: Variant): QuadrantChoice | null {
  const s = useStudio.getState();
  if (!s.model) return null;
  const make = variant === 'applied' ? appliedQuadrantPlan : textbookQuadrantPlan;
  return make(q, s.model.card.id, strategyLayers(s.model.layers), s.model.card.featureLayer);
}

/**
 * Applies a quadrant's whole plan (layer modes, cut, head, rates) to the loaded model. On a
 * network no committed table measures, choosing the quadrant applies nothing: the textbook
 * plan is one explicit click away, named as unmeasured.
 */
function applyQuadrant(q: Quadrant, variant: Variant = 'applied'): void {
  const choice = quadrantChoice(q, variant);
  if (!choice) return;
  const s = useStudio.getState();
  s.setQuadrant(q);
  if (variant === 'applied' && choice.source !== 'measured') return;
  const { batchSize, ...params } = choice.params;
  s.setPlan(choice.plan);
  s.setParams(batchSize === undefined ? params : { ...params, batchSize });
}

/** One of the picker's plan buttons (`Apply textbook plan`, `Apply measured plan`). */
function ApplyButton(props: { label: string; busy: boolean; onClick: () => void }) {
  return (
    <button
      type="button"
      className="button small-button"
      disabled={props.busy}
      onClick={props.onClick}
    >
      {props.label}
    </button>
  );
}

const VERDICT_WORD = {
  similar: 'Similar domain',
  different: 'Different domain',
  unsure: 'Unsure',
} as const;

/** The verdict with its numbers: mean and range of top features − pixels across splits. */
function SimilarityVerdict({ estimate }: { estimate: SimilarityEstimate }) {
  const known = estimate.differences.length > 0;
  return (
    <div className="small verdict" data-testid="similarity">
      <p>
        <strong>{VERDICT_WORD[estimate.verdict]}</strong>
        {known && (
          <>
            {' '}
            — top features − pixels: <strong>{pp(estimate.mean)}</strong>, range{' '}
            <span data-testid="similarity-range">
              {pp(estimate.min)} to {pp(estimate.max)}
            </span>{' '}
            over {estimate.differences.length} splits
            {estimate.threshold !== null && ` (threshold ${pp(estimate.threshold)})`}
          </>
        )}
      </p>
      <p>{estimate.reason}</p>
      {estimate.verdict === 'unsure' && (
        <p role="status">No quadrant is pre-selected: choose one yourself.</p>
      )}
    </div>
  );
}

/** The quadrant picker: size × similarity, estimated from the data, with the evidence and the reason. */
export function StrategyPanel() {
  const { runProbe } = useStudioActions();
  const classes = useStudio((s) => s.classes);
  const model = useStudio((s) => s.model);
  const probe = useStudio((s) => s.probe);
  const threshold = useStudio((s) => s.sizeThreshold);
  const setThreshold = useStudio((s) => s.setSizeThreshold);
  const quadrant = useStudio((s) => s.quadrant) as Quadrant | null;
  const plan = useStudio((s) => s.plan);
  const busy = useStudio(
    (s) => s.phase === 'features' || s.phase === 'training' || s.decoding !== null,
  );
  const progress = useStudio((s) => s.probeProgress);

  const size = estimateSize(
    classes.map((c) => c.count),
    threshold,
  );
  // A new model or resolution clears the probe, so its points belong to the loaded network.
  const similarity =
    model && probe.status === 'done' && probe.points.length > 0
      ? estimateSimilarity(probe.points, {
          model: {
            id: model.card.id,
            resolution: model.resolution,
            valueRange: model.card.valueRange,
          },
        })
      : null;
  const estimated = similarity ? estimateQuadrant(size.size, similarity.verdict) : null;

  // The studio pre-selects its estimate once the evidence is in (never when unsure), unless the user already chose.
  useEffect(() => {
    if (estimated && !useStudio.getState().quadrant) applyQuadrant(estimated);
  }, [estimated]);

  if (!model || classes.length < 2) return null;
  const chosen = quadrant ? quadrantChoice(quadrant, 'applied') : null;
  const textbook = quadrant ? quadrantChoice(quadrant, 'textbook') : null;
  const layers = strategyLayers(model.layers);
  // The textbook plan is a choice of its own only where the table chose another plan.
  const distinct =
    chosen !== null &&
    textbook !== null &&
    chosen.source === 'measured' &&
    !samePlan(layers, chosen.plan, textbook.plan);
  const onTextbook = distinct && samePlan(layers, plan, textbook!.plan);
  const unmeasured = chosen !== null && chosen.source !== 'measured';
  const onUnmeasuredTextbook = unmeasured && samePlan(layers, plan, textbook!.plan);
  const choose = (q: Quadrant) => applyQuadrant(q);

  return (
    <section aria-label="Strategy" className="strategy">
      <h3>Strategy: how much data, how similar?</h3>
      <div className="size-row small">
        <span>
          Smallest class: <strong>{size.perClass}</strong> images → <strong>{size.size}</strong>{' '}
          dataset
        </span>
        <label className="inline-field">
          <span>large from</span>
          <input
            type="number"
            aria-label="Large dataset from (images per class)"
            min={2}
            step={10}
            value={threshold}
            onChange={(e) =>
              Number.isFinite(e.target.valueAsNumber) &&
              e.target.valueAsNumber >= 2 &&
              setThreshold(Math.round(e.target.valueAsNumber))
            }
          />
        </label>
      </div>
      <div className="actions">
        <button
          type="button"
          className="button small-button"
          disabled={busy || probe.status === 'running'}
          onClick={() => runProbe()}
        >
          {probe.status === 'running' ? 'Probing layers…' : 'Estimate similarity'}
        </button>
        {probe.status === 'running' && (
          <progress
            aria-label="Probe progress"
            max={PROBE_PROGRESS_STEPS}
            value={progress}
            className="probe-progress"
            title={`${Math.round((100 * progress) / PROBE_PROGRESS_STEPS)}% of the images probed`}
          />
        )}
      </div>
      <p className="hint small">
        The probe asks whether the network&apos;s top features beat no learning at all: a
        nearest-centroid classifier on the top features (the last layer before the network&apos;s
        own head) against the same classifier on the raw pixels, on up to 40 images per class, fit
        on one half and scored on the other, over 10 different halvings. Source features made for
        images like yours gain more over the pixels than on far-away images; where the line lies
        depends on the network, so each bundled network has its own threshold, calibrated on the
        bundled samples (docs/similarity-calibration.md).
      </p>
      {probe.status === 'error' && (
        <p role="alert" className="error-text">
          {probe.error}
        </p>
      )}
      {probe.status === 'done' && similarity && (
        <>
          <ProbeChart points={probe.points} chance={1 / classes.length} />
          <SimilarityVerdict estimate={similarity} />
        </>
      )}
      <div role="radiogroup" aria-label="Quadrant" className="quadrants">
        {QUADRANTS.map((q) => (
          <label key={q.id} className={`quadrant ${quadrant === q.id ? 'chosen' : ''}`}>
            <input
              type="radio"
              name="quadrant"
              value={q.id}
              checked={quadrant === q.id}
              disabled={busy}
              onChange={() => choose(q.id)}
              aria-label={q.label}
            />
            <span>
              {q.label}
              {estimated === q.id && <span className="tag estimate"> estimated</span>}
            </span>
          </label>
        ))}
      </div>
      {estimated && quadrant !== estimated && (
        <button
          type="button"
          className="button small-button"
          disabled={busy}
          onClick={() => choose(estimated)}
        >
          Use the estimate: {QUADRANTS.find((q) => q.id === estimated)?.label}
        </button>
      )}
      {chosen && textbook && quadrant && (
        <div className="explain small" data-testid="quadrant-reason">
          <p>{QUADRANTS.find((q) => q.id === quadrant)?.explanation}</p>
          {unmeasured ? (
            <div data-testid="quadrant-unmeasured">
              {onUnmeasuredTextbook ? (
                <p>
                  <strong>Applied: the textbook plan, not measured on this network.</strong>{' '}
                  {textbook.reason} Every field stays editable.
                </p>
              ) : (
                <>
                  <p>
                    <strong>Nothing applied:</strong> no committed table measures this quadrant on
                    this network ({QUADRANT_DOC} measures the bundled MobileNetV2 α=0.35 and the
                    teaching CNN), so your layers stay as they are. The textbook plan would be:{' '}
                    {textbook.reason}
                  </p>
                  <div className="actions">
                    <ApplyButton
                      label="Apply textbook plan"
                      busy={busy}
                      onClick={() => applyQuadrant(quadrant, 'textbook')}
                    />
                  </div>
                </>
              )}
              {textbook.measured && <p className="hint">{textbook.measured}</p>}
            </div>
          ) : onTextbook ? (
            <p>
              <strong>Applied: the textbook plan.</strong> {textbook.reason}{' '}
              {textbook.measured && (
                <span data-testid="textbook-measured">{textbook.measured}</span>
              )}
            </p>
          ) : (
            <>
              <p>
                <strong>Applied:</strong> {chosen.reason} Every field stays editable.
              </p>
              <p data-testid="quadrant-measured">
                <strong>Measured on this network:</strong> {chosen.measured}
              </p>
            </>
          )}
          {distinct && (
            <div className="actions">
              {onTextbook ? (
                <ApplyButton
                  label="Apply measured plan"
                  busy={busy}
                  onClick={() => applyQuadrant(quadrant, 'applied')}
                />
              ) : (
                <>
                  <ApplyButton
                    label="Apply textbook plan"
                    busy={busy}
                    onClick={() => applyQuadrant(quadrant, 'textbook')}
                  />
                  <span className="hint" data-testid="textbook-measured">
                    {textbook.measured}
                  </span>
                </>
              )}
            </div>
          )}
        </div>
      )}
      <QuadrantExperiment />
    </section>
  );
}
