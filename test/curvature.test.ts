// Exact DDP's dynamics curvature (assembly/models/curvature.ts) against central differences of the
// analytic Jacobians, and the exact-Hessian solve against Gauss-Newton on the car.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Engine } from "../src/wasm/engine.js";
import { Solver } from "../src/to/solver.js";
import { SYSTEMS, buildParams } from "../src/systems/specs.js";
import type { SystemName } from "../src/systems/layout.js";
import { mulberry32 } from "./helpers/fd.js";
import { RefSolver, type IterationInfo } from "../src/ref/solver.js";
import { refModel } from "../src/ref/index.js";
import { Rng } from "../src/rng.js";
import { sampleStarts } from "../src/systems/sampling.js";

const engine = await Engine.create();
const e = engine.exports;

for (const name of ["car", "car_park", "manipulator"] as SystemName[]) {
  test(`${name}: lam . f_xx and lam . f_ux equal central differences of lam^T A, lam^T B`, () => {
    const spec = SYSTEMS[name];
    const n = spec.nx, m = spec.nu;
    const p = engine.alloc(8 * 64), x = engine.alloc(8 * n), u = engine.alloc(8 * m), lam = engine.alloc(8 * n);
    const A = engine.alloc(8 * n * n), B = engine.alloc(8 * n * m);
    const Hxx = engine.alloc(8 * n * n), Huu = engine.alloc(8 * m * m), Hux = engine.alloc(8 * m * n);
    engine.f64(p, 64).set(buildParams(spec));
    const rnd = mulberry32(7);
    for (let trial = 0; trial < 20; trial++) {
      const xs = Float64Array.from(spec.sampleRanges, ([lo, hi]) => lo + (hi - lo) * rnd());
      if (name === "car_park") { xs[3] = 6 * (rnd() - 0.5); xs[4] = 0.8 * (rnd() - 0.5); }
      if (name === "manipulator") for (let i = 3; i < 6; i++) xs[i] = 4 * (rnd() - 0.5);
      const us = Float64Array.from(spec.umax, (v) => v * (2 * rnd() - 1));
      const ls = Float64Array.from({ length: n }, () => 10 * (2 * rnd() - 1));
      engine.f64(x, n).set(xs); engine.f64(u, m).set(us); engine.f64(lam, n).set(ls);
      assert.is(e.modelStepHess(spec.id, p, x, u, lam, Hxx, Huu, Hux), 1);
      const H = engine.f64(Hxx, n * n).slice(), HU = engine.f64(Hux, m * n).slice(), HUU = engine.f64(Huu, m * m).slice();
      // reference: d/dz_j of (A^T lam, B^T lam) by central differences over x and u
      const grad = (z: Float64Array, zu: Float64Array) => {
        engine.f64(x, n).set(z); engine.f64(u, m).set(zu);
        e.modelStepDiff(spec.id, p, x, u, A, B);
        const a = engine.f64(A, n * n), b = engine.f64(B, n * m);
        const gx = new Float64Array(n), gu = new Float64Array(m);
        for (let i = 0; i < n; i++) for (let r = 0; r < n; r++) gx[i] += ls[r] * a[r * n + i];
        for (let i = 0; i < m; i++) for (let r = 0; r < n; r++) gu[i] += ls[r] * b[r * m + i];
        return { gx, gu };
      };
      let scale = 1;
      for (const v of H) scale = Math.max(scale, Math.abs(v));
      for (let j = 0; j < n + m; j++) {
        const h = 1e-6 * (1 + Math.abs(j < n ? xs[j] : us[j - n]));
        const xp = xs.slice(), xm = xs.slice(), up = us.slice(), um = us.slice();
        if (j < n) { xp[j] += h; xm[j] -= h; } else { up[j - n] += h; um[j - n] -= h; }
        const P = grad(xp, up), M = grad(xm, um);
        for (let i = 0; i < n; i++) {
          const fd = (P.gx[i] - M.gx[i]) / (2 * h);
          const got = j < n ? H[i * n + j] : HU[(j - n) * n + i];
          assert.ok(Math.abs(got - fd) <= 1e-5 * scale, `${name} trial ${trial} d2/dz${j} row ${i}: ${got} vs ${fd}`);
        }
        for (let i = 0; i < m; i++) {
          const fd = (P.gu[i] - M.gu[i]) / (2 * h);
          const got = j < n ? HU[i * n + j] : HUU[i * m + (j - n)];
          assert.ok(Math.abs(got - fd) <= 1e-5 * scale, `${name} trial ${trial} d2/du${i}dz${j}: ${got} vs ${fd}`);
        }
      }
    }
  });
}

