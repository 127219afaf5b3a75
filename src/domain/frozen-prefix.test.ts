import { describe, expect, it } from 'vitest';
import { augments, featureIndex, featureLayerProblem, frozenPrefixEnd } from './frozen-prefix';
import type { LayerMode, LayerPlan, PlanLayer } from './layers';

const layer = (name: string, params: number, cutPoint = true): PlanLayer => ({
  name,
  params,
  cutPoint,
});
/** The engine test's network: conv → BN → relu → [residual: conv → add] → conv → pool → dense. */
const resNet = [
  layer('input', 0),
  layer('conv1', 112),
  layer('bn1', 16),
  layer('relu1', 0),
  layer('conv2', 148, false), // a skip connection crosses it
  layer('add', 0),
  layer('conv3', 222),
  layer('pool', 0),
  layer('source_head', 14),
];
const plan = (modes: Record<string, LayerMode>, featureLayer = 'pool'): LayerPlan => ({
  modes,
  featureLayer,
});
const nameAt = (i: number) => resNet[i]!.name;

describe('featureIndex', () => {
  it('finds the feature layer, and uses every layer when the network has none of that name', () => {
    expect(featureIndex(resNet, 'pool')).toBe(7);
    expect(featureIndex(resNet, 'input')).toBe(0);
    expect(featureIndex(resNet, 'no-such-layer')).toBe(resNet.length - 1);
    expect(featureIndex([], 'pool')).toBe(-1);
  });
});

describe('featureLayerProblem', () => {
  it('refuses a missing layer and a layer a skip connection crosses', () => {
    expect(featureLayerProblem(resNet, 'pool')).toBeNull();
    expect(featureLayerProblem(resNet, 'nope')).toMatch(/no layer "nope"/);
    expect(featureLayerProblem(resNet, 'conv2')).toMatch(/skip connection crosses it/);
  });
});

describe('frozenPrefixEnd', () => {
  it('runs to the feature layer when everything is frozen', () => {
    expect(nameAt(frozenPrefixEnd(resNet, plan({})))).toBe('pool');
    expect(nameAt(frozenPrefixEnd(resNet, plan({}, 'conv3')))).toBe('conv3');
    // A feature layer the network lacks: every layer is in use.
    expect(nameAt(frozenPrefixEnd(resNet, plan({}, 'gone')))).toBe('source_head');
  });

  it('ends at the last cut point before the first trained layer', () => {
    // The engine's cases: input … relu1 (4 layers) and input … add (6 layers).
    expect(frozenPrefixEnd(resNet, plan({ conv2: 'fine-tune', conv3: 'reinit' }))).toBe(3);
    expect(frozenPrefixEnd(resNet, plan({ conv3: 'fine-tune' }))).toBe(5);
    expect(nameAt(frozenPrefixEnd(resNet, plan({ bn1: 'fine-tune' })))).toBe('conv1');
    // Layers after the feature layer do not count, trained or not.
    expect(nameAt(frozenPrefixEnd(resNet, plan({ source_head: 'fine-tune' })))).toBe('pool');
  });

  it('steps back past layers a skip connection crosses', () => {
    const layers = [
      layer('input', 0),
      layer('conv1', 432),
      layer('block_1_project', 128, false),
      layer('block_1_add', 0),
      layer('top', 1000),
      layer('pool', 0),
    ];
    expect(frozenPrefixEnd(layers, plan({ top: 'fine-tune' }))).toBe(3); // block_1_add
    expect(frozenPrefixEnd(layers, plan({ block_1_project: 'fine-tune' }))).toBe(1); // conv1
  });

  it('is 0 when the first weighted layer trains, and ignores modes of layers without weights', () => {
    expect(frozenPrefixEnd(resNet, plan({ conv1: 'fine-tune' }))).toBe(0);
    expect(frozenPrefixEnd(resNet, plan({ conv1: 'reinit' }))).toBe(0);
    // relu1 and add have no weights: always Frozen, whatever the plan says.
    expect(frozenPrefixEnd(resNet, plan({ relu1: 'fine-tune', add: 'reinit' }))).toBe(7);
  });
});

describe('augments', () => {
  it('is true when any augmentation is on: then nothing is cached', () => {
    expect(augments({ flip: false, crop: false, brightness: false })).toBe(false);
    expect(augments({ flip: false, crop: true, brightness: false })).toBe(true);
    expect(augments({ flip: true, crop: false, brightness: true })).toBe(true);
  });
});
