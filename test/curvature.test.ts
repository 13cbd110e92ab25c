// Exact DDP's dynamics curvature (assembly/models/curvature.ts) against central differences of the
// analytic Jacobians, and the exact-Hessian solve against Gauss-Newton on the car.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Engine } from "../src/wasm/engine.js";
import { Solver } from "../src/to/solver.js";
import { SYSTEMS, buildParams } from "../src/systems/specs.js";
import type { SystemName } from "../src/systems/layout.js";
import { mulberry32 } from "./helpers/fd.js";

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
  const gn = s.solve({ x0: [10, 10, 0, 0, 0] }, { maxIter: 200 });
  const ex = s.solve({ x0: [10, 10, 0, 0, 0] }, { maxIter: 200, hessian: "exact", muFactor: 2 });
  assert.is(gn.statusName, "max-iterations");
  assert.is(ex.statusName, "converged");
  // IPOPT's minimum there (issue 9): -490.4377
  assert.ok(Math.abs(ex.cost - -490.4377) < 1e-3, `exact cost ${ex.cost}`);
  assert.ok(ex.stationarity < 1e-3 && gn.stationarity > 10 * ex.stationarity, `stationarity ${ex.stationarity} vs ${gn.stationarity}`);
});

test("options.hessian and options.gradTol are validated", () => {
  const s = new Solver(engine, "car");
  assert.throws(() => s.solve({ x0: [1, 0, 0, 0, 0] }, { hessian: "newton" as never }), /options\.hessian: got "newton"/);
  assert.throws(() => s.solve({ x0: [1, 0, 0, 0, 0] }, { gradTol: -1 }), /options\.gradTol/);
});

test.run();