test("linear systems report no curvature; their exact and Gauss-Newton solves are bit-identical", () => {
  const s = new Solver(engine, "double_integrator");
  const a = s.solve({ x0: [10, 10, 0, 0] }, { hessian: "gauss-newton" });
  const b = s.solve({ x0: [10, 10, 0, 0] }, { hessian: "exact" });
  assert.is(a.cost, b.cost);
  assert.equal(Array.from(a.U), Array.from(b.U));
  assert.is(b.exactFrom, 0);
  assert.is(a.exactFrom, -1);
});

test("car (10, 10): exact DDP (muFactor 2) converges within 200 iterations, Gauss-Newton does not; stationarity reports it", () => {
  const s = new Solver(engine, "car");
  const gn = s.solve({ x0: [10, 10, 0, 0, 0] }, { maxIter: 200, hessian: "gauss-newton", muFactor: 10 });
  const ex = s.solve({ x0: [10, 10, 0, 0, 0] }, { maxIter: 200, hessian: "exact", muFactor: 2 });
  assert.is(gn.statusName, "max-iterations");
  assert.is(ex.statusName, "converged");
  // IPOPT's minimum there (issue 9): -490.4377
  assert.ok(Math.abs(ex.cost - -490.4377) < 1e-3, `exact cost ${ex.cost}`);
  assert.ok(ex.stationarity < 1e-2 && gn.stationarity > 10 * ex.stationarity, `stationarity ${ex.stationarity} vs ${gn.stationarity}`);
});

// IPOPT (CasADi multiple shooting, tol 1e-8) from zeros, T = 500 (issue 9)
const IPOPT_CAR: [number[], number][] = [
  [[2, 0], 34.4541], [[10, 0], 45.4972], [[10, -10], -490.4377], [[10, 10], -490.4377],
  [[-10, 10], -540.6218], [[-10, -10], -540.6218], [[12, 2], 49.4234], [[12, -2], 49.4234], [[15, 0], 57.9068],
];

test("car, the system's defaults (hybrid): all 9 evaluation states converge within 200 iterations at IPOPT's cost or lower", () => {
  const s = new Solver(engine, "car");
  for (const [p, ipopt] of IPOPT_CAR) {
    const r = s.solve({ x0: [p[0], p[1], 0, 0, 0] }, { maxIter: 200 });
    assert.is(r.statusName, "converged", `(${p}) ${r.statusName} after ${r.iterations}`);
    // IPOPT's costs are given to 4 decimals: within 1e-6 relative or lower, with that rounding
    assert.ok(r.cost <= ipopt + Math.max(1e-6 * Math.abs(ipopt), 5e-5), `(${p}) cost ${r.cost} vs IPOPT ${ipopt}`);
    assert.ok(r.exactSteps > 0 && r.exactFrom >= 0, `(${p}) exact steps ${r.exactSteps} from ${r.exactFrom}`);
    assert.ok(r.stationarity < 1e-2, `(${p}) stationarity ${r.stationarity}`);
  }
});

test("solverDefaults fill only the options a caller leaves unset", () => {
  const car = new Solver(engine, "car");
  const a = car.solve({ x0: [10, -10, 0, 0, 0] }, { maxIter: 40 });
  const b = car.solve({ x0: [10, -10, 0, 0, 0] }, { maxIter: 40, hessian: "hybrid", muFactor: 2, reg: "quu" });
  const c = car.solve({ x0: [10, -10, 0, 0, 0] }, { maxIter: 40, hessian: "gauss-newton" });
  assert.is(a.cost, b.cost);
  assert.equal(Array.from(a.U), Array.from(b.U));
  assert.is.not(a.cost, c.cost);
  assert.is(c.exactSteps, 0);
  // no defaults on a linear system: Gauss-Newton, muFactor 10
  const di = new Solver(engine, "double_integrator");
  const d = di.solve({ x0: [10, 10, 0, 0] });
  const e = di.solve({ x0: [10, 10, 0, 0] }, { hessian: "gauss-newton", muFactor: 10, reg: "quu" });
  assert.is(d.cost, e.cost);
  assert.is(d.iterations, e.iterations);
});

