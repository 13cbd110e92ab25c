// The WASM solver: layout mirrors, agreement with the TS reference, LQR exactness against an
// independent Riccati recursion (ml-matrix), FDDP, Box-DDP, statuses, batches, bad input, memory.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { Matrix, solve as mlSolve } from "ml-matrix";
import { Engine } from "../src/wasm/engine.js";
import { Solver } from "../src/to/solver.js";
import { ModelEvaluator } from "../src/to/model.js";
import { H } from "../src/wasm/abi.js";
import { SYSTEMS, buildParams } from "../src/systems/specs.js";
import { P, SYSTEM_IDS, SYSTEM_NAMES } from "../src/systems/layout.js";
import { RefSolver } from "../src/ref/solver.js";
import { refModel } from "../src/ref/index.js";
import { nudged, relErr } from "./helpers/fd.js";

const engine = await Engine.create();

test("assembly/params.ts mirrors src/systems/layout.ts", () => {
  const src = readFileSync(new URL("../assembly/params.ts", import.meta.url), "utf8");
  const consts = new Map<string, number>();
  for (const m of src.matchAll(/export const (\w+): i32 = (\d+);/g)) consts.set(m[1], Number(m[2]));
  let checked = 0;
  for (const [k, v] of Object.entries(P)) {
    if (k.startsWith("MAX_") || k.endsWith("_MAX_BOX")) continue;
    const name = `P_${k}`;
    assert.ok(consts.has(name), `assembly/params.ts lacks ${name}`);
    assert.is(consts.get(name), v, name);
    checked++;
  }
  for (const [k, v] of Object.entries(SYSTEM_IDS)) {
    assert.is(consts.get(`SYS_${k.toUpperCase()}`), v, k);
  }
  assert.ok(checked > 30);
});

test("workspace header: 16-byte aligned arrays in slot order, params written", () => {
  const s = new Solver(engine, "car", { maxHorizon: 50 });
  const ws = (s as unknown as { ws: { ptr: number } }).ws;
  const hdr = engine.u32(ws.ptr, H.SIZE);
  assert.is(hdr[H.SYS], SYSTEM_IDS.car);
  assert.is(hdr[H.NX], 5);
  assert.is(hdr[H.NU], 2);
  assert.is(hdr[H.NMAX], 50);
  for (let slot = H.PARAMS; slot < H.SIZE; slot++) {
    assert.is(hdr[slot] % 16, 0, `slot ${slot} aligned`);
    if (slot > H.PARAMS) assert.ok(hdr[slot] > hdr[slot - 1], `slot ${slot} after ${slot - 1}`);
  }
  assert.equal(Array.from(engine.f64(hdr[H.PARAMS], P.N)), Array.from(buildParams(SYSTEMS.car)));
  // the last array ends inside the workspace
  assert.ok(hdr[H.SIZE - 1] < ws.ptr + engine.exports.wsBytes(5, 2, 50));
});

test("car from (10,0,0,0,0): converged, cost 45.4972 (the native reference's), WASM == TS reference", () => {
  const s = new Solver(engine, "car");
  const r = s.solve({ x0: [10, 0, 0, 0, 0] });
  assert.is(r.statusName, "converged");
  assert.ok(Math.abs(r.cost - 45.4972) < 1e-4, `cost ${r.cost}`);
  // the reference has no system defaults: it is given the car's
  const ref = new RefSolver(refModel("car"), 500).solve([10, 0, 0, 0, 0], 500, new Float64Array(1000), null, { ...SYSTEMS.car.solverDefaults });
  assert.is(ref.statusName, "converged");
  assert.ok(Math.abs(ref.cost - r.cost) < 1e-9 * r.cost, `${ref.cost} vs ${r.cost}`);
  assert.is(r.iterations, ref.iterations);
  // identical iterates until rounding differences appear
  for (let i = 0; i < 15; i++) assert.ok(Math.abs(r.costHistory[i] - ref.costHistory[i]) < 1e-10 * r.costHistory[i], `history ${i}`);
  assert.ok(relErr(r.U, ref.U) < 1e-6);
});

