// The control-tracking running term 0.5 rho ||u_k - uRef_k||^2 (docs/algorithm.md, "Control-tracking
// running term"): off means bit-identical, WASM equals the TS reference with it on, it pulls the
// controls to uRef, the returned cost decomposes, its gradient enters the model, bad input is refused.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Engine } from "../src/wasm/engine.js";
import { Solver } from "../src/to/solver.js";
import { SolverPool } from "../src/to/pool.js";
import { SYSTEMS } from "../src/systems/specs.js";
import { RefSolver } from "../src/ref/solver.js";
import { refModel } from "../src/ref/index.js";
import { Rng } from "../src/rng.js";
import { relErr } from "./helpers/fd.js";

const engine = await Engine.create();

/** seeded reference controls inside half the soft bound */
function randomRef(name: keyof typeof SYSTEMS, seed: number, N = SYSTEMS[name].nsteps): Float64Array {
  const spec = SYSTEMS[name], rng = new Rng(seed);
  const U = new Float64Array(N * spec.nu);
  for (let k = 0; k < N; k++) for (let i = 0; i < spec.nu; i++) U[k * spec.nu + i] = rng.uniform(-0.5 * spec.umax[i], 0.5 * spec.umax[i]);
  return U;
}

function sqDist(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s;
}

test("trackWeight 0 (or absent) with a uRef is bit-identical to a solve without uRef", () => {
  for (const name of ["single_integrator", "car", "manipulator"] as const) {
    const spec = SYSTEMS[name];
    const s = new Solver(engine, name);
    const x0 = spec.evalStates[1];
    const uRef = randomRef(name, 3);
    // a tracked solve first, so stale uRef / rho in the workspace would show up
    s.solve({ x0, uRef }, { trackWeight: 5, maxIter: 20 });
    const plain = s.solve({ x0 }, { maxIter: 60 });
    for (const [problem, opts] of [[{ x0, uRef }, { maxIter: 60, trackWeight: 0 }], [{ x0, uRef }, { maxIter: 60 }]] as const) {
      const r = s.solve(problem, opts);
      assert.is(r.cost, plain.cost, name);
      assert.is(r.trackingCost, 0);
      assert.is(r.iterations, plain.iterations);
      assert.equal(Array.from(r.U), Array.from(plain.U), `${name} U`);
      assert.equal(Array.from(r.X), Array.from(plain.X), `${name} X`);
      assert.equal(Array.from(r.costs), Array.from(plain.costs), `${name} costs`);
      assert.equal(Array.from(r.K), Array.from(plain.K), `${name} K`);
      assert.equal(Array.from(r.Vx), Array.from(plain.Vx), `${name} Vx`);
    }
  }
});

test("tracking on: WASM equals the TS reference solver (cost, U, history) on three systems", () => {
  const cases = [
    ["single_integrator", 2.0, {}], ["double_integrator", 0.5, {}], ["car", 1.0, {}], ["double_integrator", 3.0, { box: true }],
  ] as const;
  for (const [name, rho, extra] of cases) {
    const spec = SYSTEMS[name], N = spec.nsteps;
    const s = new Solver(engine, name);
    const rs = new RefSolver(refModel(name), N);
    for (const x0 of spec.evalStates.slice(0, 2)) {
      const uRef = randomRef(name, 11);
      // tol 1e-12: a converged U is pinned down only to the stopping rule's resolution, and with the
      // default 1e-9 the car's flat directions leave ~3e-8 of its scale to rounding
      const tol = 1e-12;
      const r = s.solve({ x0, uRef }, { trackWeight: rho, maxIter: 100, tol, ...extra });
      const box = "box" in extra ? { lower: spec.umax.map((u) => -u), upper: spec.umax } : null;
      const q = rs.solve(x0, N, new Float64Array(N * spec.nu), null, { ...spec.solverDefaults, trackWeight: rho, uRef, maxIter: 100, tol, box });
      const tag = `${name} ${x0} rho ${rho} ${JSON.stringify(extra)}`;
      assert.is(r.statusName, q.statusName, tag);
      assert.is(r.iterations, q.iterations, tag);
      assert.ok(Math.abs(r.cost - q.cost) <= 1e-9 * Math.abs(q.cost), `${tag}: ${r.cost} vs ${q.cost}`);
      assert.ok(relErr(r.U, q.U) < 1e-9, `${tag} U ${relErr(r.U, q.U)}`);
      assert.ok(relErr(r.costs, q.costs) < 1e-9, `${tag} costs`);
      for (let i = 0; i < Math.min(10, q.costHistory.length); i++) {
        assert.ok(Math.abs(r.costHistory[i] - q.costHistory[i]) <= 1e-10 * Math.abs(q.costHistory[i]), `${tag} history ${i}`);
      }
      // the term changes the answer (so the comparison above is not the untracked one)
      const plain = s.solve({ x0 }, { maxIter: 100, ...extra });
      assert.ok(relErr(r.U, plain.U) > 1e-3, `${tag}: tracking had no effect`);
    }
  }
});

