import { describe, expect, it } from 'vitest';
import { modeOf } from '../domain';
import { planWarnings, setMode } from './layer-plan';
import {
  QUADRANTS,
  quadrantEvidence,
  quadrantPlan,
  quadrantReason,
  type Quadrant,
  type StrategyLayer,
} from './quadrant';
import mobilenetV2 from './fixtures/mobilenet-v2-layers.json';
import mobilenetV2035 from './fixtures/mobilenet-v2-035-layers.json';
import teachingCnn from './fixtures/teaching-cnn-layers.json';

// Layer lists of the bundled models, read off the real networks (layerGraph(model).cut).
const MODELS: { name: string; layers: StrategyLayer[]; feature: string }[] = [
  { name: 'MobileNetV2', layers: mobilenetV2, feature: 'flatten_1' },
  { name: 'MobileNetV2 α=0.35', layers: mobilenetV2035, feature: 'global_average_pooling2d' },
  { name: 'teaching CNN', layers: teachingCnn, feature: 'global_pool' },
];

const at = (layers: StrategyLayer[], name: string) => layers.findIndex((l) => l.name === name);

describe('quadrant list', () => {
  it('has the four picker labels in order, each with an explanation', () => {
    expect(QUADRANTS.map((q) => q.label)).toEqual([
      'Small dataset, similar domain',
      'Large dataset, similar domain',
      'Small dataset, different domain',
      'Large dataset, different domain',
    ]);
    expect(QUADRANTS.map((q) => q.id)).toEqual([
      'small-similar',
      'large-similar',
      'small-different',
      'large-different',
    ]);
    for (const q of QUADRANTS) expect(q.explanation.length).toBeGreaterThan(200);
  });
});

describe.each(MODELS)('quadrant plans on $name', ({ layers, feature }) => {
  const weightedUpTo = (end: number) => layers.slice(0, end + 1).filter((l) => l.params > 0);

  it.each(QUADRANTS.map((q) => q.id))('%s gives a valid plan', (q: Quadrant) => {
    const { plan, params, reason } = quadrantPlan(q, layers, feature);
    const end = at(layers, plan.featureLayer);
    expect(end).toBeGreaterThan(0);
    // Modes only on weighted layers.
    for (const name of Object.keys(plan.modes))
      expect(layers[at(layers, name)]?.params).toBeGreaterThan(0);
    // Features and the frozen/trained boundary sit on cut points.
    expect(layers[end]!.cutPoint).toBe(true);
    const used = layers.slice(0, end + 1);
    const firstTrained = used.findIndex((l) => modeOf(plan.modes, l) !== 'frozen');
    if (firstTrained > 0) expect(used[firstTrained - 1]!.cutPoint).toBe(true);
    expect(planWarnings(layers, plan)).toEqual([]);
    // The reason names the feature layer actually chosen.
    expect(reason).toContain(plan.featureLayer);
    expect(params.learningRate).toBe(1e-3);
    expect(params.epochs).toBeGreaterThan(0);
  });

  it('small-similar: everything Frozen, features from the default layer', () => {
    const { plan, params } = quadrantPlan('small-similar', layers, feature);
    expect(plan.featureLayer).toBe(feature);
    expect(layers.every((l) => modeOf(plan.modes, l) === 'frozen')).toBe(true);
    expect(params).toMatchObject({ learningRate: 1e-3, conservation: 0, head: 'softmax' });
  });

  it('large-similar: every weighted layer up to the feature layer fine-tuned at 1e-5', () => {
    const { plan, params } = quadrantPlan('large-similar', layers, feature);
    const end = at(layers, feature);
    expect(plan.featureLayer).toBe(feature);
    expect(Object.keys(plan.modes)).toEqual(weightedUpTo(end).map((l) => l.name));
    expect(Object.values(plan.modes).every((m) => m === 'fine-tune')).toBe(true);
    expect(params).toMatchObject({ learningRate: 1e-3, fineTuneLearningRate: 1e-5 });
    expect(params.conservation).toBeGreaterThan(0);
    expect(params.conservation).toBeLessThanOrEqual(0.01);
  });

  it('small-different: an intermediate cut point ~60% deep, all Frozen, an SVM head', () => {
    const { plan, params, reason } = quadrantPlan('small-different', layers, feature);
    const end = at(layers, feature);
    const cut = at(layers, plan.featureLayer);
    expect(cut).toBeLessThan(end);
    expect(layers[cut]!.cutPoint).toBe(true);
    const depth = weightedUpTo(cut).length / weightedUpTo(end).length;
    expect(depth).toBeGreaterThan(0.4);
    expect(depth).toBeLessThan(0.8);
    expect(layers.every((l) => modeOf(plan.modes, l) === 'frozen')).toBe(true);
    expect(params).toMatchObject({ learningRate: 1e-3, head: 'svm', conservation: 0 });
    expect(reason).toMatch(/SVM/);
  });

  it('large-different: the whole pretrained network fine-tuned at 1e-4, nothing re-initialised', () => {
    const { plan, params } = quadrantPlan('large-different', layers, feature);
    const end = at(layers, feature);
    expect(plan.featureLayer).toBe(feature);
    expect(weightedUpTo(end).every((l) => modeOf(plan.modes, l) === 'fine-tune')).toBe(true);
    expect(params).toMatchObject({ learningRate: 1e-3, fineTuneLearningRate: 1e-4 });
  });
});