test("integrators: WASM and TS reference agree iterate for iterate (zeros, ICS, box)", () => {
  let chaotic = 0;
  for (const name of ["single_integrator", "double_integrator", "toy1d"] as const) {
    const spec = SYSTEMS[name];
    const s = new Solver(engine, name);
    const rs = new RefSolver(refModel(name), spec.nsteps);
    for (const x0 of spec.evalStates.slice(0, 4)) {
      for (const [warm, opts] of [["zeros", {}], ["ics", {}], ["zeros", { box: true }]] as const) {
        const r = s.solve({ x0, warmStart: warm }, opts);
        const N = spec.nsteps;
        let X0: Float64Array | null = null;
        if (warm === "ics") { X0 = new Float64Array((N + 1) * spec.nx); for (let k = 0; k <= N; k++) X0.set(x0, k * spec.nx); }
        const refOpts = "box" in opts ? { box: { lower: spec.umax.map((u) => -u), upper: spec.umax } } : {};
        const q = rs.solve(x0, N, new Float64Array(N * spec.nu), X0, refOpts);
        const tag = `${name} ${x0} ${warm} ${JSON.stringify(opts)}`;
        const agree = r.statusName === q.statusName && r.iterations === q.iterations
          && Math.abs(r.cost - q.cost) <= 1e-10 * Math.abs(q.cost) && relErr(r.Vx, q.Vx) < 1e-6 && relErr(r.K, q.K) < 1e-6;
        if (agree) continue;
        // otherwise the reference's own outcome must change when x0[0] moves by one part in 1e15
        // (rounding decides the path), and only the first iterations can agree (counted below)
        const x1 = nudged(x0);
        const X1 = X0 ? Float64Array.from(X0) : null;
        if (X1) X1[0] = x1[0];
        const q1 = rs.solve(x1, N, new Float64Array(N * spec.nu), X1, refOpts);
        assert.ok(q1.iterations !== q.iterations || q1.statusName !== q.statusName || Math.abs(q1.cost - q.cost) > 1e-10 * Math.abs(q.cost),
          `${tag}: WASM ${r.statusName} ${r.iterations} ${r.cost}, reference ${q.statusName} ${q.iterations} ${q.cost}, and the reference is not sensitive to rounding there`);
        chaotic++;
        const scale = Math.max(...q.costHistory.slice(0, 5).map(Math.abs));
        for (let i = 0; i < 5; i++) assert.ok(Math.abs(r.costHistory[i] - q.costHistory[i]) <= 1e-9 * scale, `${tag} history ${i}`);
      }
    }
  }
  // today: two, the double integrator's Box-DDP solves from (10, +-10) (200 iterations, unconverged)
  assert.ok(chaotic <= 2, `${chaotic} of 36 solves decided by rounding`);
});

/** independent finite-horizon affine LQR by Riccati recursion in ml-matrix */
function riccati(A: Matrix, B: Matrix, Q: Matrix, q: Matrix, R: Matrix, Qf: Matrix, qf: Matrix, x0: number[], N: number) {
  let Pm = Qf.clone(), p = qf.clone();
  const Ks: Matrix[] = [], ks: Matrix[] = [], Ps: Matrix[] = [Pm], ps: Matrix[] = [p];
  for (let k = N - 1; k >= 0; k--) {
    const BtP = B.transpose().mmul(Pm);
    const S = R.clone().add(BtP.mmul(B));
    const K = mlSolve(S, BtP.mmul(A)).mul(-1);
    const kff = mlSolve(S, B.transpose().mmul(p)).mul(-1);
    const AtP = A.transpose().mmul(Pm);
    const Pn = Q.clone().add(AtP.mmul(A)).add(AtP.mmul(B).mmul(K));
    const pn = q.clone().add(A.transpose().mmul(p)).add(AtP.mmul(B).mmul(kff));
    Pm = Pn.add(Pn.transpose()).mul(0.5); p = pn;
    Ks.unshift(K); ks.unshift(kff); Ps.unshift(Pm); ps.unshift(p);
  }
  const X: number[][] = [x0], U: number[][] = [];
  let x = Matrix.columnVector(x0);
  for (let k = 0; k < N; k++) {
    const u = Ks[k].mmul(x).add(ks[k]);
    U.push(u.to1DArray());
    x = A.mmul(x).add(B.mmul(u));
    X.push(x.to1DArray());
  }
  return { X, U, P0: Ps[0], p0: ps[0] };
}

