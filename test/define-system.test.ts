// defineSystem (issue 13): a system written as symbolic expressions, compiled to WASM at run time and
// called by the engine through its model interface. Checked against the plain-TS interpretation of the
// same expressions (referenceModel), against central finite differences, and solved by the WASM and
// the TS reference solvers.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Engine } from "../src/wasm/engine.js";
import { Solver } from "../src/to/solver.js";
import { ModelEvaluator } from "../src/to/model.js";
import { RefSolver } from "../src/ref/solver.js";
import { createSolver } from "../src/index.js";
import { defineSystem, referenceModel, type SystemDefinition, type UserSystem } from "../src/systems/define.js";
import { sin, cos, square, softplus, sqrt, variable, evaluate, variables } from "../src/sym/index.js";
import * as costTerms from "../src/systems/cost-terms.js";
import { P } from "../src/systems/layout.js";
import { SYSTEMS } from "../src/systems/specs.js";
import { definedCar, definedManipulator } from "../src/systems/defined.js";
import { nudged } from "./helpers/fd.js";
import { Rng } from "../src/rng.js";

const dt = 0.05;
const pendulumDef: SystemDefinition = {
  name: "pendulum", nx: 2, nu: 1, dt, nsteps: 100,
  params: [9.81, 1, 1, 0.1], // g, l, m, damping
  dynamics: ([th, w], [tau], [g, l, m, b]) => [
    th.add(w.mul(dt)),
    w.add(tau.div(m.mul(l).mul(l)).sub(g.div(l).mul(sin(th))).sub(b.mul(w)).mul(dt)),
  ],
  running: ([th, w], [tau]) => square(cos(th).add(1)).add(square(w).mul(0.01)).add(square(tau).mul(0.001)).mul(dt),
  terminal: ([th, w]) => square(cos(th).add(1)).mul(10).add(square(w)),
  umax: [3], sampleRanges: [[-Math.PI, Math.PI], [-2, 2]],
};
const pendulum = defineSystem(pendulumDef);

// a car-like system with an obstacle term: nonlinear in state and control (u enters through sin)
const carDef: SystemDefinition = {
  name: "test-car", nx: 4, nu: 2, dt, nsteps: 60,
  dynamics: ([px, py, th, v], [w, a]) => [
    px.add(v.mul(cos(th)).mul(dt)), py.add(v.mul(sin(th.add(w.mul(0.1)))).mul(dt)), th.add(w.mul(dt)), v.add(a.mul(dt)),
  ],
  running: ([px, py, , v], [w, a]) =>
    square(px.sub(3)).add(square(py)).mul(0.1).add(softplus(square(px).add(square(py.sub(1))).neg().add(1).mul(20)))
      .add(square(w).add(square(a)).mul(0.01)).add(sqrt(square(v).add(0.1)).mul(0.001)),
  terminal: ([px, py, , v]) => square(px.sub(3)).add(square(py)).add(square(v)),
  umax: [2, 2], sampleRanges: [[-3, 3], [-3, 3], [-1, 1], [-1, 1]],
  solverDefaults: { hessian: "hybrid", muFactor: 2 },
};
const car = defineSystem(carDef);

// every reusable cost term on a point mass (the box obstacle, ellipse, valley, soft control bound)
const terms = defineSystem({
  name: "test-terms", nx: 4, nu: 2, dt, nsteps: 40,
  dynamics: ([px, py, vx, vy], [ax, ay]) => [px.add(vx.mul(dt)), py.add(vy.mul(dt)), vx.add(ax.mul(dt)), vy.add(ay.mul(dt))],
  running: ([px, py], u) => costTerms.targetDistance2(px, py, [1, 1]).sub(costTerms.valley(px, py, [1, 1], 2).mul(3))
    .add(costTerms.boxObstacle(px, py, { xc: 0.2, yc: -0.3, wx: 1.5, wy: 0.8 }, 4).mul(5))
    .add(costTerms.ellipseObstacle(px, py, { xc: -1, yc: 0.5, a: 1.2, b: 0.7 }, 3).mul(2)).add(costTerms.softControl(u, [2, 2], 0.5).mul(0.1)),
  terminal: ([px, py, vx, vy]) => costTerms.sumSquares([px.sub(1), py.sub(1), vx, vy]),
  umax: [2, 2], sampleRanges: [[-2, 2], [-2, 2], [-1, 1], [-1, 1]],
});

const engine = await Engine.create();

function randomPoint(rng: Rng, nx: number, nu: number) {
  return {
    x: Float64Array.from({ length: nx }, () => rng.uniform(-2, 2)),
    u: Float64Array.from({ length: nu }, () => rng.uniform(-2, 2)),
    lam: Float64Array.from({ length: nx }, () => rng.uniform(-3, 3)),
  };
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.is(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) {
    const scale = Math.max(1, Math.abs(a[i]), Math.abs(b[i]));
    if (!(Math.abs(a[i] - b[i]) <= tol * scale)) assert.unreachable(`${what}[${i}]: ${a[i]} vs ${b[i]} (tol ${tol})`);
  }
}

