import { describe, expect, it } from 'vitest';
import { modeOf } from '../domain';
import { planWarnings } from './layer-plan';
import { CANDIDATE_IDS, candidate } from './quadrant-candidates';
import type { StrategyLayer } from './quadrant-layers';
import mobilenetV2035 from './fixtures/mobilenet-v2-035-layers.json';
import teachingCnn from './fixtures/teaching-cnn-layers.json';

const MODELS: {
  name: string;
  layers: StrategyLayer[];
  feature: string;
  low: string;
  high: string;
}[] = [
  {
    name: 'MobileNetV2 α=0.35',
    layers: mobilenetV2035,
    feature: 'global_average_pooling2d',
    low: 'block_9_add',
    high: 'block_14_add',
  },
  {
    name: 'teaching CNN',
    layers: teachingCnn,
    feature: 'global_pool',
    low: 'conv3',
    high: 'conv4',
  },
];

const at = (layers: StrategyLayer[], name: string) => layers.findIndex((l) => l.name === name);

describe.each(MODELS)('candidates on $name', ({ layers, feature, low, high }) => {
  it.each(CANDIDATE_IDS)('%s is a valid plan with its boundary on a cut point', (id) => {
    const c = candidate(id, layers, feature)!;
    expect(c.id).toBe(id);
    const end = at(layers, c.plan.featureLayer);
    expect(layers[end]!.cutPoint).toBe(true);
    expect(planWarnings(layers, c.plan).map((w) => w.message)).toEqual(
      id === 'scratch' ? [expect.stringContaining('trains the architecture from scratch')] : [],
    );
    const used = layers.slice(0, end + 1);
    const firstTrained = used.findIndex((l) => modeOf(c.plan.modes, l) !== 'frozen');
    if (firstTrained > 0) expect(used[firstTrained - 1]!.cutPoint).toBe(true);
    expect(c.headOnly).toBe(firstTrained < 0);
    expect(c.label).toContain(c.plan.featureLayer);
  });

  it('puts the two mid cuts at the expected block boundaries, low below high', () => {
    expect(candidate('head-low-softmax', layers, feature)!.plan.featureLayer).toBe(low);
    expect(candidate('head-high-svm', layers, feature)!.plan.featureLayer).toBe(high);
    expect(candidate('head-high-svm', layers, feature)!.params.head).toBe('svm');
    expect(at(layers, low)).toBeLessThan(at(layers, high));
  });

  it('fine-tunes above the freeze line only, at the rows’ own rates', () => {
    const upper = candidate('ft-upper-high', layers, feature)!;
    const line = at(layers, high);
    for (const [i, l] of layers.entries()) {
      if (l.params === 0 || i > at(layers, feature)) continue;
      expect(modeOf(upper.plan.modes, l)).toBe(i <= line ? 'frozen' : 'fine-tune');
    }
    expect(candidate('ft-all-1e-3', layers, feature)!.params.fineTuneLearningRate).toBe(1e-3);
    const l2sp = candidate('ft-all-l2sp', layers, feature, 1e-3)!;
    expect(l2sp.params.fineTuneLearningRate).toBe(1e-3);
    expect(l2sp.params.conservation).toBeGreaterThan(0);
    const scratch = candidate('scratch', layers, feature)!;
    expect(
      layers
        .filter((l) => l.params > 0 && at(layers, l.name) <= at(layers, feature))
        .every((l) => scratch.plan.modes[l.name] === 'reinit'),
    ).toBe(true);
  });
});