test("LQR exactness: double integrator with a quadratic cost lands on the Riccati solution in one iteration", () => {
  const spec = SYSTEMS.double_integrator;
  const params = buildParams(spec);
  params[P.WPEAK] = 0; params[P.WOB] = 0; params[P.WB] = 0; params[P.WV] = 3;
  params[P.XD] = -7; params[P.YD] = 2;
  const s = new Solver(engine, "double_integrator", { params });
  const N = 60, dt = spec.dt, sc = params[P.S], wd = params[P.WD], wu = params[P.WU], wv = params[P.WV];
  const A = new Matrix([[1, 0, dt, 0], [0, 1, 0, dt], [0, 0, 1, 0], [0, 0, 0, 1]]);
  const B = new Matrix([[0, 0], [0, 0], [dt, 0], [0, dt]]);
  const Q = Matrix.diag([2 * sc * wd, 2 * sc * wd, 0, 0]);
  const q = Matrix.columnVector([-2 * sc * wd * -7, -2 * sc * wd * 2, 0, 0]);
  const R = Matrix.diag([2 * sc * wu, 2 * sc * wu]);
  const Qf = Matrix.diag([2 * sc * wd, 2 * sc * wd, 2 * sc * wv, 2 * sc * wv]);
  const x0 = [9, -4, 1, 2];
  const o = riccati(A, B, Q, q, R, Qf, q.clone(), x0, N);
  const one = s.solve({ x0, horizon: N }, { maxIter: 1, computeVxx: true });
  assert.is(one.iterations, 1);
  assert.ok(relErr(one.U, o.U.flat()) < 1e-9, `U rel err ${relErr(one.U, o.U.flat())}`);
  assert.ok(relErr(one.X, o.X.flat()) < 1e-9, "X");
  const full = s.solve({ x0, horizon: N }, { computeVxx: true });
  assert.is(full.statusName, "converged");
  assert.is(full.iterations, 2, "the second backward pass finds nothing left to gain");
  assert.ok(relErr(full.Vxx!.subarray(0, 16), o.P0.to1DArray()) < 1e-9, "Vxx_0 = P_0");
  const Vx0 = o.P0.mmul(Matrix.columnVector(x0)).add(o.p0).to1DArray();
  assert.ok(relErr(full.Vx.subarray(0, 4), Vx0) < 1e-9, "Vx_0 = P_0 x_0 + p_0");
  // the same with regularisation on Vxx
  const v = s.solve({ x0, horizon: N }, { reg: "vxx" });
  assert.ok(relErr(v.U, o.U.flat()) < 1e-9, "vxx regularisation");
});

test("a quadratic terminal model (replace and add) lands on the matching Riccati solution", () => {
  const spec = SYSTEMS.double_integrator;
  const params = buildParams(spec);
  params[P.WPEAK] = 0; params[P.WOB] = 0; params[P.WB] = 0; params[P.WV] = 3;
  const s = new Solver(engine, "double_integrator", { params });
  const N = 40, dt = spec.dt, sc = params[P.S], wd = params[P.WD], wu = params[P.WU], wv = params[P.WV];
  const A = new Matrix([[1, 0, dt, 0], [0, 1, 0, dt], [0, 0, 1, 0], [0, 0, 0, 1]]);
  const B = new Matrix([[0, 0], [0, 0], [dt, 0], [0, dt]]);
  const Q = Matrix.diag([2 * sc * wd, 2 * sc * wd, 0, 0]);
  const q = Matrix.columnVector([-2 * sc * wd * -7, 0, 0, 0]);
  const R = Matrix.diag([2 * sc * wu, 2 * sc * wu]);
  const Hm = [0.02, 0.005, 0, 0.001, 0.005, 0.03, 0.002, 0, 0, 0.002, 0.01, 0, 0.001, 0, 0, 0.015];
  const g = [0.1, -0.2, 0.05, 0], xref = [-3, 1, 0, 0.5];
  const Hmat = new Matrix([Hm.slice(0, 4), Hm.slice(4, 8), Hm.slice(8, 12), Hm.slice(12, 16)]);
  const qfModel = Matrix.columnVector(g).sub(Hmat.mmul(Matrix.columnVector(xref)));
  const x0 = [8, 3, -1, 0];
  const model = { value: 1.5, gradient: g, hessian: Hm, xref };
  const rep = s.solve({ x0, horizon: N }, { terminalModel: { mode: "replace", ...model } });
  const o1 = riccati(A, B, Q, q, R, Hmat, qfModel, x0, N);
  assert.is(rep.statusName, "converged");
  assert.ok(relErr(rep.U, o1.U.flat()) < 1e-9, `replace: ${relErr(rep.U, o1.U.flat())}`);
  const Qf = Matrix.diag([2 * sc * wd, 2 * sc * wd, 2 * sc * wv, 2 * sc * wv]);
  const add = s.solve({ x0, horizon: N }, { terminalModel: { mode: "add", ...model } });
  const o2 = riccati(A, B, Q, q, R, Qf.clone().add(Hmat), q.clone().add(qfModel), x0, N);
  assert.ok(relErr(add.U, o2.U.flat()) < 1e-9, `add: ${relErr(add.U, o2.U.flat())}`);
  // the terminal node's cost is the model's value at the final state
  const xN = Array.from(rep.X.subarray(4 * N));
  const d = xN.map((v, i) => v - xref[i]);
  let mv = 1.5;
  for (let i = 0; i < 4; i++) { mv += g[i] * d[i]; for (let j = 0; j < 4; j++) mv += 0.5 * d[i] * Hm[i * 4 + j] * d[j]; }
  assert.ok(Math.abs(rep.costs[N] - mv) < 1e-12 * (1 + Math.abs(mv)));
  // and the next solve without a model is unaffected
  const plain = s.solve({ x0, horizon: N });
  assert.ok(relErr(plain.U, riccati(A, B, Q, q, R, Qf, q.clone(), x0, N).U.flat()) < 1e-9);
  assert.throws(() => s.solve({ x0, horizon: N }, { terminalModel: { ...model, mode: "replace", hessian: [1, 2] } }), /options\.terminalModel\.hessian: got 2 values .*expected 16/);
  assert.throws(() => s.solve({ x0, horizon: N }, { terminalModel: { ...model, mode: "swap" as never } }), /options\.terminalModel\.mode: got "swap"/);
});