describe('concrete plans on the bundled models', () => {
  it('MobileNetV2 small-different cuts at a block output, inside the ImageNet-trained blocks', () => {
    const { plan } = quadrantPlan('small-different', mobilenetV2, 'flatten_1');
    expect(plan.featureLayer).toBe('block_9_add');
  });

  it('the photo backbone small-different cuts at block_9_add (the row of docs/photo-scratch-vs-transfer.md)', () => {
    expect(
      quadrantPlan('small-different', mobilenetV2035, 'global_average_pooling2d').plan.featureLayer,
    ).toBe('block_9_add');
  });

  it('teaching CNN small-different cuts after conv3', () => {
    expect(quadrantPlan('small-different', teachingCnn, 'global_pool').plan.featureLayer).toBe(
      'conv3',
    );
  });

  it('large plans name the first and last trained layers', () => {
    expect(quadrantPlan('large-similar', mobilenetV2, 'flatten_1').reason).toMatch(
      /from Conv1 to Conv_1_bn/,
    );
    expect(quadrantPlan('large-different', teachingCnn, 'global_pool').reason).toMatch(
      /from conv1 to conv5/,
    );
  });
});

describe('evidence from the committed tables', () => {
  it('cites an earlier table only for the network the quadrant tables do not cover', () => {
    const cited = (model: string) =>
      QUADRANTS.map((x) => x.id).filter((q) => quadrantEvidence(q, model) !== null);
    // The teaching CNN and the α=0.35 network take their numbers from docs/quadrants.md.
    expect(cited('teaching-cnn')).toEqual([]);
    expect(cited('mobilenet-v2-035')).toEqual([]);
    expect(cited('mobilenet-v2')).toEqual(['small-similar', 'small-different']);
    for (const q of cited('mobilenet-v2'))
      expect(quadrantEvidence(q, 'mobilenet-v2'), q).toMatch(/docs\/[\w-]+\.md/);
  });

  it('has nothing where no table measures the network', () => {
    expect(quadrantEvidence('small-similar', 'my-model')).toBeNull();
    expect(quadrantEvidence('large-different', 'mobilenet-v2-035')).toBeNull();
  });

  it('names the textbook rule in every explanation, not a measurement', () => {
    for (const q of QUADRANTS) expect(q.explanation).toMatch(/textbook/);
  });
});