for (const sys of [pendulum, car, terms]) {
  test(`${sys.name}: the generated WASM model equals the interpreted expressions`, () => {
    const ev = new ModelEvaluator(engine, sys);
    const ref = referenceModel(sys);
    const { nx: n, nu: m } = sys;
    const rng = new Rng(11);
    const p = engine.alloc(8 * P.N), xp = engine.alloc(8 * n), up = engine.alloc(8 * m), lp = engine.alloc(8 * n);
    const Hp = [engine.alloc(8 * n * n), engine.alloc(8 * m * m), engine.alloc(8 * m * n)];
    engine.f64(p, P.N).set(ev.params);
    for (let t = 0; t < 10; t++) {
      const { x, u, lam } = randomPoint(rng, n, m);
      const f = new Float64Array(n); ref.step(f, x, u);
      close(ev.step(x, u), f, 1e-14, "f");
      const A = new Float64Array(n * n), B = new Float64Array(n * m); ref.stepDiff(A, B, x, u);
      const d = ev.stepDiff(x, u);
      close(d.A, A, 1e-14, "A"); close(d.B, B, 1e-14, "B");
      const lx = new Float64Array(n), lu = new Float64Array(m), lxx = new Float64Array(n * n), luu = new Float64Array(m * m), lux = new Float64Array(m * n);
      const l = ref.runningCostDiff(lx, lu, lxx, luu, lux, x, u);
      const r = ev.runningDiff(x, u);
      close([r.l, ...r.lx, ...r.lu, ...r.lxx, ...r.luu, ...r.lux], [l, ...lx, ...lu, ...lxx, ...luu, ...lux], 1e-13, "running");
      assert.is(ev.running(x, u), r.l);
      const tx = new Float64Array(n), txx = new Float64Array(n * n);
      const lN = ref.terminalCostDiff(tx, txx, x);
      const td = ev.terminalDiff(x);
      close([td.l, ...td.lx, ...td.lxx], [lN, ...tx, ...txx], 1e-13, "terminal");
      engine.f64(xp, n).set(x); engine.f64(up, m).set(u); engine.f64(lp, n).set(lam);
      const curved = engine.exports.modelStepHess(engine.modelId(sys), p, xp, up, lp, Hp[0], Hp[1], Hp[2]);
      assert.is(curved, sys.model.nonlinear ? 1 : 0, "stepHess reports curvature exactly for nonlinear dynamics");
      if (!curved) { assert.is(ref.stepHess, undefined); continue; }
      const Hxx = new Float64Array(n * n), Huu = new Float64Array(m * m), Hux = new Float64Array(m * n);
      assert.ok(ref.stepHess!(Hxx, Huu, Hux, x, u, lam));
      close(engine.f64(Hp[0], n * n), Hxx, 1e-13, "Hxx"); close(engine.f64(Hp[1], m * m), Huu, 1e-13, "Huu");
      close(engine.f64(Hp[2], m * n), Hux, 1e-13, "Hux");
    }
  });

  test(`${sys.name}: symbolic derivatives equal central finite differences`, () => {
    const ref = referenceModel(sys);
    const { nx: n, nu: m } = sys;
    const rng = new Rng(12);
    const h = 1e-6;
    for (let t = 0; t < 8; t++) {
      const { x, u, lam } = randomPoint(rng, n, m);
      const z = Float64Array.from([...x, ...u]);
      const split = (v: Float64Array) => [v.subarray(0, n), v.subarray(n)] as const;
      // f and l as functions of z = (x, u); lam^T A and lam^T B for the curvature
      const fOf = (zz: Float64Array) => { const [a, b] = split(zz); const o = new Float64Array(n); ref.step(o, a, b); return o; };
      const gOf = (zz: Float64Array) => {
        const [a, b] = split(zz); const A = new Float64Array(n * n), B = new Float64Array(n * m); ref.stepDiff(A, B, a, b);
        const g = new Float64Array(n + m);
        for (let r = 0; r < n; r++) { for (let j = 0; j < n; j++) g[j] += lam[r] * A[r * n + j]; for (let j = 0; j < m; j++) g[n + j] += lam[r] * B[r * m + j]; }
        return g;
      };
      const lOf = (zz: Float64Array) => { const [a, b] = split(zz); return ref.runningCost(a, b); };
      const lgOf = (zz: Float64Array) => {
        const [a, b] = split(zz); const lx = new Float64Array(n), lu = new Float64Array(m);
        ref.runningCostDiff(lx, lu, new Float64Array(n * n), new Float64Array(m * m), new Float64Array(m * n), a, b);
        return Float64Array.from([...lx, ...lu]);
      };
      const A = new Float64Array(n * n), B = new Float64Array(n * m); ref.stepDiff(A, B, x, u);
      const Hxx = new Float64Array(n * n), Huu = new Float64Array(m * m), Hux = new Float64Array(m * n);
      // linear dynamics: no curvature (the finite differences of lam^T f_z below must then be 0)
      if (ref.stepHess) ref.stepHess(Hxx, Huu, Hux, x, u, lam);
      const lx = new Float64Array(n), lu = new Float64Array(m), lxx = new Float64Array(n * n), luu = new Float64Array(m * m), lux = new Float64Array(m * n);
      ref.runningCostDiff(lx, lu, lxx, luu, lux, x, u);
      for (let j = 0; j < n + m; j++) {
        const zp = Float64Array.from(z), zm = Float64Array.from(z);
        zp[j] += h; zm[j] -= h;
        const df = fOf(zp).map((v, i) => (v - fOf(zm)[i]) / (2 * h));
        const dg = gOf(zp).map((v, i) => (v - gOf(zm)[i]) / (2 * h));
        const dlg = lgOf(zp).map((v, i) => (v - lgOf(zm)[i]) / (2 * h));
        const dl = (lOf(zp) - lOf(zm)) / (2 * h);
        for (let i = 0; i < n; i++) close([j < n ? A[i * n + j] : B[i * m + j - n]], [df[i]], 1e-6, `f_${j}[${i}]`);
        close([j < n ? lx[j] : lu[j - n]], [dl], 1e-6, `l_${j}`);
        for (let i = 0; i < n + m; i++) {
          // Hessian entry (i, j) of lam . f and of l, in the (x, u) blocks
          const hf = i < n ? (j < n ? Hxx[i * n + j] : Hux[(j - n) * n + i]) : (j < n ? Hux[(i - n) * n + j] : Huu[(i - n) * m + j - n]);
          const hl = i < n ? (j < n ? lxx[i * n + j] : lux[(j - n) * n + i]) : (j < n ? lux[(i - n) * n + j] : luu[(i - n) * m + j - n]);
          close([hf], [dg[i]], 1e-5, `(lam.f)_${i}${j}`);
          close([hl], [dlg[i]], 1e-5, `l_${i}${j}`);
        }
      }
    }
  });
}