// Vx differs from the costate by terms of the order of the stationarity (K^T (Quu k + Qu) + Qux^T k).
// Gauss-Newton at (10, 0) with tol 1e-11 converges to max |dJ/du| ~ 4e-10 (with the default tol 1e-9
// it stops at 1e-7..1e-6, depending on the path) and is checked node by node; the car's
// default (hybrid) stops at ~1e-5 with tol 1e-9 (max |Vx - costate| 1.8e-4 of max |costate| 2.9) and
// is checked with tol 1e-14 (stationarity ~6e-9) against the largest costate entry.
for (const opts of [{ hessian: "gauss-newton", muFactor: 10, tol: 1e-11 }, { tol: 1e-14 }] as const) test(`Vx at a converged solution is the costate recursion l_x + A^T Vx' (${JSON.stringify(opts)})`, () => {
  const s = new Solver(engine, "car");
  const m = new ModelEvaluator(engine, "car");
  const r = s.solve({ x0: [10, 0, 0, 0, 0] }, opts);
  assert.is(r.statusName, "converged");
  const nodeWise = "hessian" in opts;
  const n = 5, N = r.horizon;
  const lam = Float64Array.from(m.terminalDiff(r.X.subarray(N * n)).lx);
  assert.ok(relErr(r.Vx.subarray(N * n), lam) < 1e-12);
  let worst = 0, scale = 0;
  for (let k = N - 1; k >= 0; k--) {
    const x = r.X.subarray(k * n, k * n + n), u = r.U.subarray(k * 2, k * 2 + 2);
    const { A } = m.stepDiff(x, u);
    const lx = m.runningDiff(x, u).lx;
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) { let t = lx[i]; for (let j = 0; j < n; j++) t += A[j * n + i] * lam[j]; next[i] = t; }
    lam.set(next);
    if (nodeWise) assert.ok(relErr(r.Vx.subarray(k * n, k * n + n), lam, 1e-3) < 1e-5, `node ${k}`);
    for (let i = 0; i < n; i++) { worst = Math.max(worst, Math.abs(r.Vx[k * n + i] - lam[i])); scale = Math.max(scale, Math.abs(lam[i])); }
  }
  assert.ok(worst < 1e-6 * scale, `max |Vx - costate| ${worst} of ${scale}`);
});

test("FDDP closes the gaps from the ICS warm start (all states = x0)", () => {
  for (const name of ["single_integrator", "car", "double_integrator"] as const) {
    const s = new Solver(engine, name);
    const r = s.solve({ x0: SYSTEMS[name].evalStates[1], warmStart: "ics" });
    assert.ok(r.feasible, name);
    assert.is(r.maxGap, 0, name);
    assert.is(r.statusName, "converged", name);
    // the returned trajectory is a true rollout of its controls
    const m = new ModelEvaluator(engine, name);
    const n = SYSTEMS[name].nx, nu = SYSTEMS[name].nu;
    for (let k = 0; k < r.horizon; k++) {
      const f = m.step(r.X.subarray(k * n, k * n + n), r.U.subarray(k * nu, k * nu + nu));
      assert.ok(relErr(f, r.X.subarray((k + 1) * n, (k + 2) * n)) < 1e-14, `${name} node ${k}`);
    }
  }
});