test("the pull: distance to uRef falls as rho grows, and a large rho reaches uRef (warm start uRef)", () => {
  // warm-started at uRef as the coupled trainer does: from zeros the car with rho = 100 settles in a
  // worse local minimum (cost 758 vs 47), which says nothing about the term
  for (const name of ["single_integrator", "car"] as const) {
    const spec = SYSTEMS[name];
    const s = new Solver(engine, name);
    const uRef = randomRef(name, 5);
    const x0 = spec.evalStates[0];
    let prev = Infinity;
    const dists: number[] = [];
    for (const rho of [0, 0.01, 0.1, 1, 10, 100, 1e4]) {
      const r = s.solve({ x0, uRef, warmStart: { U: uRef } }, { trackWeight: rho, maxIter: 300 });
      assert.is(r.statusName, "converged", `${name} rho ${rho}`);
      const d = Math.sqrt(sqDist(r.U, uRef) / uRef.length);
      dists.push(d);
      assert.ok(d < prev, `${name}: rms distance ${d} at rho ${rho} not below ${prev} (${dists})`);
      prev = d;
    }
    const umax = Math.max(...spec.umax);
    assert.ok(dists[dists.length - 1] < 1e-2 * umax, `${name}: rho 1e4 leaves rms ${dists[dists.length - 1]} (${dists})`);
  }
});

test("the returned cost = task cost of the same U (maxIter-0 solve) + 0.5 rho sum ||u - uRef||^2", () => {
  for (const name of ["double_integrator", "manipulator"] as const) {
    const spec = SYSTEMS[name];
    const s = new Solver(engine, name);
    const uRef = randomRef(name, 8);
    const rho = 0.7;
    const r = s.solve({ x0: spec.evalStates[2], uRef }, { trackWeight: rho, maxIter: 50 });
    const task = s.solve({ x0: spec.evalStates[2], warmStart: { U: r.U } }, { maxIter: 0 });
    const hand = 0.5 * rho * sqDist(r.U, uRef);
    assert.ok(hand > 1e-3, `${name}: tracking residual ${hand} too small to test`);
    assert.ok(Math.abs(r.trackingCost - hand) <= 1e-12 * hand, `${name}: trackingCost ${r.trackingCost} vs ${hand}`);
    assert.ok(Math.abs(r.cost - (task.cost + hand)) <= 1e-10 * Math.abs(r.cost), `${name}: ${r.cost} vs ${task.cost} + ${hand}`);
    // the per-node costs carry the term node by node
    for (let k = 0; k < spec.nsteps; k += 17) {
      let dk = 0;
      for (let i = 0; i < spec.nu; i++) dk += (r.U[k * spec.nu + i] - uRef[k * spec.nu + i]) ** 2;
      assert.ok(Math.abs(r.costs[k] - (task.costs[k] + 0.5 * rho * dk)) <= 1e-10 * (1 + Math.abs(r.costs[k])), `${name} node ${k}`);
    }
  }
});

