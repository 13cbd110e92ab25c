// Paired statistics of the evaluation (issue 10): hand-made cases with known answers, the bootstrap's
// determinism and coverage, validation.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { pairedStats } from "../src/eval/paired.js";
import { Rng } from "../src/rng.js";

test("a constant difference: mean, median and the whole interval equal it; shares by the margin", () => {
  const b = [5, -3, 10, 0, 7];
  const p = pairedStats(b.map((v) => v - 2), b);
  assert.is(p.n, 5);
  assert.ok(Math.abs(p.meanDiff + 2) < 1e-12);
  assert.ok(Math.abs(p.medianDiff + 2) < 1e-12);
  assert.ok(Math.abs(p.ci95[0] + 2) < 1e-12 && Math.abs(p.ci95[1] + 2) < 1e-12, `${p.ci95}`);
  assert.is(p.betterShare, 1);
  assert.is(p.worseShare, 0);
  // the margin is strict: a difference of exactly 2 is not "worse by more than 2"
  assert.is(pairedStats(b.map((v) => v + 2), b, { margin: 2 }).worseShare, 0);
  assert.is(pairedStats(b.map((v) => v + 2), b, { margin: 1.5 }).worseShare, 1);
});

test("a hand-made mix: mean, median and shares; same data and seed give the same interval", () => {
  const d = [-10, -4, 0.5, 3, -1, 2, -0.2];
  const p = pairedStats(d, d.map(() => 0));
  assert.ok(Math.abs(p.meanDiff - d.reduce((a, x) => a + x, 0) / d.length) < 1e-12);
  assert.is(p.medianDiff, -0.2);
  assert.is(p.worseShare, 2 / 7); // 3, 2
  assert.is(p.betterShare, 2 / 7); // -10, -4
  assert.ok(p.ci95[0] < p.meanDiff && p.meanDiff < p.ci95[1]);
  assert.ok(p.ci95[0] >= -10 && p.ci95[1] <= 3);
  assert.equal(pairedStats(d, d.map(() => 0)).ci95, p.ci95);
  assert.is.not(pairedStats(d, d.map(() => 0), { seed: 99 }).ci95[0], p.ci95[0]);
});

test("bootstrap interval of a normal sample: centred on the mean, width ~ 2 * 1.96 sd / sqrt(n)", () => {
  const rng = new Rng(4);
  const n = 400;
  const d = Array.from({ length: n }, () => 3 + 2 * rng.normal());
  const p = pairedStats(d, d.map(() => 0));
  const mean = d.reduce((a, x) => a + x, 0) / n;
  const sd = Math.sqrt(d.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  const width = p.ci95[1] - p.ci95[0], expected = (2 * 1.96 * sd) / Math.sqrt(n);
  assert.ok(Math.abs(width / expected - 1) < 0.12, `width ${width} vs ${expected}`);
  assert.ok(Math.abs((p.ci95[0] + p.ci95[1]) / 2 - mean) < 0.1 * width);
  // coverage over repeated samples of a known mean: about 95% of the intervals contain it
  let covered = 0;
  for (let r = 0; r < 200; r++) {
    const x = Array.from({ length: 40 }, () => 1 + rng.normal());
    const q = pairedStats(x, x.map(() => 0), { resamples: 500, seed: r });
    if (q.ci95[0] <= 1 && 1 <= q.ci95[1]) covered++;
  }
  assert.ok(covered >= 176 && covered <= 198, `${covered} of 200 intervals cover the mean`);
});

test("validation names the argument; empty input gives NaN, not an error", () => {
  assert.throws(() => pairedStats([1, 2], [1]), /a has 2 costs, b has 1/);
  assert.throws(() => pairedStats([1], [1], { margin: -1 }), /margin: got -1/);
  assert.throws(() => pairedStats([1], [1], { resamples: 0 }), /resamples: got 0/);
  const e = pairedStats([], []);
  assert.is(e.n, 0);
  assert.ok(Number.isNaN(e.meanDiff));
});

test.run();