test("the WASM solver and the TS reference solver take the same iterations on a user system", () => {
  const s = new Solver(engine, car);
  const ref = new RefSolver(referenceModel(car), car.nsteps);
  for (const x0 of [[0, 0, 0, 0], [-2, 2, 0.5, 0]]) {
    const opts = { ...car.solverDefaults, maxIter: 200 };
    const a = s.solve({ x0 }, opts);
    const b = ref.solve(x0, car.nsteps, new Float64Array(car.nsteps * 2), null, opts);
    assert.is(a.statusName, "converged");
    assert.is(a.statusName, b.statusName);
    assert.is(a.iterations, b.iterations);
    close([a.cost], [b.cost], 1e-10, "cost");
  }
});

test("createSolver takes a user system; one engine registers a model once; two systems coexist", async () => {
  const solver = await createSolver(pendulum);
  const r = solver.solve({ x0: [0.1, 0] }, { hessian: "exact", maxIter: 300 });
  assert.is(r.statusName, "converged");
  // swung up: theta near +-pi, at rest
  assert.ok(Math.abs(Math.abs(r.X[r.X.length - 2]) - Math.PI) < 0.15, `final angle ${r.X[r.X.length - 2]}`);
  const id = engine.modelId(pendulum);
  assert.ok(id >= 6, `user ids follow the six built-in ones, got ${id}`);
  assert.is(engine.modelId(pendulum), id);
  assert.is(await engine.loadModel(pendulum.model), id);
  assert.is.not(engine.modelId(car), id);
  // the built-in systems are unaffected by registered user models
  const builtin = new Solver(engine, "single_integrator").solve({ x0: [10, 0] });
  const fresh = new Solver(await Engine.create(), "single_integrator").solve({ x0: [10, 0] });
  assert.is(builtin.cost, fresh.cost);
});

test("the fingerprint identifies a definition by structure, in any order of creation, and changes with what shapes training", () => {
  const again = defineSystem(pendulumDef);
  assert.is(again.fingerprint, pendulum.fingerprint, "the same definition after others were built");
  assert.is.not(defineSystem({ ...pendulumDef, params: [9.81, 1, 1, 0.2] }).fingerprint, pendulum.fingerprint);
  assert.is.not(defineSystem({ ...pendulumDef, umax: [4] }).fingerprint, pendulum.fingerprint);
  assert.is.not(defineSystem({ ...pendulumDef, nsteps: 120 }).fingerprint, pendulum.fingerprint);
  assert.is.not(defineSystem({ ...pendulumDef, running: ([th, w], [tau]) => square(cos(th).add(1)).add(square(w).mul(0.02)).add(square(tau).mul(0.001)).mul(dt) }).fingerprint, pendulum.fingerprint);
  // operands of commutative operations in either order: the same structure
  const a = defineSystem({ ...pendulumDef, name: "order-a", running: ([th, w]) => th.mul(w).add(square(th)) });
  const b = defineSystem({ ...pendulumDef, name: "order-a", running: ([th, w]) => square(th).add(w.mul(th)) });
  assert.is(a.fingerprint, b.fingerprint);
});