test("gradient check: the linear-rollout slope d1 equals dJ/dalpha by central differences, tracking on", () => {
  // with an infeasible (ICS) start d1 = sum lx.xi + lu.nu + lx_N.xi_N is exactly dJ(alpha)/dalpha at 0,
  // so a wrong l_u (or a tracking term missing from the forward costs) shows up here
  for (const name of ["double_integrator", "car"] as const) {
    const spec = SYSTEMS[name], N = 40, nx = spec.nx, nu = spec.nu;
    const rs = new RefSolver(refModel(name), N);
    const x0 = spec.evalStates[1];
    const X0 = new Float64Array((N + 1) * nx);
    for (let k = 0; k <= N; k++) X0.set(x0, k * nx);
    const U0 = randomRef(name, 21, N);
    const uRef = randomRef(name, 22, N);
    const h = 1e-5;
    const p = rs.probe(x0, N, U0, X0, { trackWeight: 3, uRef, muInit: 1 }, [h, -h]);
    assert.ok(p.backwardOk && !p.feasible);
    const fd = (p.trialCosts[0] - p.trialCosts[1]) / (2 * h);
    assert.ok(Math.abs(fd - p.d1) <= 1e-5 * Math.abs(p.d1), `${name}: d1 ${p.d1} vs fd ${fd}`);
    // the term contributes: the untracked slope differs
    const q = rs.probe(x0, N, U0, X0, { muInit: 1 }, [h]);
    assert.ok(Math.abs(q.d1 - p.d1) > 1e-3 * Math.abs(p.d1), `${name}: tracking did not change d1`);
  }
});

test("bad tracking input gives errors naming the parameter, the value and what was expected", () => {
  const s = new Solver(engine, "single_integrator");
  const N = SYSTEMS.single_integrator.nsteps;
  const x0 = [1, 2];
  const good = new Float64Array(2 * N);
  assert.throws(() => s.solve({ x0, uRef: new Float64Array(2 * N - 1) }, { trackWeight: 1 }), /problem\.uRef: got 199 values .*expected 200/);
  const nan = good.slice(); nan[7] = NaN;
  assert.throws(() => s.solve({ x0, uRef: nan }, { trackWeight: 1 }), /problem\.uRef\[7\]: got NaN, expected a finite number/);
  assert.throws(() => s.solve({ x0, uRef: good }, { trackWeight: -1 }), /options\.trackWeight: got -1, expected a finite number in \[0/);
  assert.throws(() => s.solve({ x0, uRef: good }, { trackWeight: Infinity }), /options\.trackWeight: got Infinity/);
  assert.throws(() => s.solve({ x0 }, { trackWeight: 2 }), /problem\.uRef: got none, expected 200 finite numbers because options\.trackWeight = 2 > 0/);
  assert.throws(() => s.solveBatch([{ x0, uRef: good }, { x0 }], { trackWeight: 2 }), /problems\[1\]\.uRef: got none/);
  assert.throws(() => s.solve({ x0, uRef: "zeros" as unknown as number[] }, { trackWeight: 1 }), /problem\.uRef: got "zeros", expected an array of 200 finite numbers/);
  assert.throws(() => new RefSolver(refModel("single_integrator"), N).solve(x0, N, good, null, { trackWeight: 1 }), /uRef needs 200 entries/);
});

test("the worker pool passes uRef through: tracked batch equals sequential tracked solves bit for bit", async () => {
  const name = "double_integrator", spec = SYSTEMS[name];
  const problems = spec.evalStates.slice(0, 4).map((x0, i) => ({ x0, uRef: randomRef(name, 40 + i) }));
  const opts = { trackWeight: 0.3, maxIter: 60 };
  const seq = new Solver(engine, name).solveBatch(problems, opts);
  const pool = await SolverPool.create({ workers: 1 });
  try {
    const res = await pool.solveBatch(name, problems, opts, { chunk: 2 });
    res.forEach((r, i) => {
      assert.is(r.cost, seq[i].cost);
      assert.is(r.trackingCost, seq[i].trackingCost);
      assert.ok(r.trackingCost > 0);
      assert.equal(Array.from(r.U), Array.from(seq[i].U));
    });
    let msg = "";
    try { await pool.solveBatch(name, [{ x0: spec.evalStates[0] }], opts); } catch (e) { msg = (e as Error).message; }
    assert.match(msg, /problems\[0\]\.uRef: got none/);
  } finally {
    await pool.close();
  }
});

test.run();
