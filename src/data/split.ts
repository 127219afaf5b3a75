/** Seeded, stratified train/validation split. Pure. */

/** mulberry32: a small, fast, seedable PRNG (Tommy Ettinger, public domain). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle in place with the given random source. */
export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

export interface Split {
  train: number[];
  validation: number[];
  /** Held out for the final report only. */
  test: number[];
}

/**
 * Splits sample indices so every class keeps its share in every part: per class,
 * round(n·fraction) validation samples (at least one when the class has two or more),
 * round(n·testFraction) test samples (at least one when it has three or more), and at
 * least one left for training. Same labels + seed → same split.
 */
export function stratifiedSplit(
  labels: readonly number[],
  fraction: number,
  seed: number,
  testFraction = 0,
): Split {
  const byClass = new Map<number, number[]>();
  labels.forEach((label, index) => {
    const list = byClass.get(label) ?? [];
    list.push(index);
    byClass.set(label, list);
  });
  const random = mulberry32(seed);
  const train: number[] = [];
  const validation: number[] = [];
  const test: number[] = [];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const indices = shuffleInPlace([...(byClass.get(label) ?? [])], random);
    const n = indices.length;
    const nVal = n < 2 ? 0 : Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
    const nTest =
      testFraction <= 0 || n < 3
        ? 0
        : Math.min(n - 1 - nVal, Math.max(1, Math.round(n * testFraction)));
    validation.push(...indices.slice(0, nVal));
    test.push(...indices.slice(nVal, nVal + nTest));
    train.push(...indices.slice(nVal + nTest));
  }
  const sorted = (xs: number[]) => xs.sort((a, b) => a - b);
  return { train: sorted(train), validation: sorted(validation), test: sorted(test) };
}
