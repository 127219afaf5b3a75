// @vitest-environment happy-dom
/** The quadrant experiment's section: what it will train, when it can start, and its verdict table. */
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_PARAMS, type LayerPlan, type ModelInfo } from '../domain';
import { startRecord } from '../state/training-slice';
import { resetStudio, useStudio } from '../state/store';
import { quadrantPlan } from '../strategy/quadrant';
import { experimentArms } from '../strategy/quadrant-experiment';
import teachingLayers from '../strategy/fixtures/teaching-cnn-layers.json';
import { QuadrantExperiment } from './quadrant-experiment';
import { StudioActionsContext, type StudioActions } from './studio-actions';

// The curves without recharts (which needs a real layout).
vi.mock('./charts/compare-chart', () => ({ CompareChart: () => null }));

const model: ModelInfo = {
  card: {
    id: 'teaching-cnn',
    name: 'Teaching CNN',
    source: 'bundled',
    inputSize: 28,
    resolutions: [28],
    channels: 1,
    valueRange: [0, 1],
    featureLayer: 'global_pool',
    provenanceSummary: '',
    provenance: [],
  },
  resolution: 28,
  totalParams: 10,
  layers: teachingLayers.map((l) => ({ ...l, outputShape: '' })),
};

const FINE_TUNE_UPPER: LayerPlan = {
  modes: { conv4: 'fine-tune', conv5: 'fine-tune' },
  featureLayer: 'global_pool',
};

const run = vi.fn();
const stop = vi.fn();
const actions = new Proxy({ samples: [] } as unknown as StudioActions, {
  get: (target, key) =>
    key === 'runQuadrantExperiment'
      ? run
      : key === 'stopQuadrantExperiment'
        ? stop
        : key in target
          ? target[key as keyof StudioActions]
          : () => undefined,
});

const show = () =>
  render(
    <StudioActionsContext.Provider value={actions}>
      <QuadrantExperiment />
    </StudioActionsContext.Provider>,
  );

beforeEach(() => {
  resetStudio();
  run.mockClear();
  const s = useStudio.getState();
  s.setModel(model);
  s.setDataset(
    [
      { name: 'a', count: 20 },
      { name: 'b', count: 20 },
    ],
    [],
    [],
  );
  s.setQuadrant('small-different');
  s.setPlan(FINE_TUNE_UPPER);
});
afterEach(cleanup);

describe('QuadrantExperiment', () => {
  it('lists the three plans and starts with the seeds and the epoch cap on screen', () => {
    show();
    const plans = within(screen.getByRole('list', { name: 'Plans in the experiment' }));
    expect(plans.getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'Applied plan: 3/5 frozen, 2 fine-tuned, softmax head on global_pool, 10 epochs',
      'Textbook plan: 3/3 frozen, linear SVM head on conv3, 300 epochs',
      "Teachable Machine's recipe: 5/5 frozen, softmax head on global_pool, 300 epochs",
    ]);
    fireEvent.change(screen.getByRole('spinbutton', { name: 'Seeds per plan' }), {
      target: { value: '2' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Quadrant experiment' }));
    expect(run).toHaveBeenCalledWith({ seeds: 2, maxEpochs: 15 });
  });

  it('says when the applied plan is one of the others, and refuses when there is nothing to compare', () => {
    const made = quadrantPlan('small-similar', model.layers, 'global_pool');
    useStudio.getState().setQuadrant('small-similar');
    useStudio.getState().setPlan(made.plan);
    useStudio.getState().setParams(made.params);
    show();
    expect(screen.getByText(/^Nothing to compare/)).toBeTruthy();
    expect(
      (screen.getByRole('button', { name: 'Quadrant experiment' }) as HTMLButtonElement).disabled,
    ).toBe(true);
    cleanup();
    useStudio.getState().setPlan(FINE_TUNE_UPPER);
    show();
    expect(
      screen.getByText("The textbook plan is Teachable Machine's recipe: it is trained once."),
    ).toBeTruthy();
  });

  it('shows a verdict per plan and the first seed’s runs in Comparison', () => {
    const s = useStudio.getState();
    const arms = experimentArms({
      layers: model.layers,
      featureLayer: 'global_pool',
      quadrant: 'small-different',
      plan: FINE_TUNE_UPPER,
      params: DEFAULT_PARAMS,
      maxEpochs: 20,
    });
    s.startQuadrantExperiment('small-different', arms, [42, 43], [0, 1, 2, 0, 1, 2]);
    // Applied 70/72, textbook 50/52 (worse), recipe 71/72 (within noise).
    const tests = [0.7, 0.5, 0.71, 0.72, 0.52, 0.72];
    tests.forEach((t, i) => {
      const runId = `train-${i}`;
      const armIndex = i % 3;
      s.setRuns([
        ...useStudio.getState().runs,
        {
          ...startRecord(useStudio.getState(), runId, arms[armIndex]!),
          status: 'done',
          valAccuracy: t,
          testAccuracy: t,
        },
      ]);
      useStudio.getState().addQuadrantExperimentRun({
        armIndex,
        seed: 42 + Math.floor(i / 3),
        runId,
        valAccuracy: t,
        testAccuracy: t,
        seconds: 3,
      });
    });
    useStudio.getState().endQuadrantExperiment('done');
    show();
    const table = within(screen.getByRole('table', { name: 'Quadrant experiment verdict' }));
    const rows = table.getAllByRole('row').slice(1);
    expect(rows.map((r) => r.getAttribute('data-verdict'))).toEqual([
      'reference',
      'worse',
      'within-noise',
    ]);
    expect(rows[1]!.textContent).toContain('−20.0 ± 0.0');
    expect(rows[1]!.textContent).toContain('Worse');
    expect(screen.getByRole('status', { name: 'Quadrant experiment status' }).textContent).toMatch(
      /^6 \/ 6 runs · finished in \d+ s$/,
    );
    const comparison = within(screen.getByRole('region', { name: 'Comparison' }));
    expect(comparison.getAllByRole('columnheader').map((h) => h.textContent)).toEqual([
      'set-up',
      'Applied plan (seed 42)',
      'Textbook plan (seed 42)',
      "Teachable Machine's recipe (seed 42)",
    ]);
    fireEvent.change(screen.getByRole('combobox', { name: 'Seed in Comparison' }), {
      target: { value: '43' },
    });
    expect(
      within(screen.getByRole('region', { name: 'Comparison' })).getAllByRole('columnheader')[1]!
        .textContent,
    ).toBe('Applied plan (seed 43)');
  });
});
