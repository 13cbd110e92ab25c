// Regularisation jumps (options.muJump, docs/convergence.md "Regularisation jumps"): after a failed
// backward pass, mu goes straight to what the failing node's Quu~ needs, then bisects between the last
// failure and the first success. Checked: the positive-definiteness test against ml-matrix eigenvalues,
// the search against a mock pass with a known threshold, and whole solves: the same iterates as the
// one-step search with fewer backward passes, WASM == TS reference.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { Engine } from "../src/wasm/engine.js";
import { Solver } from "../src/to/solver.js";
import { SYSTEMS } from "../src/systems/specs.js";
import type { SystemName } from "../src/systems/layout.js";
import { RefSolver } from "../src/ref/solver.js";
import { refModel } from "../src/ref/index.js";
import { Rng } from "../src/rng.js";
import { sampleStarts } from "../src/systems/sampling.js";
import { mulberry32 } from "./helpers/fd.js";

const engine = await Engine.create();

// the private parts of the reference solver these tests drive
interface RefInternals {
  o: { muMin: number; muMax: number; muFactor: number; muJump: boolean; vxxReg: boolean };
  Quu: Float64Array;
  BT: Float64Array;
  failNode: number;
  pdAtFail(mu: number): boolean;
  passUp(mu: number, exact: boolean): number;
  backward(mu: number, exact: boolean): boolean;
}

const lambdaMin = (S: number[][]) => Math.min(...new EigenvalueDecomposition(new Matrix(S)).realEigenvalues);

test("pdAtFail: Quu + mu I (reg quu) and Quu + mu B^T B (reg vxx) positive definite exactly when ml-matrix's smallest eigenvalue is > 0", () => {
  const rnd = mulberry32(11);
  for (const reg of ["quu", "vxx"] as const) {
    const solver = new RefSolver(refModel("manipulator"), 10);
    // resolve the options as a solve does (one iteration), then overwrite the failed node's blocks
    solver.solve([0.3, -0.2, 0.1, 0, 0, 0], 10, new Float64Array(30), null, { maxIter: 1, reg });
    const r = solver as unknown as RefInternals;
    const nu = 3, nx = 6;
    let checked = 0;
    for (let trial = 0; trial < 200; trial++) {
      // symmetric, indefinite Quu; B^T rows of a random B
      const M = Array.from({ length: nu }, () => Array.from({ length: nu }, () => 4 * (rnd() - 0.5)));
      const Q = M.map((row, i) => row.map((_, j) => 0.5 * (M[i][j] + M[j][i])));
      for (let i = 0; i < nu; i++) for (let j = 0; j < nu; j++) r.Quu[i * nu + j] = Q[i][j];
      const B = Array.from({ length: nx }, () => Array.from({ length: nu }, () => 2 * (rnd() - 0.5)));
      for (let i = 0; i < nu; i++) for (let j = 0; j < nx; j++) r.BT[i * nx + j] = B[j][i];
      r.failNode = 0;
      const mu = 10 ** (4 * rnd() - 2);
      const R = reg === "quu"
        ? Q.map((row, i) => row.map((_, j) => (i === j ? 1 : 0)))
        : Q.map((row, i) => row.map((_, j) => B.reduce((s, b) => s + b[i] * b[j], 0)));
      const lam = lambdaMin(Q.map((row, i) => row.map((v, j) => v + mu * R[i][j])));
      if (Math.abs(lam) < 1e-9) continue; // rounding may decide either way
      assert.is(r.pdAtFail(mu), lam > 0, `${reg} trial ${trial}: lambda_min ${lam}`);
      checked++;
    }
    assert.ok(checked > 150, `${checked} cases`);
  }
});

test("passUp: the first value of mu's sequence at which the pass succeeds, in fewer passes than one step at a time", () => {
  const solver = new RefSolver(refModel("car"), 10);
  solver.solve([1, 0, 0, 0, 0], 10, new Float64Array(20), null, { maxIter: 1, muFactor: 2, muMin: 1e-9, muMax: 1e20 });
  const r = solver as unknown as RefInternals;
  // a mock pass: it succeeds from mu >= T on; its failing node claims positive definiteness from
  // mu >= claim on (claim below T: the node is not the only one in the way; above: the estimate overshoots)
  for (const [T, claim] of [[70, 70], [70, 1e-3], [70, 5e3], [1e-9, 1e-9], [3e-7, 1e-20], [0.5, 0.5]]) {
    for (const jump of [true, false]) {
      r.o.muJump = jump;
      let passes = 0;
      r.backward = (mu: number) => {
        passes++;
        r.failNode = mu >= T ? -1 : 0;
        return mu >= T;
      };
      r.pdAtFail = (mu: number) => mu >= claim;
      // the one-step search's answer, computed here: the sequence from 0
      let want = 0, oneStep = 1;
      while (want < T) {
        want = Math.max(1e-9, want * 2);
        oneStep++;
      }
      const got = r.passUp(0, false);
      assert.is(got, want, `T ${T} claim ${claim} jump ${jump}`);
      // doubling strides, then bisection: O(log) passes however wrong the failing node's estimate
      if (jump) assert.ok(passes <= 2 * Math.ceil(Math.log2(oneStep)) + 2, `T ${T} claim ${claim}: ${passes} passes vs ${oneStep}`);
      else assert.is(passes, oneStep);
    }
  }
  // past muMax: the first value above it, as the one-step search
  r.o.muJump = true;
  r.backward = () => { r.failNode = 0; return false; };
  r.pdAtFail = () => false;
  assert.ok(r.passUp(1, false) > 1e20);
});

