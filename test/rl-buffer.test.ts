// Replay buffer: TD(n) returns with the spec's index convention, Monte-Carlo, FIFO eviction, seeded
// sampling, checkpoints; input normalisation.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ReplayBuffer, tdTargets } from "../src/rl/buffer.js";
import { normaliseStates, gradToState, invNorm } from "../src/rl/normalise.js";
import { Rng } from "../src/rng.js";
import { SYSTEMS } from "../src/systems/specs.js";

// episode of T = 5 (rows 0..5), nx = 2; state of row i = [10 e + i, -i]; costs are powers of two so
// every partial sum is unique
function episode(e: number, T: number): { X: number[]; c: number[]; Vx: number[] } {
  const X: number[] = [];
  const Vx: number[] = [];
  const c: number[] = [];
  for (let i = 0; i <= T; i++) {
    X.push(10 * e + i, -i);
    Vx.push(0.5 * i, e);
    c.push(2 ** i);
  }
  return { X, c, Vx };
}

test("TD(n): T = 5, n = 2 by hand: R_i = c_i + .. + c_L, L = min(i+n, T), bootstrap row L+1", () => {
  const buf = new ReplayBuffer(2, 64);
  const { X, c, Vx } = episode(0, 5);
  assert.is(buf.addEpisode(X, c, Vx, 3), 0);
  assert.is(buf.size, 6);
  const b = buf.gather(Int32Array.from([0, 1, 2, 3, 4, 5]), 2);
  // costs 1 2 4 8 16 32
  assert.equal(Array.from(b.R), [1 + 2 + 4, 2 + 4 + 8, 4 + 8 + 16, 8 + 16 + 32, 16 + 32, 32]);
  assert.equal(Array.from(b.done), [0, 0, 0, 1, 1, 1]);
  // bootstrap rows 3, 4, 5 for i = 0, 1, 2 (states [i, -i], k = 3 + i)
  assert.equal(Array.from(b.xBoot.subarray(0, 6)), [3, -3, 4, -4, 5, -5]);
  assert.equal(Array.from(b.kBoot.subarray(0, 3)), [6, 7, 8]);
  assert.equal(Array.from(b.k), [3, 4, 5, 6, 7, 8]);
  assert.equal(Array.from(b.x.subarray(2, 4)), [1, -1]);
  assert.equal(Array.from(b.vx.subarray(4, 6)), [1, 0]);
  // the next row's Vx (row i: [0.5 i, e]), zeros at the terminal row
  assert.equal(Array.from(b.vxNext), [0.5, 0, 1, 0, 1.5, 0, 2, 0, 2.5, 0, 0, 0]);
  assert.equal(Array.from(b.index), [0, 1, 2, 3, 4, 5]);
  assert.equal(Array.from(b.length), [5, 5, 5, 5, 5, 5]);
  // y = R + (1 - done) V'
  const y = tdTargets(b, [100, 200, 300, 400, 500, 600]);
  assert.equal(Array.from(y), [107, 214, 328, 56, 48, 32]);
  // n = 0: R_i = c_i, bootstrap from i+1
  const b0 = buf.gather(Int32Array.from([0, 4, 5]), 0);
  assert.equal(Array.from(b0.R), [1, 16, 32]);
  assert.equal(Array.from(b0.done), [0, 0, 1]);
  assert.equal(Array.from(b0.kBoot), [4, 8, 8]);
});

test("vxNext across the ring's wrap and a second episode: the next row of the same episode", () => {
  const buf = new ReplayBuffer(2, 8);
  for (let e = 0; e < 3; e++) {
    const { X, c, Vx } = episode(e, 3);
    buf.addEpisode(X, c, Vx, 0);
  }
  // capacity 8: episode 2 (rows 0..3) sits at positions 0..3, episode 1 at 4..7 (episode 0 evicted)
  const b = buf.gather(Int32Array.from([7, 2, 3, 6]), 1);
  assert.equal(Array.from(b.episode), [1, 2, 2, 1]);
  assert.equal(Array.from(b.vxNext), [0, 0, 1.5, 2, 0, 0, 1.5, 1]);
});

test("Monte-Carlo returns: suffix sums, all done (n = 'mc' and n >= T agree)", () => {
  const buf = new ReplayBuffer(2, 64);
  const { X, c, Vx } = episode(0, 5);
  buf.addEpisode(X, c, Vx, 0);
  const rows = Int32Array.from([0, 1, 2, 3, 4, 5]);
  const mc = buf.gather(rows, "mc");
  assert.equal(Array.from(mc.R), [63, 62, 60, 56, 48, 32]);
  assert.equal(Array.from(mc.done), [1, 1, 1, 1, 1, 1]);
  const big = buf.gather(rows, 5);
  assert.equal(Array.from(big.R), Array.from(mc.R));
  assert.equal(Array.from(big.done), Array.from(mc.done));
});