test("a system's parameters change per solver without recompiling", () => {
  const params = new Float64Array(P.N); params.set([9.81, 2, 1, 0.1]); // a longer pendulum
  const a = new ModelEvaluator(engine, pendulum).step([1, 0], [0]);
  const b = new ModelEvaluator(engine, pendulum, params).step([1, 0], [0]);
  close([a[1]], [-9.81 * Math.sin(1) * dt], 1e-15, "l = 1");
  close([b[1]], [-9.81 / 2 * Math.sin(1) * dt], 1e-15, "l = 2");
});

test("linear dynamics: no curvature (stepHess returns 0), and an LQ problem converges at once", () => {
  const lin = defineSystem({
    name: "lq", nx: 2, nu: 1, dt: 0.1, nsteps: 30,
    dynamics: ([q, v], [a]) => [q.add(v.mul(0.1)), v.add(a.mul(0.1))],
    running: ([q, v], [a]) => square(q).add(square(v).mul(0.1)).add(square(a).mul(0.01)),
    terminal: ([q, v]) => square(q).mul(10).add(square(v)),
    umax: [5], sampleRanges: [[-1, 1], [-1, 1]],
  });
  assert.is(lin.model.nonlinear, false);
  const r = new Solver(engine, lin).solve({ x0: [1, 0] });
  assert.is(r.statusName, "converged");
  assert.ok(r.iterations <= 2, `iterations ${r.iterations}`);
  const b = new RefSolver(referenceModel(lin), 30).solve([1, 0], 30, new Float64Array(30), null, {});
  close([r.cost], [b.cost], 1e-12, "cost");
});

test("the car written through defineSystem solves to the hand-written car's costs (1e-9 relative) at every evaluation state", () => {
  const mine = definedCar();
  const hand = new Solver(engine, "car"), gen = new Solver(engine, mine);
  for (const x0 of mine.evalStates) {
    const a = hand.solve({ x0 }), b = gen.solve({ x0 });
    assert.is(b.statusName, a.statusName, `status from ${x0}`);
    close([b.cost], [a.cost], 1e-9, `cost from ${x0}`);
  }
  kernelsAgree("car", mine, 1e-12);
});

/** the hand-written model and its defineSystem twin at random training-like points (each block relative to its scale) */
function kernelsAgree(name: string, mine: ReturnType<typeof definedCar>, tol: number): void {
  const ea = new ModelEvaluator(engine, name), eb = new ModelEvaluator(engine, mine);
  const rng = new Rng(5);
  const blockClose = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) => {
    const scale = Math.max(1, ...Array.from(a, Math.abs));
    for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i] - b[i]) <= tol * scale)) assert.unreachable(`${name} ${what}[${i}]: ${a[i]} vs ${b[i]}`);
  };
  for (let t = 0; t < 50; t++) {
    const x = mine.sampleRanges.map(([lo, hi]) => rng.uniform(lo, hi)), u = mine.umax.map((m) => rng.uniform(-m, m));
    blockClose(ea.step(x, u), eb.step(x, u), "f");
    const da = ea.stepDiff(x, u), db = eb.stepDiff(x, u);
    blockClose(da.A, db.A, "A"); blockClose(da.B, db.B, "B");
    const ra = ea.runningDiff(x, u), rb = eb.runningDiff(x, u);
    blockClose([ra.l], [rb.l], "l"); blockClose(ra.lx, rb.lx, "lx"); blockClose(ra.lu, rb.lu, "lu");
    blockClose(ra.lxx, rb.lxx, "lxx"); blockClose(ra.luu, rb.luu, "luu"); blockClose(ra.lux, rb.lux, "lux");
    const ta = ea.terminalDiff(x), tb = eb.terminalDiff(x);
    blockClose([ta.l], [tb.l], "lN"); blockClose(ta.lx, tb.lx, "lNx"); blockClose(ta.lxx, tb.lxx, "lNxx");
  }
}