test("explicit infeasible state warm start is accepted and closed", () => {
  const s = new Solver(engine, "single_integrator");
  const N = 100;
  const X = new Float64Array((N + 1) * 2);
  for (let k = 0; k <= N; k++) { X[2 * k] = 10 - 17 * k / N; X[2 * k + 1] = 8 * Math.sin(Math.PI * k / N); }
  const r = s.solve({ x0: [10, 0], warmStart: { U: new Float64Array(2 * N), X } });
  assert.ok(r.feasible && r.maxGap === 0);
  assert.is(r.statusName, "converged");
});

test("Box-DDP keeps every control inside the box and converges", () => {
  const s = new Solver(engine, "single_integrator");
  const r = s.solve({ x0: [10, 0] }, { box: { lower: [-1.5, -1], upper: [1.5, 2] } });
  assert.is(r.statusName, "converged");
  let active = 0;
  for (let k = 0; k < r.horizon; k++) {
    assert.ok(r.U[2 * k] >= -1.5 && r.U[2 * k] <= 1.5 && r.U[2 * k + 1] >= -1 && r.U[2 * k + 1] <= 2);
    if (Math.abs(r.U[2 * k]) === 1.5) active++;
  }
  assert.ok(active > 10, `the box is active (${active} nodes)`);
  const c = new Solver(engine, "car").solve({ x0: [10, 0, 0, 0, 0], warmStart: "random", seed: 3 }, { box: true, maxIter: 300 });
  for (let i = 0; i < c.U.length; i++) assert.ok(Math.abs(c.U[i]) <= SYSTEMS.car.umax[i % 2]);
});

test("cost never increases across accepted iterations (feasible mode), every system and evaluation state", () => {
  for (const name of SYSTEM_NAMES) {
    const s = new Solver(engine, name);
    for (const x0 of SYSTEMS[name].evalStates.slice(0, 3)) {
      const r = s.solve({ x0 }, { maxIter: 60 });
      assert.ok(Number.isFinite(r.cost), `${name} ${x0}`);
      for (let i = 1; i < r.costHistory.length; i++) {
        assert.ok(r.costHistory[i] <= r.costHistory[i - 1], `${name} ${x0} step ${i}`);
      }
      assert.ok(r.cost <= r.costHistory[0]);
      assert.is(r.cost, r.costHistory[r.costHistory.length - 1]);
    }
  }
});

test("statuses: max-iterations, time-limit, non-finite (never a throw)", () => {
  const s = new Solver(engine, "car");
  assert.is(s.solve({ x0: [10, 0, 0, 0, 0] }, { maxIter: 3 }).statusName, "max-iterations");
  assert.is(s.solve({ x0: [10, 0, 0, 0, 0] }, { timeLimitMs: 1e-6 }).statusName, "time-limit");
  const si = new Solver(engine, "single_integrator");
  const bad = si.solve({ x0: [1e200, 0] });
  assert.is(bad.statusName, "non-finite");
  // the engine is still sound afterwards
  const good = si.solve({ x0: [10, 0] });
  assert.is(good.statusName, "converged");
  assert.is(good.cost, si.solve({ x0: [10, 0] }).cost);
});

test("solveBatch equals sequential solves, whatever the horizons", () => {
  const s = new Solver(engine, "double_integrator", { maxHorizon: 50 });
  const problems = SYSTEMS.double_integrator.evalStates.map((x0, i) => ({ x0, horizon: 20 + 30 * i, warmStart: i % 2 ? "ics" as const : "zeros" as const }));
  const batch = s.solveBatch(problems, { maxIter: 50 });
  const fresh = new Solver(engine, "double_integrator");
  problems.forEach((p, i) => {
    const r = fresh.solve(p, { maxIter: 50 });
    assert.is(batch[i].cost, r.cost);
    assert.equal(Array.from(batch[i].U), Array.from(r.U));
    assert.equal(Array.from(batch[i].Vx), Array.from(r.Vx));
  });
});