test("FIFO eviction: overwritten episode heads leave the surviving rows with valid returns", () => {
  const buf = new ReplayBuffer(2, 8);
  const A = episode(1, 5); // 6 rows -> positions 0..5
  const B = episode(2, 3); // 4 rows -> positions 6, 7, 0, 1 (overwrites A rows 0 and 1)
  buf.addEpisode(A.X, A.c, A.Vx, 0);
  buf.addEpisode(B.X, B.c, B.Vx, 10);
  assert.is(buf.size, 8);
  assert.is(buf.totalRows, 10);
  const all = buf.gather(Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), 2);
  assert.equal(Array.from(all.episode), [1, 1, 0, 0, 0, 0, 1, 1]);
  assert.equal(Array.from(all.index), [2, 3, 2, 3, 4, 5, 0, 1]);
  // A's surviving rows 2..5: same returns as in a fresh buffer
  assert.equal(Array.from(all.R.subarray(2, 6)), [28, 56, 48, 32]);
  assert.equal(Array.from(all.done.subarray(2, 6)), [0, 1, 1, 1]);
  assert.equal(Array.from(all.xBoot.subarray(4, 6)), [15, -5]); // A row 2 bootstraps from A row 5
  // B wraps around the end: row 0 (position 6) sums rows 0..2 and bootstraps from row 3 (position 1)
  assert.equal(Array.from(all.R.subarray(6, 8)), [1 + 2 + 4, 2 + 4 + 8]);
  assert.equal(Array.from(all.done.subarray(6, 8)), [0, 1]);
  assert.equal(Array.from(all.xBoot.subarray(12, 14)), [23, -3]);
  assert.equal(Array.from(all.kBoot.subarray(6, 8)), [13, 13]);
  // every stored row can be sampled and gathered (no invariant violation), repeatedly
  const rng = new Rng(3);
  for (let t = 0; t < 50; t++) buf.sample(8, rng, 2);
  // an episode longer than the capacity keeps its last rows, still valid
  const C = new ReplayBuffer(2, 4);
  const L = episode(3, 6);
  C.addEpisode(L.X, L.c, L.Vx, 0);
  const g = C.gather(Int32Array.from([0, 1, 2, 3]), 1);
  assert.equal(Array.from(g.index), [4, 5, 6, 3]);
  assert.equal(Array.from(g.R), [16 + 32, 32 + 64, 64, 8 + 16]);
  assert.equal(Array.from(g.done), [0, 1, 1, 0]);
});

test("sampling is seeded, distinct without replacement, and checkpoints round-trip", () => {
  const buf = new ReplayBuffer(2, 50);
  for (let e = 0; e < 12; e++) {
    const E = episode(e, 3 + (e % 4));
    buf.addEpisode(E.X, E.c, E.Vx, e);
  }
  assert.is(buf.size, 50);
  const r1 = buf.sampleRows(20, new Rng(5));
  const r2 = buf.sampleRows(20, new Rng(5));
  assert.equal(Array.from(r1), Array.from(r2));
  assert.is(new Set(r1).size, 20);
  const r3 = buf.sampleRows(40, new Rng(6)); // Fisher-Yates branch
  assert.is(new Set(r3).size, 40);
  assert.ok(Array.from(r3).every((r) => r >= 0 && r < 50));
  assert.throws(() => buf.sampleRows(51, new Rng(1)), /without replacement/);
  assert.is(buf.sampleRows(80, new Rng(1), true).length, 80);

  const copy = ReplayBuffer.deserialize(JSON.parse(JSON.stringify(buf.serialize())));
  assert.is(copy.size, buf.size);
  const a = buf.sample(16, new Rng(9), 2);
  const b = copy.sample(16, new Rng(9), 2);
  assert.equal(a, b);
  // both continue identically after the restore
  const E = episode(99, 4);
  buf.addEpisode(E.X, E.c, E.Vx, 0);
  copy.addEpisode(E.X, E.c, E.Vx, 0);
  assert.equal(buf.sample(30, new Rng(2), "mc"), copy.sample(30, new Rng(2), "mc"));
});

test("bad input is rejected", () => {
  const buf = new ReplayBuffer(2, 8);
  assert.throws(() => buf.addEpisode([1, 2, 3], [1, 2], null, 0), /X has 3 values/);
  assert.throws(() => buf.addEpisode([1, 2], [NaN], null, 0), /cost 0/);
  assert.throws(() => buf.sampleRows(1, new Rng(1)), /empty/);
  buf.addEpisode([1, 2, 3, 4], [1, 2], null, 0);
  assert.throws(() => buf.gather(Int32Array.from([2]), 1), /outside/);
  assert.throws(() => buf.gather(Int32Array.from([0]), -1), /nstep/);
});

test("normalisation: x / norm, 2k/nsteps - 1, and the chain factor back to state units", () => {
  const spec = SYSTEMS.double_integrator; // norm 15 15 6 6, nsteps 200, dt 0.05
  const X = Float64Array.from([15, -7.5, 3, 0, 0, 0, -6, 6]);
  const s = normaliseStates(spec, X, [0, 150]);
  const expect = [1, -0.5, 0.5, 0, -1, 0, 0, -1, 1, 0.5];
  expect.forEach((v, i) => assert.ok(Math.abs(s[i] - v) < 1e-7, `s[${i}] = ${s[i]}, expected ${v}`));
  assert.equal(Array.from(normaliseStates(spec, X, 100)).filter((_, i) => i % 5 === 4), [0, 0]);
  assert.equal(Array.from(invNorm(spec)), [1 / 15, 1 / 15, 1 / 6, 1 / 6]);
  const dVdt = new Float64Array(1);
  const g = gradToState(spec, [1.5, 3, 6, 12, 5], undefined, dVdt);
  assert.equal(Array.from(g), [0.1, 0.2, 1, 2]);
  assert.ok(Math.abs(dVdt[0] - 5 * 2 / 10) < 1e-12);
  assert.throws(() => normaliseStates(spec, [1, 2, 3], 0), /multiple of nx/);
});

test.run();