test("the manipulator written through defineSystem: same kernels as the hand-written one; same costs wherever both Gauss-Newton solves converge; the same curvature (two analytic derivations)", () => {
  const mine = definedManipulator();
  kernelsAgree("manipulator", mine, 1e-10);
  const hand = new Solver(engine, "manipulator"), gen = new Solver(engine, mine);
  let both = 0;
  for (const x0 of mine.evalStates) {
    const a = hand.solve({ x0 }, { hessian: "gauss-newton" }), b = gen.solve({ x0 }, { hessian: "gauss-newton" });
    if (a.statusName !== "converged" || b.statusName !== "converged") continue;
    if (Math.abs(b.cost - a.cost) > 1e-9 * Math.abs(a.cost)) {
      // allowed only where rounding decides the hand-written solve's minimum itself (x0[0] moved by
      // one part in 1e15 changes its cost), as the kernels agree only to rounding (1e-10 above)
      const a1 = hand.solve({ x0: nudged(x0) }, { hessian: "gauss-newton" });
      assert.ok(Math.abs(a1.cost - a.cost) > 1e-9 * Math.abs(a.cost), `Gauss-Newton cost from ${x0}: ${b.cost} vs ${a.cost}, and the hand-written solve is not sensitive to rounding there`);
      continue;
    }
    both++;
  }
  assert.ok(both >= 4, `both converged to the same cost at ${both} of 9 evaluation states`);
  // curvature: the hand-written analytic formula (assembly/models/curvature.ts) and the symbolic second derivatives
  const e = engine.exports, n = 6, m = 3, rng = new Rng(8);
  const blk = engine.alloc(8 * (n + m + n + 2 * (n * n + m * m + m * n)));
  const views = () => {
    let o = blk;
    const take = (len: number) => { const v = engine.f64(o, len); const ptr = o; o += 8 * len; return { v, ptr }; };
    return { x: take(n), u: take(m), lam: take(n), hxx: take(n * n), huu: take(m * m), hux: take(m * n), hxx2: take(n * n), huu2: take(m * m), hux2: take(m * n) };
  };
  const pa = new ModelEvaluator(engine, "manipulator").params, pb = new ModelEvaluator(engine, mine).params;
  const ppA = engine.alloc(8 * 64), ppB = engine.alloc(8 * 64);
  engine.f64(ppA, 64).set(pa); engine.f64(ppB, 64).set(pb);
  for (let t = 0; t < 10; t++) {
    const v = views();
    v.x.v.set(mine.sampleRanges.map(([lo, hi]) => rng.uniform(lo, hi))); v.u.v.set([0, 1, 2].map(() => rng.uniform(-200, 200)));
    v.lam.v.set(Array.from({ length: n }, () => rng.uniform(-1, 1)));
    assert.is(e.modelStepHess(engine.modelId(SYSTEMS.manipulator), ppA, v.x.ptr, v.u.ptr, v.lam.ptr, v.hxx.ptr, v.huu.ptr, v.hux.ptr), 1);
    assert.is(e.modelStepHess(engine.modelId(mine), ppB, v.x.ptr, v.u.ptr, v.lam.ptr, v.hxx2.ptr, v.huu2.ptr, v.hux2.ptr), 1);
    for (const [a, b, what] of [[v.hxx.v, v.hxx2.v, "Hxx"], [v.huu.v, v.huu2.v, "Huu"], [v.hux.v, v.hux2.v, "Hux"]] as const) {
      const scale = Math.max(1e-3, ...Array.from(b, Math.abs));
      for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i] - b[i]) <= 1e-10 * scale)) assert.unreachable(`${what}[${i}]: hand-written ${a[i]} vs symbolic ${b[i]}`);
    }
  }
});

test("the box obstacle term is the car park's smooth box indicator (an independent evaluation)", () => {
  const S = (z: number) => 0.5 * (1 + z / Math.sqrt(1 + z * z));
  const box = { xc: 0.2, yc: -0.3, wx: 1.5, wy: 0.8 }, k = 4;
  const [px, py] = variables("x", 2);
  const e = costTerms.boxObstacle(px, py, box, k);
  const rng = new Rng(3);
  for (let t = 0; t < 20; t++) {
    const x = rng.uniform(-2, 2), y = rng.uniform(-2, 2);
    const X = S(k * (x - (box.xc - box.wx / 2))) * (1 - S(k * (x - (box.xc + box.wx / 2))));
    const Y = S(k * (y - (box.yc - box.wy / 2))) * (1 - S(k * (y - (box.yc + box.wy / 2))));
    close([evaluate(e, { x: [x, y] }) as number], [X * Y], 1e-14, `box at (${x}, ${y})`);
  }
  // near 1 inside, near 0 far outside
  assert.ok((evaluate(e, { x: [0.2, -0.3] }) as number) > 0.7);
  assert.ok((evaluate(e, { x: [3, 3] }) as number) < 1e-3);
});

/**
 * The compiled model alone (no symbolic source needed) against central finite differences: A, B from
 * f; l_x, l_u from l; l_xx, l_uu, l_ux from l_x, l_u; the terminal cost likewise; the contracted
 * curvature from lam^T A, lam^T B.
 */