test("options.muJump is validated", () => {
  const s = new Solver(engine, "car");
  assert.throws(() => s.solve({ x0: [1, 0, 0, 0, 0] }, { muJump: "yes" as never }), /options\.muJump: got "yes", expected a boolean/);
  assert.throws(() => new RefSolver(refModel("car"), 10).solve([1, 0, 0, 0, 0], 10, new Float64Array(20), null, { muJump: 0 as never }), /muJump 0: expected a boolean/);
});

// Where success is monotone in mu, the jumps and bisection land where the one-step search does: the same
// iterates, in fewer backward passes. The car's (10, 0) and seeded training starts of the three curved
// systems, with and without Box-DDP (a box failure steps one at a time); WASM == TS reference throughout.
test("muJump: the one-step search's iterates in fewer backward passes, WASM == TS reference", () => {
  // starts where rounding does not push the two implementations apart (most do, with or without jumps)
  const cases: [SystemName, number[] | number, boolean][] = [
    ["car", [10, 0, 0, 0, 0], false], ["car", 2, false], ["car", 4, false], ["car", 8, false],
    ["car_park", 0, false], ["car_park", 4, false], ["car_park", 9, false],
    ["manipulator", 3, false], ["manipulator", 4, false], ["manipulator", 7, false],
    ["car", 5, true], ["car_park", 1, true], ["manipulator", 2, true],
  ];
  let fewer = 0;
  for (const [name, which, box] of cases) {
    const spec = SYSTEMS[name];
    let x0: number[], N = spec.nsteps;
    if (Array.isArray(which)) x0 = which;
    else {
      const st = sampleStarts(spec, new Rng(777), 12)[which];
      x0 = Array.from(st.x0);
      N = spec.nsteps - st.k0;
    }
    const bounds = box ? { lower: spec.umax.map((u) => -u), upper: [...spec.umax] } : null;
    const out: Record<string, { iterations: number; cost: number; mu: number; passes: number }> = {};
    for (const muJump of [true, false]) {
      const w = new Solver(engine, name).solve({ x0, horizon: N }, { muJump, maxIter: 200, box });
      const q = new RefSolver(refModel(name), N).solve(x0, N, new Float64Array(N * spec.nu), null,
        { ...spec.solverDefaults, maxIter: 200, muJump, box: bounds });
      const tag = `${name} ${x0.map((v) => v.toFixed(3)).join(",")} box ${box} muJump ${muJump}`;
      assert.is(w.iterations, q.iterations, tag);
      assert.is(w.mu, q.mu, tag);
      assert.ok(Math.abs(w.cost - q.cost) <= 1e-9 * Math.max(1, Math.abs(q.cost)), `${tag}: ${w.cost} vs ${q.cost}`);
      assert.is(w.profile.backwardPasses, q.backwardPasses, tag);
      out[String(muJump)] = { iterations: w.iterations, cost: w.cost, mu: w.mu, passes: w.profile.backwardPasses };
    }
    const on = out.true, off = out.false;
    const tag = `${name} ${x0.map((v) => v.toFixed(3)).join(",")} box ${box}`;
    assert.is(on.iterations, off.iterations, tag);
    assert.ok(Math.abs(on.cost - off.cost) <= 1e-12 * Math.max(1, Math.abs(off.cost)), `${tag}: ${on.cost} vs ${off.cost}`);
    // with box the search is the one-step one (the box QP's warm start is the last published gains)
    if (box) assert.is(on.passes, off.passes, tag);
    else assert.ok(on.passes <= off.passes, `${tag}: ${on.passes} vs ${off.passes} passes`);
    if (on.passes < off.passes) fewer++;
  }
  assert.ok(fewer >= 8, `fewer passes in ${fewer} cases`);
});

test.run();
