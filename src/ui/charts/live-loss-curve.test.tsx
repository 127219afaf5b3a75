import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { LiveLossCurve, niceMax } from './live-loss-curve';

describe('the live loss curve', () => {
  it('rounds the loss axis up to a short number', () => {
    expect(niceMax(3.01)).toBe(4);
    expect(niceMax(2.9)).toBe(3);
    expect(niceMax(0.47)).toBeCloseTo(0.5);
    expect(niceMax(1)).toBe(1);
    expect(niceMax(0)).toBe(1);
    expect(niceMax(Number.NaN)).toBe(1);
  });

  it('draws one path per series with a point per batch and a dot per epoch, inside the axes', () => {
    const batches = Array.from({ length: 30 }, (_, i) => ({ x: (i + 1) / 10, loss: 2 - i / 20 }));
    const epochs = [1, 2, 3].map((epoch) => ({
      epoch,
      trainLoss: 1,
      trainAccuracy: 0.5,
      valLoss: 1.5 - epoch / 4,
      valAccuracy: 0.5,
    }));
    const html = renderToStaticMarkup(
      <LiveLossCurve batches={batches} epochs={epochs} totalEpochs={10} />,
    );
    expect(html).toContain('aria-label="Loss curve"');
    const paths = [...html.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]!);
    expect(paths).toHaveLength(2);
    expect(paths[0]!.split('L')).toHaveLength(30);
    expect(paths[1]!.split('L')).toHaveLength(3);
    expect(html.match(/<circle/g)).toHaveLength(3);
    // Every coordinate within the drawing (460 × 230).
    for (const [, x, y] of paths.join('').matchAll(/[ML]([\d.]+),([\d.]+)/g)) {
      expect(Number(x)).toBeGreaterThanOrEqual(0);
      expect(Number(x)).toBeLessThanOrEqual(460);
      expect(Number(y)).toBeGreaterThanOrEqual(0);
      expect(Number(y)).toBeLessThanOrEqual(230);
    }
  });
});