function fdCheckCompiled(sys: UserSystem, points: number, seed: number): void {
  const ev = new ModelEvaluator(engine, sys);
  const { nx: n, nu: m } = sys;
  const rng = new Rng(seed);
  const h = 1e-6;
  const e = engine.exports;
  const hb = engine.alloc(8 * (2 * n + m + n * n + m * m + m * n));
  const pb = engine.alloc(8 * P.N);
  for (let t = 0; t < points; t++) {
    const x = sys.sampleRanges.map(([lo, hi]) => rng.uniform(lo, hi)), u = sys.umax.map((um) => rng.uniform(-um, um) * 0.5);
    const lam = Array.from({ length: n }, () => rng.uniform(-1, 1));
    const { A, B } = ev.stepDiff(x, u);
    const r = ev.runningDiff(x, u), td = ev.terminalDiff(x);
    const z = [...x, ...u];
    const at = (j: number, d: number) => { const zz = [...z]; zz[j] += d; return [zz.slice(0, n), zz.slice(n)]; };
    const tol = (a: number, b: number) => 1e-5 * Math.max(1, Math.abs(a), Math.abs(b));
    for (let j = 0; j < n + m; j++) {
      const [xp, up] = at(j, h), [xm, um] = at(j, -h);
      const df = Array.from(ev.step(xp, up), (v, i) => (v - ev.step(xm, um)[i]) / (2 * h));
      for (let i = 0; i < n; i++) {
        const an = j < n ? A[i * n + j] : B[i * m + (j - n)];
        if (!(Math.abs(an - df[i]) <= tol(an, df[i]))) assert.unreachable(`${sys.name} f_z[${i}][${j}]: ${an} vs ${df[i]}`);
      }
      const dl = (ev.running(xp, up) - ev.running(xm, um)) / (2 * h);
      const ga = j < n ? r.lx[j] : r.lu[j - n];
      if (!(Math.abs(ga - dl) <= tol(ga, dl))) assert.unreachable(`${sys.name} l_z[${j}]: ${ga} vs ${dl}`);
      const rp = ev.runningDiff(xp, up), rm = ev.runningDiff(xm, um);
      for (let i = 0; i < n + m; i++) {
        const gp = i < n ? rp.lx[i] : rp.lu[i - n], gm = i < n ? rm.lx[i] : rm.lu[i - n];
        const d2 = (gp - gm) / (2 * h);
        const an = i < n && j < n ? r.lxx[i * n + j] : i >= n && j >= n ? r.luu[(i - n) * m + (j - n)] : i >= n ? r.lux[(i - n) * n + j] : r.lux[(j - n) * n + i];
        if (!(Math.abs(an - d2) <= tol(an, d2))) assert.unreachable(`${sys.name} l_zz[${i}][${j}]: ${an} vs ${d2}`);
      }
      if (j < n) {
        const dN = (ev.terminal(xp) - ev.terminal(xm)) / (2 * h);
        if (!(Math.abs(td.lx[j] - dN) <= tol(td.lx[j], dN))) assert.unreachable(`${sys.name} lN_x[${j}]: ${td.lx[j]} vs ${dN}`);
        const tp = ev.terminalDiff(xp), tm = ev.terminalDiff(xm);
        for (let i = 0; i < n; i++) {
          const d2 = (tp.lx[i] - tm.lx[i]) / (2 * h);
          if (!(Math.abs(td.lxx[i * n + j] - d2) <= tol(td.lxx[i * n + j], d2))) assert.unreachable(`${sys.name} lN_xx[${i}][${j}]: ${td.lxx[i * n + j]} vs ${d2}`);
        }
      }
    }
    // curvature: d/dz (lam^T f_z) against the generated stepHess
    const f64 = engine.f64(hb, 2 * n + m + n * n + m * m + m * n);
    f64.set([...x, ...u, ...lam]);
    engine.f64(pb, P.N).set(ev.params);
    const curved = e.modelStepHess(engine.modelId(sys), pb, hb, hb + 8 * n, hb + 8 * (n + m), hb + 8 * (2 * n + m), hb + 8 * (2 * n + m + n * n), hb + 8 * (2 * n + m + n * n + m * m));
    const H = engine.f64(hb + 8 * (2 * n + m), n * n + m * m + m * n).slice();
    const lamJ = (zz: number[]) => { const d = ev.stepDiff(zz.slice(0, n), zz.slice(n)); return Array.from({ length: n + m }, (_, c) => lam.reduce((s2, l, r2) => s2 + l * (c < n ? d.A[r2 * n + c] : d.B[r2 * m + c - n]), 0)); };
    for (let j = 0; j < n + m; j++) {
      const zp = [...z], zm = [...z]; zp[j] += h; zm[j] -= h;
      const gp = lamJ(zp), gm = lamJ(zm);
      for (let i = 0; i < n + m; i++) {
        const d2 = (gp[i] - gm[i]) / (2 * h);
        const an = !curved ? 0 : i < n && j < n ? H[i * n + j] : i >= n && j >= n ? H[n * n + (i - n) * m + (j - n)] : i >= n ? H[n * n + m * m + (i - n) * n + j] : H[n * n + m * m + (j - n) * n + i];
        if (!(Math.abs(an - d2) <= 1e-4 * Math.max(1, Math.abs(an), Math.abs(d2)))) assert.unreachable(`${sys.name} (lam f)_zz[${i}][${j}]: ${an} vs ${d2}`);
      }
    }
  }
}