describe('suggested cut', () => {
  it('is used when it is a cut point below the feature layer', () => {
    const { plan, reason } = quadrantPlan('small-different', mobilenetV2, 'flatten_1', {
      suggestedCut: 'block_5_add',
    });
    expect(plan.featureLayer).toBe('block_5_add');
    expect(reason).toMatch(/the layer asked for/);
    expect(
      quadrantPlan('small-different', teachingCnn, 'global_pool', { suggestedCut: 'pool1' }).plan
        .featureLayer,
    ).toBe('pool1');
  });

  it('is moved to the nearest cut point when it lies inside a residual block', () => {
    const { plan } = quadrantPlan('small-different', mobilenetV2, 'flatten_1', {
      suggestedCut: 'block_5_depthwise',
    });
    expect(['block_4_add', 'block_5_add']).toContain(plan.featureLayer);
    expect(planWarnings(mobilenetV2, plan)).toEqual([]);
  });

  it('is ignored when unknown, at or past the feature layer, or before any weights', () => {
    for (const suggestedCut of ['no_such_layer', 'flatten_1', 'dense_2', 'input_1']) {
      expect(
        quadrantPlan('small-different', mobilenetV2, 'flatten_1', { suggestedCut }).plan
          .featureLayer,
      ).toBe('block_9_add');
    }
    expect(
      quadrantPlan('small-different', teachingCnn, 'global_pool', { suggestedCut: 'fc' }).plan
        .featureLayer,
    ).toBe('conv3');
  });

  it('does not affect the other quadrants', () => {
    expect(
      quadrantPlan('small-similar', mobilenetV2, 'flatten_1', { suggestedCut: 'block_5_add' }).plan
        .featureLayer,
    ).toBe('flatten_1');
  });
});

describe('other networks', () => {
  it('moves a default feature layer inside a residual block to a cut point', () => {
    const { plan } = quadrantPlan('small-similar', mobilenetV2, 'block_5_depthwise');
    expect(mobilenetV2[at(mobilenetV2, plan.featureLayer)]!.cutPoint).toBe(true);
  });

  it('keeps a network too shallow to cut whole', () => {
    const tiny: StrategyLayer[] = [
      { name: 'in', className: 'InputLayer', params: 0, cutPoint: true },
      { name: 'conv', className: 'Conv2D', params: 10, cutPoint: true },
    ];
    expect(quadrantPlan('small-different', tiny, 'conv').plan.featureLayer).toBe('conv');
  });

  it('names a missing feature layer', () => {
    expect(() => quadrantPlan('small-similar', teachingCnn, 'nope')).toThrow(/nope/);
  });
});

describe('quadrantReason', () => {
  it("gives a quadrant's reason while its plan is in place, and none once the plan is edited", () => {
    for (const q of QUADRANTS) {
      const made = quadrantPlan(q.id, mobilenetV2, 'flatten_1');
      expect(quadrantReason(q.id, mobilenetV2, 'flatten_1', made.plan)).toBe(made.reason);
    }
    const similar = quadrantPlan('small-similar', teachingCnn, 'global_pool').plan;
    expect(quadrantReason('small-similar', teachingCnn, 'global_pool', similar)).not.toBeNull();
    const edited = setMode(similar, 'conv5', 'fine-tune');
    expect(quadrantReason('small-similar', teachingCnn, 'global_pool', edited)).toBeNull();
    // Another quadrant's plan is not this one's.
    expect(quadrantReason('large-similar', teachingCnn, 'global_pool', similar)).toBeNull();
  });

  it('finds the plan made with the cut the probe suggested', () => {
    const made = quadrantPlan('small-different', mobilenetV2, 'flatten_1', {
      suggestedCut: 'block_5_add',
    });
    expect(quadrantReason('small-different', mobilenetV2, 'flatten_1', made.plan)).toBe(
      made.reason,
    );
  });

  it('is null on a network without the default feature layer', () => {
    expect(
      quadrantReason('small-similar', teachingCnn, 'no_such_layer', {
        modes: {},
        featureLayer: 'global_pool',
      }),
    ).toBeNull();
  });
});