test("hybrid on a linear system: the exact pass is the Gauss-Newton pass, only the bookkeeping of two mu differs", () => {
  // from this start hybrid reaches the Gauss-Newton minimum in as many iterations (a pass that fails at mu = 0 leaves muE, muG
  // at 1e-9 where Gauss-Newton's mu falls back to 0: the paths differ slightly)
  const s = new Solver(engine, "single_integrator");
  const a = s.solve({ x0: [2, 0] }, { hessian: "gauss-newton" });
  const b = s.solve({ x0: [2, 0] }, { hessian: "hybrid" });
  assert.is(a.statusName, "converged");
  assert.is(b.iterations, a.iterations);
  assert.ok(Math.abs(b.cost - a.cost) <= 1e-12 * Math.abs(a.cost), `${b.cost} vs ${a.cost}`);
  let du = 0;
  for (let i = 0; i < a.U.length; i++) du = Math.max(du, Math.abs(a.U[i] - b.U[i]));
  assert.ok(du < 1e-4, `U differ by ${du}`);
  assert.ok(b.exactSteps > 0, `exact steps ${b.exactSteps}`);
  // with obstacle terms some passes fail: the two schedules then differ (and may end in other minima)
  const di = new Solver(engine, "double_integrator");
  const c = di.solve({ x0: [-8, 12, 1, -1] }, { hessian: "gauss-newton", maxIter: 500 });
  const d = di.solve({ x0: [-8, 12, 1, -1] }, { hessian: "hybrid", maxIter: 500 });
  assert.is(c.statusName, "converged");
  assert.is(d.statusName, "converged");
  assert.ok(d.exactSteps > 0 && d.exactSteps < d.costHistory.length - 1, `exact steps ${d.exactSteps} of ${d.costHistory.length - 1}`);
});

