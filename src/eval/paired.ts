/**
 * Paired comparison of two warm starts on the same starts (issue 10): per start d_i = cost_a - cost_b
 * (e.g. TO from the actor minus TO from zeros; negative = a is better). Reported: the mean of d, its
 * 95% percentile-bootstrap interval (B resamples of the starts with replacement, from a seeded Rng so
 * the same data give the same interval), and the shares of starts where a is worse / better than b by
 * more than a margin (default 1 cost unit).
 */
import { Rng } from "../rng.js";

export interface PairedStats {
  n: number;
  meanDiff: number;
  medianDiff: number;
  /** 95% bootstrap interval of the mean difference */
  ci95: [number, number];
  /** share of starts with d > margin (a worse than b) */
  worseShare: number;
  /** share of starts with d < -margin (a better than b) */
  betterShare: number;
  margin: number;
  resamples: number;
}

export const BOOTSTRAP_RESAMPLES = 2000;
export const BOOTSTRAP_SEED = 20261202;

function quantileSorted(s: Float64Array | number[], q: number): number {
  // linear interpolation between order statistics (type 7)
  const h = (s.length - 1) * q, lo = Math.floor(h), hi = Math.ceil(h);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

/** paired statistics of a - b over the same starts; a and b must have equal, non-zero lengths */
export function pairedStats(
  a: readonly number[], b: readonly number[],
  opts: { margin?: number; resamples?: number; seed?: number } = {},
): PairedStats {
  if (!Array.isArray(a) || !Array.isArray(b)) throw new TypeError("pairedStats: a and b must be arrays of costs");
  if (a.length !== b.length) throw new RangeError(`pairedStats: a has ${a.length} costs, b has ${b.length}; expected the same starts`);
  const margin = opts.margin ?? 1;
  const B = opts.resamples ?? BOOTSTRAP_RESAMPLES;
  if (!(margin >= 0)) throw new RangeError(`pairedStats: margin: got ${margin}, expected a number >= 0`);
  if (!Number.isInteger(B) || B < 1) throw new RangeError(`pairedStats: resamples: got ${B}, expected an integer >= 1`);
  const n = a.length;
  if (n === 0) return { n: 0, meanDiff: NaN, medianDiff: NaN, ci95: [NaN, NaN], worseShare: NaN, betterShare: NaN, margin, resamples: B };
  const d = a.map((v, i) => v - b[i]);
  const mean = d.reduce((s, v) => s + v, 0) / n;
  const sorted = [...d].sort((x, y) => x - y);
  const rng = new Rng(opts.seed ?? BOOTSTRAP_SEED);
  const means = new Float64Array(B);
  for (let r = 0; r < B; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[rng.int(0, n - 1)];
    means[r] = s / n;
  }
  means.sort();
  return {
    n, meanDiff: mean, medianDiff: quantileSorted(sorted, 0.5),
    ci95: [quantileSorted(means, 0.025), quantileSorted(means, 0.975)],
    worseShare: d.filter((v) => v > margin).length / n,
    betterShare: d.filter((v) => v < -margin).length / n,
    margin, resamples: B,
  };
}