test("every system defined through the API (the examples, the defined car and manipulator): compiled derivatives against central finite differences", async () => {
  const systems: UserSystem[] = [definedCar(), definedManipulator()];
  for (const f of ["pendulum", "cartpole", "quadrotor"]) systems.push((await import(`../examples/${f}.mjs`)).default as UserSystem);
  for (const sys of systems) {
    await engine.loadModel(sys.model);
    fdCheckCompiled(sys, 4, 21);
  }
});

test("defineSystem names the bad field", () => {
  const bad = (patch: Partial<SystemDefinition>, re: RegExp) =>
    assert.throws(() => defineSystem({ ...pendulumDef, ...patch } as SystemDefinition), re);
  bad({ name: "car" }, /name: got "car", expected a name other than the built-in/);
  bad({ nx: 0 }, /nx: got 0, expected a positive integer/);
  bad({ dt: -1 }, /dt: got -1/);
  bad({ umax: [3, 3] }, /umax: got \[3, 3\], expected an array of 1 finite numbers/);
  bad({ dynamics: ([th]) => [th] }, /dynamics\(x, u, p\): got "1 values", expected an array of nx = 2 expressions/);
  bad({ running: () => NaN }, /running\(x, u, p\): got NaN, expected a finite number/);
  bad({ dynamics: ([th, w], [tau]) => [th.add(variable("p", 7)), w.add(tau)] }, /dynamics\(x, u, p\): uses p\[7\], but there are 4 parameters/);
  bad({ dynamics: ([th, w], [tau], p) => [th.add(p[7]), w.add(tau)] }, /dynamics\(x, u, p\) threw: add: b must be an Expr or a number, got undefined \(it gets x of 2, u of 1 and p of 4 expressions\)/);
  bad({ running: (x) => square(x[0]).add(square(variable("x", 5))) }, /running\(x, u, p\): uses x\[5\], but there are nx = 2/);
  bad({ running: (x, u) => square(u[0]).add(variable("u", 1)) }, /running\(x, u, p\): uses u\[1\], but there are nu = 1/);
  bad({ terminal: (x) => square(x[0]).add(variable("u", 0)) }, /terminal\(x, p\): uses u\[0\], but there are no controls in the terminal cost/);
  bad({ running: (x) => square(x[0]).mul(variable("lam", 0)) }, /running\(x, u, p\): uses lam\[0\].*no lam/);
  bad({ evalStates: 3 as never }, /evalStates: got 3, expected an array of states/);
  bad({ evalStates: [[0, 0], [0]] }, /evalStates\[1\]: got \[0\], expected an array of 2 finite numbers/);
  bad({ nstepReturn: 0 }, /nstepReturn: got 0, expected a positive integer/);
  bad({ positionIndex: [0, 2] }, /positionIndex: got \[0, 2\], expected null or two state indices in 0..1/);
  bad({ title: 5 as never }, /title: got 5, expected a string/);
  bad({ solverDefaults: "exact" as never }, /solverDefaults: got "exact", expected an object/);
  bad({ sampleRanges: [[1, 0], [0, 1]] }, /sampleRanges: .*lo <= hi/);
  bad({ k0Range: [0, 100] }, /k0Range: .*< nsteps = 100/);
});

// the generated functions on their own memory: a derivative flag of 0 writes nothing, 1 writes every slot
function instantiateAlone(sys: { model: { bytes: Uint8Array } }) {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const m = Math as unknown as Record<string, (...a: number[]) => number>;
  const math = Object.fromEntries(["sin", "cos", "tan", "exp", "log", "log1p", "expm1", "tanh", "atan", "atan2", "pow"].map((k) => [k, m[k]]));
  const inst = new WebAssembly.Instance(new WebAssembly.Module(sys.model.bytes as unknown as BufferSource), { env: { memory }, math });
  return { memory, fn: inst.exports as Record<string, (...a: number[]) => number> };
}