test("options.hessian, gradTol, alphaMax, goodStepMuDrops and hybridSplit are validated", () => {
  const s = new Solver(engine, "car");
  assert.throws(() => s.solve({ x0: [1, 0, 0, 0, 0] }, { hessian: "newton" as never }), /options\.hessian: got "newton"/);
  assert.throws(() => s.solve({ x0: [1, 0, 0, 0, 0] }, { gradTol: -1 }), /options\.gradTol/);
  assert.throws(() => s.solve({ x0: [1, 0, 0, 0, 0] }, { alphaMax: 0.5 }), /options\.alphaMax: got 0\.5, expected a finite number in \[1, /);
  assert.throws(() => s.solve({ x0: [1, 0, 0, 0, 0] }, { alphaMax: NaN }), /options\.alphaMax: got NaN/);
  assert.throws(() => s.solve({ x0: [1, 0, 0, 0, 0] }, { goodStepMuDrops: 0 }), /options\.goodStepMuDrops: got 0/);
  assert.throws(() => s.solve({ x0: [1, 0, 0, 0, 0] }, { goodStepMuDrops: 1.5 }), /options\.goodStepMuDrops: got 1\.5/);
  assert.throws(() => s.solve({ x0: [1, 0, 0, 0, 0] }, { hybridSplit: 1 as never }), /options\.hybridSplit: got 1, expected a boolean/);
});

// The very good steps (docs/convergence.md): steps above alpha = 1 are taken only after a full step
// that decreased the cost by >= 0.75 of the model's prediction, and only as far as the model predicts
// a further decrease; options alphaMax 1 and goodStepMuDrops 1 switch them off, in both solvers alike.
test("very good steps: the expanding line search and the faster mu drop, on and off, WASM == TS reference", () => {
  const s = new Solver(engine, "car");
  const r = new RefSolver(refModel("car"), 500);
  // (10, 0): a start whose 60 iterations rounding does not push apart in any of the four settings
  const x0 = [10, 0, 0, 0, 0], U0 = new Float64Array(1000);
  const dflt = SYSTEMS.car.solverDefaults!;
  for (const extra of [{}, { alphaMax: 1, goodStepMuDrops: 1 }, { alphaMax: 1 }, { goodStepMuDrops: 1 }] as const) {
    const info: IterationInfo[] = [];
    const q = r.solve(x0, 500, U0, null, { ...dflt, ...extra, maxIter: 60, onIteration: (f) => info.push(f) });
    const w = s.solve({ x0 }, { ...extra, maxIter: 60 });
    const tag = JSON.stringify(extra);
    assert.is(w.iterations, q.iterations, tag);
    assert.is(w.mu, q.mu, tag);
    assert.ok(Math.abs(w.cost - q.cost) <= 1e-9 * Math.abs(q.cost), `${tag}: ${w.cost} vs ${q.cost}`);
    const long = info.filter((f) => f.alpha > 1);
    const alphaMax = (extra as { alphaMax?: number }).alphaMax ?? 8;
    if (alphaMax === 1) assert.is(long.length, 0, tag);
    else assert.ok(long.length >= 3, `${tag}: ${long.length} expanded steps`);
    for (const f of long) {
      assert.ok([2, 4, 8].includes(f.alpha) && f.feasible, `${tag}: alpha ${f.alpha}`);
      // the model predicted the decrease from alpha / 2 to alpha
      assert.ok(f.dV1 + 1.5 * f.alpha * f.dV2 < 0, `${tag}: iteration ${f.iteration}`);
    }
    // mu after an accepted step: divided by muFactor once, or goodStepMuDrops times after a very good
    // one (seen on the next iteration with the same model; a failed pass there raises it again, so the
    // net drop is at most goodStepMuDrops, and exactly that when the next pass succeeds at once)
    const most = (extra as { goodStepMuDrops?: number }).goodStepMuDrops ?? 3;
    let fast = 0;
    for (let i = 0; i + 1 < info.length; i++) {
      const a = info[i], b = info[i + 1];
      if (a.alpha > 0 && a.exact === b.exact && a.mu > 0 && b.mu > 0 && b.mu < a.mu) {
        const drops = Math.round(Math.log(a.mu / b.mu) / Math.log(dflt.muFactor!));
        assert.ok(drops <= most, `${tag}: mu fell ${drops} times after iteration ${i}`);
        if (drops === most && most > 1) fast++;
      }
    }
    if (most > 1) assert.ok(fast >= 2, `${tag}: ${fast} fast drops`);
  }
});

// hybridSplit (docs/convergence.md, "Split passes"): a failed exact pass continues as Gauss-Newton at
// muG from the failing node. WASM == TS reference on the car's (10, 0) and on seeded training starts of
// the three curved systems, with and without Box-DDP (quu and vxx regularisation, the fused and the
// box code paths), chosen where rounding does not decide the path; split steps are counted alike.
test("hybridSplit: split passes, WASM == TS reference, counted in splitSteps", () => {
  const cases: [SystemName, number, boolean][] = [
    ["car", 5, false], ["car", 8, false], ["car", 9, true], ["car_park", 6, false], ["car_park", 3, true],
    ["manipulator", 10, false], ["manipulator", 4, true], ["manipulator", 7, true],
  ];
  const run = (name: SystemName, x0: number[], N: number, box: boolean, split: boolean, maxIter: number) => {
    const spec = SYSTEMS[name];
    const w = new Solver(engine, name).solve({ x0, horizon: N }, { hybridSplit: split, maxIter, box });
    const bounds = box ? { lower: spec.umax.map((u) => -u), upper: [...spec.umax] } : null;
    const q = new RefSolver(refModel(name), N).solve(x0, N, new Float64Array(N * spec.nu), null,
      { ...spec.solverDefaults, maxIter, hybridSplit: split, box: bounds });
    const tag = `${name} ${x0.map((v) => v.toFixed(3)).join(",")} box ${box} split ${split}`;
    assert.is(w.iterations, q.iterations, tag);
    assert.ok(Math.abs(w.cost - q.cost) <= 1e-9 * Math.max(1, Math.abs(q.cost)), `${tag}: ${w.cost} vs ${q.cost}`);
    assert.is(w.splitSteps, q.splitSteps, tag);
    return w;
  };
  // (10, 0): converged either way, in fewer iterations with split (35 -> 31 when this was written)
  const off = run("car", [10, 0, 0, 0, 0], 500, false, false, 200);
  const on = run("car", [10, 0, 0, 0, 0], 500, false, true, 200);
  assert.is(off.splitSteps, 0);
  assert.ok(on.splitSteps > 0, `${on.splitSteps} split steps`);
  assert.is(on.statusName, "converged");
  assert.ok(Math.abs(on.cost - 45.4972) < 1e-4, `${on.cost}`);
  let split = 0;
  for (const [name, i, box] of cases) {
    const spec = SYSTEMS[name];
    const st = sampleStarts(spec, new Rng(777), 12)[i];
    const w = run(name, Array.from(st.x0), spec.nsteps - st.k0, box, true, 60);
    split += w.splitSteps;
  }
  assert.ok(split >= 20, `${split} split steps over the cases`);
});

test.run();