test("bad input: clear errors naming parameter, value and expectation; the engine survives", () => {
  assert.throws(() => new Solver(engine, "pendulum"), /system: got "pendulum", expected one of toy1d, single_integrator/);
  const s = new Solver(engine, "car");
  assert.throws(() => s.solve({ x0: [1, 2, 3] }), /problem\.x0: got 3 values .*expected 5/);
  assert.throws(() => s.solve({ x0: [1, 2, NaN, 0, 0] }), /problem\.x0\[2\]: got NaN, expected a finite number/);
  assert.throws(() => s.solve({ x0: [1, 2, 0, Infinity, 0] }), /problem\.x0\[3\]: got Infinity/);
  assert.throws(() => s.solve({ x0: [1, 0, 0, 0, 0], horizon: 0 }), /problem\.horizon: got 0, expected an integer in \[1,/);
  assert.throws(() => s.solve({ x0: [1, 0, 0, 0, 0], horizon: 2.5 }), /problem\.horizon: got 2\.5/);
  assert.throws(() => s.solve({ x0: [1, 0, 0, 0, 0], horizon: 3, warmStart: { U: [0, 0, 0, NaN, 0, 0] } }), /warmStart\.U\[3\]: got NaN/);
  assert.throws(() => s.solve({ x0: [1, 0, 0, 0, 0], horizon: 3, warmStart: { U: [0, 0] } }), /warmStart\.U: got 2 values .*expected 6/);
  assert.throws(() => s.solve({ x0: [1, 0, 0, 0, 0], warmStart: "clever" as never }), /warmStart: got "clever", expected "zeros", "ics", "random"/);
  // inside a batch the message names the problem's index
  const ok = { x0: [1, 0, 0, 0, 0], horizon: 3 };
  assert.throws(() => s.solveBatch([ok, { ...ok, warmStart: { U: [0, 0] } }]), /^problems\[1\]\.warmStart\.U: got 2 values/);
  assert.throws(() => s.solveBatch([ok, ok, { ...ok, warmStart: "random", seed: 1.5 }]), /^problems\[2\]\.seed: got 1\.5, expected an integer/);
  assert.throws(() => s.solveBatch([{ ...ok, warmStart: "best" as never }]), /^problems\[0\]\.warmStart: got "best"/);
  assert.throws(() => s.solve({ x0: [1, 0, 0, 0, 0] }, { maxIter: -1 }), /options\.maxIter: got -1/);
  assert.throws(() => s.solve({ x0: [1, 0, 0, 0, 0] }, { reg: "qux" as never }), /options\.reg: got "qux", expected "quu" or "vxx"/);
  assert.throws(() => s.solve({ x0: [1, 0, 0, 0, 0] }, { tol: NaN }), /options\.tol: got NaN/);
  assert.throws(() => s.solve({ x0: [1, 0, 0, 0, 0] }, { box: { lower: [1, 0], upper: [0, 0] } }), /options\.box: lower\[0\] = 1 exceeds upper\[0\] = 0/);
  assert.throws(() => s.solve({ x0: [1, 0, 0, 0, 0] }, { maxiter: 5 } as never), /options: unknown option "maxiter"/);
  // a misspelt problem key is rejected too, naming the problem
  assert.throws(() => s.solve({ x0: [1, 0, 0, 0, 0], horizn: 10 } as never), /problem: unknown key "horizn", expected one of x0, horizon/);
  assert.throws(() => s.solveBatch([{ x0: [1, 0, 0, 0, 0] }, { x0: [1, 0, 0, 0, 0], warm: "ics" } as never]), /problems\[1\]: unknown key "warm"/);
  assert.throws(() => s.solveBatch([{ x0: [1, 0, 0, 0, 0] }, { x0: [1] }]), /problems\[1\]\.x0: got 1 values/);
  const r = s.solve({ x0: [10, 0, 0, 0, 0] });
  assert.ok(Math.abs(r.cost - 45.4972) < 1e-4, "engine intact after the rejected calls");
});

test("10,000 consecutive solves do not grow memory", () => {
  const s = new Solver(engine, "toy1d");
  const before = engine.memoryBytes;
  for (let i = 0; i < 200; i++) s.solve({ x0: [-2 + 4 * (i % 97) / 97] });
  const g = (globalThis as { gc?: () => void }).gc;
  g?.();
  const heap0 = process.memoryUsage().heapUsed;
  let sum = 0;
  for (let i = 0; i < 10000; i++) sum += s.solve({ x0: [-2 + 4 * (i % 97) / 97] }).cost;
  g?.();
  const heap1 = process.memoryUsage().heapUsed;
  assert.ok(Number.isFinite(sum));
  assert.is(engine.memoryBytes, before, "WASM memory unchanged");
  assert.ok(heap1 - heap0 < 16 * 1024 * 1024, `JS heap grew by ${((heap1 - heap0) / 1048576).toFixed(1)} MB`);
});

test.run();
