import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { samePlan } from './layer-plan';
import { paired } from './paired';
import { QUADRANTS } from './quadrant';
import { candidate, type CandidateId } from './quadrant-candidates';
import { appliedQuadrantPlan, textbookQuadrantPlan } from './quadrant-choice';
import type { StrategyLayer } from './quadrant-layers';
import { QUADRANT_TABLES, chooseRow, type TableRow } from './quadrant-table';
import mobilenetV2035 from './fixtures/mobilenet-v2-035-layers.json';
import teachingCnn from './fixtures/teaching-cnn-layers.json';

const NETWORKS: Record<string, { layers: StrategyLayer[]; feature: string }> = {
  'teaching-cnn': { layers: teachingCnn, feature: 'global_pool' },
  'mobilenet-v2-035': { layers: mobilenetV2035, feature: 'global_average_pooling2d' },
};
const DOC = readFileSync(new URL('../../docs/quadrants.md', import.meta.url), 'utf8');

const row = (
  id: string,
  test: number[],
  headOnly: boolean,
  seconds = 1,
  trainedLayers = headOnly ? 0 : 5,
  epochs = 10,
): TableRow => ({
  id,
  label: id,
  headOnly,
  test,
  capped: 0,
  seconds,
  trainedLayers,
  epochs,
});

describe('chooseRow', () => {
  it('takes the best row when nothing cheaper is within noise of it', () => {
    const rows = [row('recipe', [0.6, 0.62, 0.61], true), row('ft', [0.7, 0.73, 0.71], false, 50)];
    expect(chooseRow(rows)).toEqual({ best: 'ft', withinNoise: ['ft'], chosen: 'ft' });
  });

  it('takes the cheapest row within seed noise of the best', () => {
    const rows = [row('recipe', [0.7, 0.64, 0.7], true), row('ft', [0.66, 0.71, 0.69], false, 50)];
    expect(chooseRow(rows).best).toBe('ft');
    expect(chooseRow(rows).chosen).toBe('recipe');
  });

  it('among rows that train the network, takes fewer trained layers, then fewer epochs, then the more accurate, never seconds', () => {
    const rows = [
      row('scratch', [0.72, 0.64, 0.7], false, 100, 5, 28),
      row('ft-all', [0.7, 0.66, 0.69], false, 300, 5, 25),
      row('ft-upper', [0.69, 0.65, 0.71], false, 400, 2, 30),
    ];
    expect(chooseRow(rows).best).toBe('scratch');
    expect(chooseRow(rows).withinNoise).toHaveLength(3);
    expect(chooseRow(rows).chosen).toBe('ft-upper');
    expect(chooseRow(rows.slice(0, 2)).chosen).toBe('ft-all');
    // The same work (layers and epochs): the more accurate row, however long each took here.
    const tie = [
      row('ft-all', [0.72, 0.7, 0.71], false, 900, 5, 3),
      row('ft-all-l2sp', [0.7, 0.71, 0.7], false, 100, 5, 3),
    ];
    expect(chooseRow(tie).withinNoise).toHaveLength(2);
    expect(chooseRow(tie).chosen).toBe('ft-all');
  });

  it('does not call a row within noise when it loses on every seed by more than its spread', () => {
    // Worse by 10 points on every seed give or take 5: the t-test alone (3 seeds) would not separate them.
    const rows = [row('recipe', [0.6, 0.6, 0.6], true), row('ft', [0.65, 0.7, 0.75], false, 50)];
    expect(paired([0.65, 0.7, 0.75], [0.6, 0.6, 0.6]).significant).toBe(false);
    expect(chooseRow(rows).chosen).toBe('ft');
  });
});

describe('the committed quadrant tables', () => {
  it('cover every quadrant of every network the picker serves', () => {
    for (const network of Object.keys(NETWORKS))
      for (const q of QUADRANTS)
        expect(
          QUADRANT_TABLES.some((t) => t.network === network && t.quadrant === q.id),
          `${network} ${q.id}`,
        ).toBe(true);
  });

  it.each(QUADRANT_TABLES.map((t) => [`${t.network} ${t.quadrant}`, t] as const))(
    '%s: the picker applies the table’s choice, never a row measured worse beyond noise',
    (_, t) => {
      const { layers, feature } = NETWORKS[t.network]!;
      const { chosen } = chooseRow(t.rows);
      const applied = appliedQuadrantPlan(t.quadrant, t.network, layers, feature);
      const made =
        chosen === 'textbook'
          ? textbookQuadrantPlan(t.quadrant, t.network, layers, feature).plan
          : candidate(chosen as CandidateId, layers, feature, t.gridRate)!.plan;
      expect(samePlan(layers, applied.plan, made)).toBe(true);
      const mine = t.rows.find((r) => r.id === chosen)!;
      for (const other of t.rows) {
        const d = paired(mine.test, other.test);
        expect(d.significant && d.mean < 0, `${chosen} vs ${other.id}`).toBe(false);
      }
      // The document marks the same row.
      expect(DOC).toContain(`| \`${chosen}\` (**applied**`);
    },
  );

  it.each(QUADRANT_TABLES.map((t) => [`${t.network} ${t.quadrant}`, t] as const))(
    '%s: every number the picker shows is in docs/quadrants.md',
    (_, t) => {
      const { layers, feature } = NETWORKS[t.network]!;
      for (const c of [
        appliedQuadrantPlan(t.quadrant, t.network, layers, feature),
        textbookQuadrantPlan(t.quadrant, t.network, layers, feature),
      ]) {
        expect(c.measured).toContain('docs/quadrants.md');
        for (const n of c.measured!.match(/[+−]?\d+\.\d ± \d+\.\d/g) ?? [])
          expect(DOC, n).toContain(n);
      }
    },
  );
});