test("generated running/terminal cost: derivative flag 0 writes nothing, 1 fills every output", () => {
  for (const sys of [pendulum, car]) {
    const { memory, fn } = instantiateAlone(sys);
    const f = new Float64Array(memory.buffer);
    const SENT = -123.25;
    // p at 0, x at 1024, u at 2048 (bytes); outputs from 4096 on, 512 bytes apart
    const outs = [4096, 4608, 5120, 5632, 6144];
    const fill = () => { f.fill(SENT, 4096 / 8); f.set(sys.modelParams, 0); f.set([0.3, -0.7, 0.2, 0.9].slice(0, sys.nx), 128); f.set([0.5, -0.4].slice(0, sys.nu), 256); };
    const untouched = () => f.subarray(4096 / 8).every((v) => v === SENT);
    fill();
    const l0 = fn.running(0, 1024, 2048, 0, ...outs);
    assert.ok(untouched(), `${sys.name}: running(diff = 0) wrote into its output blocks`);
    const t0 = fn.terminal(0, 1024, 0, outs[0], outs[1]);
    assert.ok(untouched(), `${sys.name}: terminal(diff = 0) wrote into its output blocks`);
    const l1 = fn.running(0, 1024, 2048, 1, ...outs);
    assert.is(l1, l0);
    const { nx: n, nu: mu } = sys;
    [n, mu, n * n, mu * mu, mu * n].forEach((len, k) => {
      const blk = f.subarray(outs[k] / 8, outs[k] / 8 + len);
      assert.ok(blk.every((v) => v !== SENT), `${sys.name}: running(diff = 1) left output ${k} unwritten`);
      assert.is(f[outs[k] / 8 + len], SENT, `${sys.name}: running(diff = 1) wrote past output ${k}`);
    });
    fill();
    assert.is(fn.terminal(0, 1024, 1, outs[0], outs[1]), t0);
    assert.ok(f.subarray(outs[0] / 8, outs[0] / 8 + n).every((v) => v !== SENT) && f[outs[0] / 8 + n] === SENT, `${sys.name}: terminal lx`);
    assert.ok(f.subarray(outs[1] / 8, outs[1] / 8 + n * n).every((v) => v !== SENT) && f[outs[1] / 8 + n * n] === SENT, `${sys.name}: terminal lxx`);
  }
});

test("concurrent loadModel calls register a model once; a module with wrong signatures is refused by name", async () => {
  const e = await Engine.create();
  const before = e.exports.modelCount();
  const ids = await Promise.all([e.loadModel(car.model), e.loadModel(car.model), e.loadModel(car.model)]);
  assert.equal(ids, [before, before, before]);
  assert.is(e.exports.modelCount(), before + 1);
  // a module whose "step" takes 3 parameters (hand-assembled: type (i32 i32 i32) -> (), five exports)
  const bad = { nx: 2, nu: 1, bytes: badModule() };
  try {
    await e.loadModel(bad);
    assert.unreachable("accepted a module with a wrong signature");
  } catch (err) {
    assert.match(String(err), /export "step" takes 3 parameters, expected 4/);
  }
  assert.is(e.exports.modelCount(), before + 1);
});

// (module (type (func (param i32 i32 i32))) (func (type 0)) x5 exported as the interface's names)
function badModule(): Uint8Array {
  const names = ["step", "stepDiff", "stepHess", "running", "terminal"];
  const enc = (s: string) => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
  const section = (id: number, body: number[]) => [id, body.length, ...body];
  const exportsBody = [names.length, ...names.flatMap((n, i) => [...enc(n), 0, i])];
  return new Uint8Array([
    0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, [1, 0x60, 3, 0x7f, 0x7f, 0x7f, 0]),
    ...section(3, [5, 0, 0, 0, 0, 0]),
    ...section(7, exportsBody),
    ...section(10, [5, ...Array(5).fill([2, 0, 0x0b]).flat()]),
  ]);
}

test("linear dynamics: stepHess reports no curvature through the engine", () => {
  const lin = defineSystem({
    name: "lq2", nx: 1, nu: 1, dt: 0.1, nsteps: 10,
    dynamics: ([q], [a]) => [q.add(a.mul(0.1))],
    running: ([q], [a]) => square(q).add(square(a)),
    umax: [1], sampleRanges: [[-1, 1]],
  });
  const e = engine.exports, sys = engine.modelId(lin);
  const blk = engine.alloc(8 * 16);
  assert.is(e.modelStepHess(sys, blk, blk, blk, blk, blk, blk, blk), 0);
  assert.is(e.modelStepHess(engine.modelId(pendulum), blk, blk + 16, blk + 32, blk + 48, blk + 64, blk + 96, blk + 112), 1);
});

test("Solver takes a user system's own parameters alone (zero-padded); other lengths are refused by name", () => {
  const a = new Solver(engine, pendulum, { params: [9.81, 2, 1, 0.1] });
  assert.is(a.params.length, P.N);
  assert.equal(Array.from(a.params.slice(0, 5)), [9.81, 2, 1, 0.1, 0]);
  assert.throws(() => new Solver(engine, pendulum, { params: [1, NaN, 1, 1] }), /params\[1\]: got NaN, expected a finite number/);
  assert.throws(() => new Solver(engine, pendulum, { params: [3] }), /params: got 1 values, expected the 4 parameters of "pendulum" \(or a full block of 64\)/);
  assert.throws(() => new ModelEvaluator(engine, pendulum, []), /params: got 0 values, expected the 4 parameters/);
  assert.is(new ModelEvaluator(engine, pendulum, [9.81, 2, 1, 0.1]).params[1], 2);
  assert.throws(() => new Solver(engine, "car", { params: [1, 2] }), /params/);
});

test.run();
