import { describe, expect, it } from 'vitest';
import { isSpatial, shapeParts, shapePositions, shapeValues } from './shape';

describe('output shapes', () => {
  it('splits a map into its size and channels, and a vector into channels alone', () => {
    expect(shapeParts('28×28×32')).toEqual({ size: '28×28', channels: 32 });
    expect(shapeParts('1280')).toEqual({ size: '', channels: 1280 });
    expect(shapeParts('7×7×?')).toEqual({ size: '7×7', channels: null });
    expect(shapeParts(undefined)).toEqual({ size: '', channels: null });
    expect(shapeParts('8×8×4 | 8×8×2')).toEqual({ size: '8×8', channels: 4 });
  });

  it('counts positions and values per image', () => {
    expect(shapePositions('112×112×16')).toBe(112 * 112);
    expect(shapePositions('1280')).toBe(1);
    expect(shapeValues('7×7×1280')).toBe(7 * 7 * 1280);
    expect(shapeValues('1280')).toBe(1280);
    expect(shapeValues('')).toBe(1);
  });

  it('tells a spatial map from a vector', () => {
    expect(isSpatial('56×56×8')).toBe(true);
    expect(isSpatial('1280')).toBe(false);
    expect(isSpatial('56×56×8 | 1280')).toBe(true);
  });
});
