/**
 * One place that decides when to report: at most once per `intervalMs`, with an
 * injectable clock for tests (after tfjs-layers' `base_callbacks.ts`).
 */
export interface Throttle {
  /** True when `intervalMs` has passed since the last time it said true (the first call says true). */
  due: () => boolean;
}

export function throttle(
  intervalMs: number,
  now: () => number = () => performance.now(),
): Throttle {
  let last = -Infinity;
  return {
    due: () => {
      const t = now();
      if (t - last < intervalMs) return false;
      last = t;
      return true;
    },
  };
}
