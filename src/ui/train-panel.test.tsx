// @vitest-environment happy-dom
/**
 * The training panel must not re-render for every batch report: only the parts that show
 * the batches (the loss curve, the progress bar) do.
 */
import { Profiler } from 'react';
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetStudio, useStudio } from '../state/store';
import { StudioActionsContext, type StudioActions } from './studio-actions';
import { TrainPanel } from './train-panel';

const renders = vi.hoisted(() => ({ panel: 0, chart: 0, chartBatches: 0 }));

// TrainOptions has no store subscription of its own here, so it renders exactly when the
// panel does: it counts the panel's own renders.
vi.mock('./train-options', () => ({
  TrainOptions: () => {
    renders.panel++;
    return null;
  },
}));
// The loss curve without recharts (which needs a real layout): it counts its renders.
vi.mock('./charts/loss-chart', () => ({
  LossChart: ({ batches }: { batches: readonly unknown[] }) => {
    renders.chart++;
    renders.chartBatches = batches.length;
    return null;
  },
}));
// The light curve drawn while a run trains: counted the same way.
vi.mock('./charts/live-loss-curve', () => ({
  LiveLossCurve: ({ batches }: { batches: readonly unknown[] }) => {
    renders.chart++;
    renders.chartBatches = batches.length;
    return null;
  },
}));
// Sections with their own store reads that this test does not look at.
vi.mock('./predict-panel', () => ({ PredictPanel: () => null }));
vi.mock('./runs-view', () => ({ RunsView: () => null }));

/** Every action a no-op: the test drives the store directly. */
const actions = new Proxy({ samples: [] } as unknown as StudioActions, {
  get: (target, key) => (key in target ? target[key as keyof StudioActions] : () => undefined),
});

function renderPanel() {
  const commits: string[] = [];
  render(
    <StudioActionsContext.Provider value={actions}>
      <Profiler id="train" onRender={(_id, phase) => commits.push(phase)}>
        <TrainPanel />
      </Profiler>
    </StudioActionsContext.Provider>,
  );
  return commits;
}

beforeEach(() => {
  resetStudio();
  renders.panel = 0;
  renders.chart = 0;
  renders.chartBatches = 0;
});
afterEach(cleanup);

describe('TrainPanel', () => {
  it('does not re-render per batch report; the loss curve and the progress bar do', () => {
    const store = useStudio.getState();
    store.setParams({ epochs: 4 });
    store.startRun('run-1');
    store.setFeaturesProgress(10, 10, false); // the frozen part is done: training
    const commits = renderPanel();
    const panelBefore = renders.panel;
    const chartBefore = renders.chart;
    expect(panelBefore).toBeGreaterThan(0);

    for (let i = 1; i <= 20; i++)
      act(() => useStudio.getState().addBatches([{ x: i / 10, loss: 1 / i }]));

    // 20 reports reach the screen (the profiled tree commits for each)…
    expect(commits.filter((p) => p === 'update').length).toBeGreaterThanOrEqual(20);
    expect(renders.chart - chartBefore).toBeGreaterThanOrEqual(20);
    expect(renders.chartBatches).toBe(20);
    const bar = screen.getByRole('progressbar', { name: 'Training progress' });
    // 40% for the frozen-part pass, then x = 2 of 4 epochs: 0.4 + 0.6 × 0.5.
    expect(Number(bar.getAttribute('value'))).toBeCloseTo(0.7);
    // …and the panel around them does not re-render for any of them.
    expect(renders.panel - panelBefore).toBe(0);
  });

  it('re-renders when what it shows changes (the phase at the end of a run)', () => {
    const store = useStudio.getState();
    store.startRun('run-1');
    store.setFeaturesProgress(10, 10, false);
    renderPanel();
    const before = renders.panel;
    act(() =>
      useStudio.getState().failRun('The loss diverged: lower the learning rate and train again.'),
    );
    expect(renders.panel).toBeGreaterThan(before);
    expect(screen.getByRole('alert').textContent).toMatch(/loss diverged/);
  });
});
