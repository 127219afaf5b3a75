import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  CONSERVATION_LESSON,
  LAYER_TRANSFER_LESSON,
  LEARNING_RATE_LESSON,
  MEASURED_LESSONS,
  MODE_LESSONS,
  YOSINSKI_2014,
} from './lesson';
import { QUADRANT_EVIDENCE } from './quadrant';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

describe('Yosinski et al. 2014 reference numbers', () => {
  it('holds the baseline and the frozen curve for n = 1..7', () => {
    expect(YOSINSKI_2014.baseline).toBe(62.5);
    expect(YOSINSKI_2014.frozen.map((p) => p.n)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(YOSINSKI_2014.frozen.map((p) => p.top1)).toEqual([
      62.8, 62.4, 61.9, 60.0, 57.8, 58.1, 54.3,
    ]);
  });

  it('has fine-tuned transfer above the baseline and a ~3× larger drop on the dissimilar split', () => {
    expect(YOSINSKI_2014.fineTuned).toEqual({ min: 63.6, max: 64.7 });
    expect(YOSINSKI_2014.fineTuned.min).toBeGreaterThan(YOSINSKI_2014.baseline);
    expect(YOSINSKI_2014.dissimilarDropFactor).toBe(3);
    expect(YOSINSKI_2014.takeaways.join(' ')).toMatch(/54\.3%/);
  });
});

describe('explanations', () => {
  it('covers the three layer modes with their UI labels', () => {
    expect(MODE_LESSONS.map((m) => [m.mode, m.label])).toEqual([
      ['frozen', 'Frozen'],
      ['fine-tune', 'Fine-tune'],
      ['reinit', 'Re-initialize'],
    ]);
  });

  it('gives the learning rates of DESIGN §1', () => {
    expect(LEARNING_RATE_LESSON).toMatchObject({ fineTune: 1e-5, fromScratch: 1e-3 });
  });

  it('contrasts L2-SP with plain L2 and names the output form', () => {
    expect(CONSERVATION_LESSON.l2sp).toContain('w₀');
    expect(CONSERVATION_LESSON.l2).not.toContain('w₀');
    expect(CONSERVATION_LESSON.text).toMatch(/toward zero/);
    expect(CONSERVATION_LESSON.outputForm).toMatch(/Learning without Forgetting/);
  });

  it('copies the first layers for images and the last for speech', () => {
    expect(LAYER_TRANSFER_LESSON.images).toMatch(/copy the first layers/);
    expect(LAYER_TRANSFER_LESSON.speech).toMatch(/Copy the last layers/);
  });
});

/** Numbers a lesson quotes from a table: "−11.8 ± 2.5", "+2.7 ± 0.9" and percentages like "82.9%". */
function quotedNumbers(text: string): string[] {
  return [
    ...text.matchAll(/[+−]?\d+\.\d ± \d+\.\d/g),
    ...text.matchAll(/(?<![\d.]|± )\d+\.\d%/g),
  ].map((m) => m[0]);
}

/** The committed documents a text cites (docs/….md). */
function citedDocs(text: string): string[] {
  return [...new Set([...text.matchAll(/docs\/[\w.-]+\.md/g)].map((m) => m[0]))];
}

describe('what this studio measured', () => {
  const read = (doc: string) => readFileSync(join(ROOT, doc), 'utf8');

  it('cites a committed table for every lesson, and every quoted number is in it', () => {
    expect(MEASURED_LESSONS.length).toBeGreaterThanOrEqual(3);
    for (const lesson of MEASURED_LESSONS) {
      const docs = citedDocs(lesson.source);
      expect(docs.length, lesson.title).toBeGreaterThan(0);
      const text = docs.map(read).join('\n');
      const numbers = quotedNumbers(lesson.text);
      expect(numbers.length, lesson.title).toBeGreaterThan(0);
      for (const n of numbers) expect(text, `${lesson.title}: ${n}`).toContain(n);
    }
  });

  it('quotes only numbers that are in the committed tables, in the other lessons too', () => {
    for (const text of [
      ...MODE_LESSONS.map((m) => m.text),
      LEARNING_RATE_LESSON.text,
      CONSERVATION_LESSON.text,
    ]) {
      const docs = citedDocs(text);
      const all = docs.map(read).join('\n');
      for (const n of quotedNumbers(text)) expect(all, n).toContain(n);
    }
  });

  it('backs every quadrant plan it has evidence for with the cited tables', () => {
    for (const [model, byQuadrant] of Object.entries(QUADRANT_EVIDENCE))
      for (const [q, text] of Object.entries(byQuadrant)) {
        const docs = citedDocs(text);
        expect(docs.length, `${model} ${q}`).toBeGreaterThan(0);
        const all = docs.map(read).join('\n');
        for (const n of quotedNumbers(text)) expect(all, `${model} ${q}: ${n}`).toContain(n);
      }
  });

  it("quotes the teaching CNN's tables only from sections the studio's own engine generated", () => {
    const doc = read('docs/teaching-transfer.md');
    const sections = [...doc.matchAll(/<!-- section:([\w-]+) -->([\s\S]*?)<!-- \/section:\1 -->/g)];
    expect(sections.length).toBeGreaterThanOrEqual(2);
    for (const [, name, body] of sections) {
      expect(body, name).toMatch(/[Tt]rained by the studio's engine \(`trainWithPlan`/);
      expect(body, name).not.toMatch(/z-scored/);
    }
    // Every quoted number sits inside one of those sections, not in hand-written prose around them.
    const generated = sections.map((m) => m[2]).join('\n');
    const teaching = [
      ...MEASURED_LESSONS.filter((l) => l.source.includes('docs/teaching-transfer.md')).map(
        (l) => l.text,
      ),
      ...Object.values(QUADRANT_EVIDENCE['teaching-cnn'] ?? {}),
    ];
    expect(teaching.length).toBeGreaterThanOrEqual(2);
    for (const text of teaching)
      for (const n of quotedNumbers(text)) expect(generated, n).toContain(n);
  });

  it('finds quoted numbers and cited documents', () => {
    expect(quotedNumbers('costs −11.8 ± 2.5 pp, +2.7 ± 0.9 pp; 82.9% vs 80.1%')).toEqual([
      '−11.8 ± 2.5',
      '+2.7 ± 0.9',
      '82.9%',
      '80.1%',
    ]);
    expect(citedDocs('(docs/teaching-transfer.md, K = 10; docs/a-b.md)')).toEqual([
      'docs/teaching-transfer.md',
      'docs/a-b.md',
    ]);
  });
});
