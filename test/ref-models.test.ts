import { test } from "uvu";
import * as assert from "uvu/assert";
import { P, SYSTEM_NAMES, type SystemName } from "../src/systems/layout.js";
import { buildParams, SYSTEMS } from "../src/systems/specs.js";
import { refModel, Manipulator, Toy1d } from "../src/ref/index.js";
import type { RefModel } from "../src/ref/model.js";
import { addEllipses } from "../src/ref/costs/ellipse.js";
import { addBoxes } from "../src/ref/costs/box.js";
import { PT } from "../src/ref/costs/point.js";
import { addPeak } from "../src/ref/costs/peak.js";
import { addTargetDistance } from "../src/ref/costs/target.js";
import { softplus, softplusD1, softplusD2 } from "../src/ref/costs/softplus.js";
import { mulberry32 } from "./helpers/fd.js";

// ---------------------------------------------------------------------------------------------
// seeded randomness and finite differences

type Rng = () => number;
const uni = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng();

/** Central-difference step relative to the coordinate's magnitude. */
const fdStep = (v: number, h: number): number => h * Math.max(1, Math.abs(v));

/**
 * Five-point central-difference Jacobian of a vector function of `z` (length m), row-major
 * m x z.length. The O(h^4) stencil lets h stay large enough for round-off to be negligible while the
 * sharp (a = 50, k = 50) terms are still resolved.
 */
function fdJacobian(f: (out: Float64Array, z: Float64Array) => void, z: Float64Array, m: number, h: number): Float64Array {
  const n = z.length;
  const J = new Float64Array(m * n);
  const f1 = new Float64Array(m), f2 = new Float64Array(m), f3 = new Float64Array(m), f4 = new Float64Array(m);
  const zz = Float64Array.from(z);
  for (let j = 0; j < n; j++) {
    const e = fdStep(z[j], h);
    zz[j] = z[j] + 2 * e; f(f1, zz);
    zz[j] = z[j] + e; f(f2, zz);
    zz[j] = z[j] - e; f(f3, zz);
    zz[j] = z[j] - 2 * e; f(f4, zz);
    zz[j] = z[j];
    for (let i = 0; i < m; i++) // differences first: summing -f1 + 8 f2 ... rounds 7 f and leaves ulp noise where f is constant
      J[i * n + j] = (8 * (f2[i] - f3[i]) - (f1[i] - f4[i])) / (12 * e);
  }
  return J;
}

/**
 * Entry-wise |a - b| <= rtol * (atol + max|b|): FD errors scale with the largest entry of a block
 * (sharp softplus terms make one entry dominate), so a per-entry relative test would be unfair to the
 * small ones and a pure absolute one meaningless for costs of scale 1e-5.
 */
function assertClose(what: string, a: ArrayLike<number>, b: ArrayLike<number>, rtol: number, atol: number): void {
  assert.is(a.length, b.length, `${what}: length`);
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  const tol = rtol * (atol + scale);
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i] - b[i]);
    if (!(err <= tol)) {
      assert.unreachable(`${what}[${i}]: analytic ${a[i]} vs reference ${b[i]} (|diff| ${err.toExponential(3)} > tol ${tol.toExponential(3)})`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// state / control samplers that visit obstacles, their edges and the target valley

const SAMPLES = 24;

function sampleControl(rng: Rng, params: Float64Array, nu: number): Float64Array {
  const u = new Float64Array(nu);
  // toy1d has no soft bound (umax = 1e6 is a placeholder); stay at the scale of its state
  if (nu === 1) { u[0] = uni(rng, -3, 3); return u; }
  // beyond umax on purpose, so the (u/umax)^10 soft bound is far from negligible
  for (let i = 0; i < nu; i++) u[i] = uni(rng, -1.3, 1.3) * params[P.UMAX + i];
  return u;
}

/** A workspace point: uniform, inside/near an ellipse, or in the target valley, by sample index. */
function samplePlanarPoint(rng: Rng, params: Float64Array, k: number): [number, number] {
  const mode = k % 4;
  const nobs = params[P.NOBS];
  if (mode === 1 || mode === 2) {
    const j = Math.floor(rng() * nobs);
    const o = P.OBS + 4 * j;
    // inside (mode 1) or within a few sharpness lengths of the boundary (mode 2)
    const r = mode === 1 ? uni(rng, 0, 1) : uni(rng, 0.97, 1.03);
    const ang = uni(rng, 0, 2 * Math.PI);
    return [params[o] + 0.5 * params[o + 2] * r * Math.cos(ang), params[o + 1] + 0.5 * params[o + 3] * r * Math.sin(ang)];
  }
  if (mode === 3) return [params[P.XD] + uni(rng, -0.6, 0.6), params[P.YD] + uni(rng, -0.6, 0.6)];
  return [uni(rng, -15, 15), uni(rng, -15, 15)];
}

function carParkState(rng: Rng, params: Float64Array, k: number): Float64Array {
  const x = new Float64Array(5);
  x[2] = uni(rng, -Math.PI, Math.PI);
  x[3] = uni(rng, -3, 3);
  x[4] = uni(rng, -0.6, 0.6);
  const mode = k % 3;
  if (mode === 0) {
    x[0] = uni(rng, -12, 12);
    x[1] = uni(rng, -1, 9);
    return x;
  }
  const L = params[P.CP_L], W = params[P.CP_W], half = 0.5 * params[P.CP_LD];
  const c = Math.cos(x[2]), s = Math.sin(x[2]);
  let rx: number, ry: number, wx: number, wy: number;
  if (mode === 1) {
    // one outline corner within a few 1/k of a box edge
    const fx = rng() < 0.5 ? -0.5 : 0.5, fy = rng() < 0.5 ? -0.5 : 0.5;
    rx = half + L * fx; ry = W * fy;
    const edge = Math.floor(rng() * 3);
    const d = uni(rng, -0.05, 0.05);
    if (edge === 0) { wx = (rng() < 0.5 ? -1.5 : 1.5) + d; wy = uni(rng, 4.6, 8.9); }
    else if (edge === 1) { wx = uni(rng, -15, 15); wy = d; }
    else { wx = (rng() < 0.5 ? -1 : 1) * uni(rng, 1.6, 15); wy = 4.5 + d; }
  } else {
    // the centre in the target valley (a2 = 1 makes the peak term wide)
    rx = half; ry = 0;
    wx = params[P.XD] + uni(rng, -1, 1); wy = params[P.YD] + uni(rng, -1, 1);
  }
  x[0] = wx - (rx * c - ry * s);
  x[1] = wy - (rx * s + ry * c);
  return x;
}

function manipulatorState(rng: Rng, model: Manipulator, params: Float64Array, k: number): Float64Array {
  const x = new Float64Array(6);
  const ee = new Float64Array(2);
  const mode = k % 3;
  for (let tries = 0; tries < 100000; tries++) {
    for (let i = 0; i < 3; i++) { x[i] = uni(rng, -Math.PI, Math.PI); x[3 + i] = uni(rng, -1, 1); }
    if (mode === 0) return x;
    model.endEffector(ee, x);
    if (mode === 1) {
      // end effector inside or just outside some ellipse
      for (let j = 0; j < params[P.NOBS]; j++) {
        const o = P.OBS + 4 * j;
        const e = ((ee[0] - params[o]) / (0.5 * params[o + 2])) ** 2 + ((ee[1] - params[o + 1]) / (0.5 * params[o + 3])) ** 2;
        if (e < 1.05) return x;
      }
    } else if (Math.hypot(ee[0] - params[P.XD], ee[1] - params[P.YD]) < 0.5) {
      return x;
    }
  }
  throw new Error("manipulator sampler: no state found");
}

function sampleState(name: SystemName, rng: Rng, model: RefModel, params: Float64Array, k: number): Float64Array {
  const x = new Float64Array(model.nx);
  switch (name) {
    case "toy1d":
      x[0] = uni(rng, -2.3, 2.1);
      return x;
    case "car_park":
      return carParkState(rng, params, k);
    case "manipulator":
      return manipulatorState(rng, model as Manipulator, params, k);
    default: {
      const [px, py] = samplePlanarPoint(rng, params, k);
      x[0] = px; x[1] = py;
      const ranges = SYSTEMS[name].sampleRanges;
      for (let i = 2; i < model.nx; i++) x[i] = uni(rng, ranges[i][0], ranges[i][1]);
      return x;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// derivative checks for every system

/** FD steps (relative, see fdStep) for states and for controls; the control cost is a smooth
 * polynomial, and a larger step keeps the round-off of the O(1..50) position cost out of lu. */
const H_X = 1e-5;
const H_U = 1e-3;
/** The 5-point stencil makes FD errors ~1e-10 relative even next to the a = 50 softplus terms. */
const RTOL_STEP = 1e-9;
const RTOL = 1e-8;

for (const name of SYSTEM_NAMES) {
  test(`${name}: A and B match central differences of step`, () => {
    const params = buildParams(SYSTEMS[name]);
    const m = refModel(name, params);
    const rng = mulberry32(1234 + SYSTEMS[name].id);
    const A = new Float64Array(m.nx * m.nx);
    const B = new Float64Array(m.nx * m.nu);
    for (let k = 0; k < SAMPLES; k++) {
      const x = sampleState(name, rng, m, params, k);
      const u = sampleControl(rng, params, m.nu);
      m.stepDiff(A, B, x, u);
      const fdA = fdJacobian((out, z) => m.step(out, z, u), x, m.nx, H_X);
      const fdB = fdJacobian((out, z) => m.step(out, x, z), u, m.nx, H_U);
      assertClose(`${name} A (sample ${k})`, A, fdA, RTOL_STEP, 1);
      assertClose(`${name} B (sample ${k})`, B, fdB, RTOL_STEP, 1);
    }
  });

  test(`${name}: running cost gradient and Hessian match central differences`, () => {
    const params = buildParams(SYSTEMS[name]);
    const m = refModel(name, params);
    const { nx, nu } = m;
    const rng = mulberry32(777 + SYSTEMS[name].id);
    const lx = new Float64Array(nx), lu = new Float64Array(nu);
    const lxx = new Float64Array(nx * nx), luu = new Float64Array(nu * nu), lux = new Float64Array(nu * nx);
    const gx = new Float64Array(nx), gu = new Float64Array(nu);
    const hxx = new Float64Array(nx * nx), huu = new Float64Array(nu * nu), hux = new Float64Array(nu * nx);
    const cost = (out: Float64Array, z: Float64Array, x: Float64Array, u: Float64Array, wrtX: boolean): void => {
      out[0] = wrtX ? m.runningCost(z, u) : m.runningCost(x, z);
    };
    let activeSharp = 0;
    for (let k = 0; k < SAMPLES; k++) {
      const x = sampleState(name, rng, m, params, k);
      const u = sampleControl(rng, params, nu);
      const c = m.runningCostDiff(lx, lu, lxx, luu, lux, x, u);
      assert.ok(Math.abs(c - m.runningCost(x, u)) <= 1e-14 * (1 + Math.abs(c)), `${name}: value mismatch`);
      const fdLx = fdJacobian((o, z) => cost(o, z, x, u, true), x, 1, H_X);
      const fdLu = fdJacobian((o, z) => cost(o, z, x, u, false), u, 1, H_U);
      assertClose(`${name} lx (sample ${k})`, lx, fdLx, RTOL, 1e-3);
      assertClose(`${name} lu (sample ${k})`, lu, fdLu, RTOL, 1e-3);
      // second derivatives as differences of the analytic gradients
      const fdLxx = fdJacobian((o, z) => { m.runningCostDiff(o, gu, hxx, huu, hux, z, u); }, x, nx, H_X);
      const fdLuu = fdJacobian((o, z) => { m.runningCostDiff(gx, o, hxx, huu, hux, x, z); }, u, nu, H_U);
      const fdLux = fdJacobian((o, z) => { m.runningCostDiff(gx, o, hxx, huu, hux, z, u); }, x, nu, H_X);
      const fdLxu = fdJacobian((o, z) => { m.runningCostDiff(o, gu, hxx, huu, hux, x, z); }, u, nx, H_U);
      assertClose(`${name} lxx (sample ${k})`, lxx, fdLxx, RTOL, 1e-3);
      assertClose(`${name} luu (sample ${k})`, luu, fdLuu, RTOL, 1e-3);
      assertClose(`${name} lux (sample ${k})`, lux, fdLux, RTOL, 1e-3);
      // d lx / d u is the transpose of lux
      const luxT = new Float64Array(nx * nu);
      for (let i = 0; i < nu; i++) for (let j = 0; j < nx; j++) luxT[j * nu + i] = lux[i * nx + j];
      assertClose(`${name} lxu (sample ${k})`, luxT, fdLxu, RTOL, 1e-3);
      for (let i = 0; i < nx; i++) for (let j = 0; j < nx; j++) assert.is(lxx[i * nx + j], lxx[j * nx + i], `${name} lxx symmetric`);
      let hmax = 0;
      for (const v of lxx) hmax = Math.max(hmax, Math.abs(v));
      if (hmax > 1e-1) activeSharp++;
    }
    // the samplers must actually visit the sharp parts of the cost (toy1d has none)
    if (name !== "toy1d") assert.ok(activeSharp >= 3, `${name}: only ${activeSharp} samples hit a sharp term`);
  });

  test(`${name}: terminal cost gradient and Hessian match central differences`, () => {
    const params = buildParams(SYSTEMS[name]);
    const m = refModel(name, params);
    const { nx } = m;
    const rng = mulberry32(4242 + SYSTEMS[name].id);
    const lx = new Float64Array(nx), lxx = new Float64Array(nx * nx), hxx = new Float64Array(nx * nx);
    for (let k = 0; k < SAMPLES; k++) {
      const x = sampleState(name, rng, m, params, k);
      const c = m.terminalCostDiff(lx, lxx, x);
      assert.ok(Math.abs(c - m.terminalCost(x)) <= 1e-14 * (1 + Math.abs(c)), `${name}: terminal value mismatch`);
      const fdLx = fdJacobian((o, z) => { o[0] = m.terminalCost(z); }, x, 1, H_X);
      const fdLxx = fdJacobian((o, z) => { m.terminalCostDiff(o, hxx, z); }, x, nx, H_X);
      assertClose(`${name} terminal lx (sample ${k})`, lx, fdLx, RTOL, 1e-3);
      assertClose(`${name} terminal lxx (sample ${k})`, lxx, fdLxx, RTOL, 1e-3);
    }
  });
}

test("each planar cost term: gradient and Hessian vs FD, also for narrow boxes and other sharpness", () => {
  const rng = mulberry32(8080);
  const terms: [string, (acc: Float64Array, w: number, x: number, y: number, p: Float64Array) => number][] = [
    ["d2", addTargetDistance], ["peak", addPeak], ["ellipses", addEllipses], ["boxes", addBoxes],
  ];
  const acc = new Float64Array(PT.N);
  const value = (f: (typeof terms)[number][1], p: Float64Array) => (o: Float64Array, z: Float64Array): void => {
    acc.fill(0);
    o[0] = f(acc, 1, z[0], z[1], p);
  };
  const grad = (f: (typeof terms)[number][1], p: Float64Array) => (o: Float64Array, z: Float64Array): void => {
    acc.fill(0);
    f(acc, 1, z[0], z[1], p);
    o[0] = acc[PT.GX];
    o[1] = acc[PT.GY];
  };
  for (let k = 0; k < 60; k++) {
    const p = buildParams(SYSTEMS[k % 2 === 0 ? "single_integrator" : "car_park"]);
    p[P.A2] = uni(rng, 0.5, 60);
    p[P.AOB] = uni(rng, 5, 100);
    p[P.CP_KBOX] = uni(rng, 5, 100);
    // a box only a few 1/k wide, so both edges of a window are in transition at once
    p[P.CP_NBOX] = 1;
    p[P.CP_BOX] = uni(rng, -1, 1); p[P.CP_BOX + 1] = uni(rng, -1, 1);
    p[P.CP_BOX + 2] = uni(rng, 0.5, 4) / p[P.CP_KBOX]; p[P.CP_BOX + 3] = uni(rng, 0.5, 4) / p[P.CP_KBOX];
    p[P.NOBS] = 1;
    p[P.OBS] = uni(rng, -1, 1); p[P.OBS + 1] = uni(rng, -1, 1); p[P.OBS + 2] = uni(rng, 0.5, 3); p[P.OBS + 3] = uni(rng, 0.5, 3);
    p[P.XD] = uni(rng, -1, 1); p[P.YD] = uni(rng, -1, 1);
    const z = new Float64Array([uni(rng, -1.5, 1.5), uni(rng, -1.5, 1.5)]);
    for (const [label, f] of terms) {
      acc.fill(0);
      const weight = uni(rng, -3, 3);
      const v = f(acc, weight, z[0], z[1], p);
      assert.ok(Math.abs(acc[PT.V] - weight * v) <= 1e-15 * (1 + Math.abs(acc[PT.V])), `${label}: weighted value`);
      acc.fill(0);
      f(acc, 1, z[0], z[1], p);
      const g = [acc[PT.GX], acc[PT.GY]];
      const h = [acc[PT.HXX], acc[PT.HXY], acc[PT.HXY], acc[PT.HYY]];
      assertClose(`${label} gradient (sample ${k})`, g, fdJacobian(value(f, p), z, 1, 1e-6), 1e-7, 1e-6);
      assertClose(`${label} Hessian (sample ${k})`, h, fdJacobian(grad(f, p), z, 2, 1e-6), 1e-7, 1e-6);
    }
  }
});

test("terminal velocity term uses the system's w_v on its velocity components", () => {
  const x = new Float64Array([0.3, -0.2, 0.1, 1.5, -0.5, 2.0]);
  const pm = buildParams(SYSTEMS.manipulator);
  const m = refModel("manipulator", pm);
  const base = m.terminalCost(x);
  const x0 = Float64Array.from(x);
  x0[3] = x0[4] = x0[5] = 0;
  const expected = pm[P.S] * pm[P.WV] * (1.5 ** 2 + 0.5 ** 2 + 2 ** 2);
  assert.ok(Math.abs(base - m.terminalCost(x0) - expected) < 1e-12 * (1 + expected));

  const pc = buildParams(SYSTEMS.car_park);
  const cp = refModel("car_park", pc);
  const y = new Float64Array([0.5, 2, 0.3, 2.5, 0.1]);
  const y0 = Float64Array.from(y);
  y0[3] = 0;
  const e2 = pc[P.S] * pc[P.WV] * 2.5 ** 2;
  assert.ok(Math.abs(cp.terminalCost(y) - cp.terminalCost(y0) - e2) < 1e-12 * (1 + e2));
});

// ---------------------------------------------------------------------------------------------
// spot values of the cost terms

test("single integrator at (10, 0) with u = 0: cost from the formula by hand", () => {
  const params = buildParams(SYSTEMS.single_integrator);
  const m = refModel("single_integrator", params);
  const sp = (z: number): number => Math.log(1 + Math.exp(z));
  const dx = 10 - -7, dy = 0;
  const a2 = 5;
  const g = Math.sqrt(dx * dx + 0.1) - 0.1 + Math.sqrt(dy * dy + 0.1) - 0.1 - 2 * Math.sqrt(0.1);
  const peak = sp(-a2 * g) / a2;
  const ob = (xc: number, yc: number, A: number, B: number): number =>
    sp(-50 * ((10 - xc) ** 2 / (A / 2) ** 2 + (0 - yc) ** 2 / (B / 2) ** 2 - 1)) / 50;
  const obs = ob(-2, 0, 6, 10) + ob(3, 4, 12, 4) + ob(3, -4, 12, 4);
  const expected = 1e-5 * (100 * 289 - 5e5 * peak + 5e6 * obs);
  const got = m.runningCost(new Float64Array([10, 0]), new Float64Array([0, 0]));
  assert.ok(Math.abs(got - expected) <= 1e-12 * Math.abs(expected), `${got} vs ${expected}`);
  assert.ok(Math.abs(got - 0.289) < 1e-6, "far from everything the cost is s w_d d2");
});

test("ellipse term: ~1 at the centre, ln2/a on the boundary, 0 far away", () => {
  const params = buildParams(SYSTEMS.single_integrator);
  const acc = new Float64Array(PT.N);
  const one = new Float64Array(P.N);
  one.set(params);
  one[P.NOBS] = 1;
  for (let j = 0; j < 3; j++) {
    const o = P.OBS + 4 * j;
    for (let i = 0; i < 4; i++) one[P.OBS + i] = params[o + i];
    const [xc, yc, A, B] = [params[o], params[o + 1], params[o + 2], params[o + 3]];
    assert.ok(Math.abs(addEllipses(acc, 1, xc, yc, one) - 1) < 1e-12, "centre");
    assert.ok(Math.abs(addEllipses(acc, 1, xc + A / 2, yc, one) - Math.LN2 / 50) < 1e-15, "boundary x");
    assert.ok(Math.abs(addEllipses(acc, 1, xc, yc - B / 2, one) - Math.LN2 / 50) < 1e-15, "boundary y");
    assert.ok(addEllipses(acc, 1, xc + 1e6, yc, one) === 0, "far");
  }
});

test("softplus and its derivatives stay finite for large |z|", () => {
  assert.is(softplus(1000), 1000);
  assert.is(softplus(-1000), 0);
  assert.ok(Math.abs(softplus(0) - Math.LN2) < 1e-16);
  assert.ok(Math.abs(softplus(-30) - Math.exp(-30)) < 1e-25);
  assert.is(softplusD1(1000), 1);
  assert.is(softplusD1(-1000), 0);
  assert.is(softplusD2(1000), 0);
  assert.is(softplusD2(-1000), 0);
  assert.is(softplusD2(0), 0.25);
  // an ellipse sharpness of 1e4 deep inside: huge z, finite everything
  const params = buildParams(SYSTEMS.single_integrator);
  params[P.AOB] = 1e4;
  const m = refModel("single_integrator", params);
  const lx = new Float64Array(2), lu = new Float64Array(2), lxx = new Float64Array(4), luu = new Float64Array(4), lux = new Float64Array(4);
  for (const p of [[-2, 0], [500, 500], [-2, 4.999]]) {
    const c = m.runningCostDiff(lx, lu, lxx, luu, lux, new Float64Array(p), new Float64Array([1, 1]));
    for (const v of [c, ...lx, ...lxx]) assert.ok(Number.isFinite(v), `finite at ${p}`);
  }
});

test("smooth box: matches the formula, ~1 inside, 1/2 on an edge, 1/4 at a corner, small outside", () => {
  const params = buildParams(SYSTEMS.car_park);
  const acc = new Float64Array(PT.N);
  const at = (x: number, y: number): number => addBoxes(acc, 1, x, y, params);
  const S = (z: number): number => 0.5 * (1 + z / Math.sqrt(1 + z * z));
  const k = 50;
  const naive = (x: number, y: number): number => {
    let t = 0;
    for (const [xc, yc, wx, wy] of [[-10, 6.75, 17, 4.5], [10, 6.75, 17, 4.5], [0, -2, 40, 4]]) {
      t += S(k * (x - xc + wx / 2)) * (1 - S(k * (x - xc - wx / 2))) * S(k * (y - yc + wy / 2)) * (1 - S(k * (y - yc - wy / 2)));
    }
    return t;
  };
  for (const [x, y] of [[0, -2], [10, 6.75], [5, 0], [1.5, 4.5], [0, 6.75], [1.49, 5.2], [-3, 0.02], [7, 3]]) {
    assert.ok(Math.abs(at(x, y) - naive(x, y)) < 1e-12, `formula at (${x}, ${y})`);
  }
  // S has algebraic tails, S(-z) ~ 1/(4 z^2), so "inside" is 1 only to ~1e-4 with k = 50
  assert.ok(Math.abs(at(0, -2) - 1) < 1e-4, "kerb centre");
  assert.ok(Math.abs(at(10, 6.75) - 1) < 1e-4, "right car centre");
  assert.ok(Math.abs(at(5, 0) - 0.5) < 1e-4, "kerb top edge");
  assert.ok(Math.abs(at(1.5, 4.5) - 0.25) < 1e-4, "right car corner");
  assert.ok(at(0, 6.75) < 1e-4, "free slot");
  // far outside, the stable form keeps the tail positive where 1 - S(z) would cancel to 0
  assert.ok(at(0, 1e5) > 0 && at(0, 1e5) < 1e-12, "far tail");
});

test("peak term rewards the target: running cost is lowest right at the target", () => {
  for (const name of ["single_integrator", "manipulator"] as const) {
    const params = buildParams(SYSTEMS[name]);
    params[P.WOB] = 0;
    // the workspace cost reads only the shared slots, so the single integrator evaluates the
    // manipulator's target weights and a2 = 50 directly on a point
    const m = refModel("single_integrator", params);
    const u = new Float64Array(2);
    const c0 = m.runningCost(new Float64Array([params[P.XD], params[P.YD]]), u);
    const c1 = m.runningCost(new Float64Array([params[P.XD] + 0.3, params[P.YD]]), u);
    assert.ok(c0 < 0 && c0 < c1, `${name}: ${c0} ${c1}`);
  }
});

// ---------------------------------------------------------------------------------------------
// manipulator physics

/** Explicit bias vector written exactly as in systems.md 2.5, as an independent oracle. */
function specBias(x: Float64Array, L: number): number[] {
  const [, q1, q2, v0, v1, v2] = x;
  const s1 = Math.sin(q1), s2 = Math.sin(q2), s12 = Math.sin(q1 + q2);
  return [
    -L * (3 * s1 * v0 * v1 + s12 * v0 * v1 + 1.5 * s1 * v1 * v1 + 0.5 * s12 * v1 * v1 + s2 * v0 * v2 + s12 * v0 * v2
      + s2 * v1 * v2 + s12 * v1 * v2 + 0.5 * s2 * v2 * v2 + 0.5 * s12 * v2 * v2),
    L * (1.5 * s1 * v0 * v0 + 0.5 * s12 * v0 * v0 - s2 * v0 * v2 - s2 * v1 * v2 - 0.5 * s2 * v2 * v2),
    L * (0.5 * s2 * v0 * v0 + 0.5 * s12 * v0 * v0 + s2 * v0 * v1 + 0.5 * s2 * v1 * v1),
  ];
}

/** Kinetic energy from the link geometry: each COM's velocity from the kinematics, plus spin. */
function geometricKineticEnergy(x: Float64Array, l: number, mass: number, iz: number): number {
  let phi = 0, w = 0;
  // velocity of the current link's proximal joint
  let jvx = 0, jvy = 0;
  let T = 0;
  for (let i = 0; i < 3; i++) {
    phi += x[i];
    w += x[3 + i];
    // d/dt of (l/2)(cos phi, sin phi) = (l/2) w (-sin phi, cos phi)
    const vx = jvx - 0.5 * l * w * Math.sin(phi);
    const vy = jvy + 0.5 * l * w * Math.cos(phi);
    T += 0.5 * mass * (vx * vx + vy * vy) + 0.5 * iz * w * w;
    jvx -= l * w * Math.sin(phi);
    jvy += l * w * Math.cos(phi);
  }
  return T;
}

function quad(M: Float64Array, v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += v[i] * M[3 * i + j] * v[j];
  return s;
}

test("manipulator: M symmetric positive definite and equal to the geometric kinetic energy", () => {
  const params = buildParams(SYSTEMS.manipulator);
  const m = new Manipulator(params);
  const rng = mulberry32(99);
  const M = new Float64Array(9);
  for (let k = 0; k < 200; k++) {
    const x = new Float64Array(6);
    for (let i = 0; i < 3; i++) { x[i] = uni(rng, -Math.PI, Math.PI); x[3 + i] = uni(rng, -2, 2); }
    m.massMatrix(M, x);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) assert.is(M[3 * i + j], M[3 * j + i]);
    // Sylvester: all leading minors positive
    const d1 = M[0];
    const d2 = M[0] * M[4] - M[1] * M[3];
    const d3 = M[0] * (M[4] * M[8] - M[5] * M[7]) - M[1] * (M[3] * M[8] - M[5] * M[6]) + M[2] * (M[3] * M[7] - M[4] * M[6]);
    assert.ok(d1 > 0 && d2 > 0 && d3 > 0, `SPD at sample ${k}`);
    const T = geometricKineticEnergy(x, params[P.MA_LINK], params[P.MA_MASS], params[P.MA_IZ]);
    const Tm = 0.5 * quad(M, x.subarray(3));
    assert.ok(Math.abs(T - Tm) <= 1e-12 * (1 + T), `KE ${T} vs ${Tm}`);
  }
});

test("manipulator: bias h from Christoffel symbols equals the spec's closed form", () => {
  const params = buildParams(SYSTEMS.manipulator);
  const m = new Manipulator(params);
  const L = params[P.MA_LINK] ** 2 * params[P.MA_MASS];
  const rng = mulberry32(5);
  const h = new Float64Array(3);
  for (let k = 0; k < 100; k++) {
    const x = new Float64Array(6);
    for (let i = 0; i < 3; i++) { x[i] = uni(rng, -Math.PI, Math.PI); x[3 + i] = uni(rng, -2, 2); }
    m.bias(h, x);
    assertClose(`h (sample ${k})`, h, specBias(x, L), 1e-13, 1);
  }
});

/** Solves the 3x3 system M a = r by Cramer's rule (test-side, independent of the model's inverse). */
function solve3(M: Float64Array, r: ArrayLike<number>): number[] {
  const det = (m: ArrayLike<number>): number =>
    m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
  const d = det(M);
  const out: number[] = [];
  for (let c = 0; c < 3; c++) {
    const Mc = Float64Array.from(M);
    for (let i = 0; i < 3; i++) Mc[3 * i + c] = r[i];
    out.push(det(Mc) / d);
  }
  return out;
}

/** Largest relative drift of 0.5 dq^T M dq over 1 s of RK4 (dt = 1e-3) with the given acceleration. */
function energyDrift(m: Manipulator, x0: Float64Array, accel: (x: Float64Array) => ArrayLike<number>): number {
  const M = new Float64Array(9);
  const energy = (x: Float64Array): number => 0.5 * quad(m.massMatrix(M, x), x.subarray(3));
  const deriv = (x: Float64Array): Float64Array => {
    const a = accel(x);
    return Float64Array.from([x[3], x[4], x[5], a[0], a[1], a[2]]);
  };
  const shift = (x: Float64Array, k: Float64Array, c: number): Float64Array => x.map((v, i) => v + c * k[i]);
  const dt = 1e-3;
  let x = Float64Array.from(x0);
  const e0 = energy(x);
  let maxRel = 0;
  for (let s = 0; s < 1000; s++) {
    const k1 = deriv(x);
    const k2 = deriv(shift(x, k1, 0.5 * dt));
    const k3 = deriv(shift(x, k2, 0.5 * dt));
    const k4 = deriv(shift(x, k3, dt));
    x = x.map((v, i) => v + (dt / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]));
    maxRel = Math.max(maxRel, Math.abs(energy(x) - e0) / e0);
  }
  return maxRel;
}

test("manipulator: kinetic energy is conserved with tau = 0 (RK4, dt = 1e-3, 1 s)", () => {
  const params = buildParams(SYSTEMS.manipulator);
  const m = new Manipulator(params);
  const rng = mulberry32(2024);
  const tau = new Float64Array(3);
  const a = new Float64Array(3);
  const M = new Float64Array(9);
  const h = new Float64Array(3);
  for (let trial = 0; trial < 3; trial++) {
    const x0 = new Float64Array(6);
    for (let i = 0; i < 3; i++) { x0[i] = uni(rng, -Math.PI, Math.PI); x0[3 + i] = uni(rng, -1.5, 1.5); }
    const drift = energyDrift(m, x0, (x) => m.acceleration(a, x, tau));
    assert.ok(drift < 1e-6, `trial ${trial}: relative energy drift ${drift}`);
    // negative control: the same check must notice a bias with its centrifugal/Coriolis part halved
    const wrong = energyDrift(m, x0, (x) => {
      m.bias(h, x);
      return solve3(m.massMatrix(M, x), [-0.5 * h[0], -0.5 * h[1], -0.5 * h[2]]);
    });
    assert.ok(wrong > 1e-3, `trial ${trial}: a wrong bias only drifted ${wrong}`);
  }
});

test("manipulator: stepDiff exact also for large velocities and torques", () => {
  const params = buildParams(SYSTEMS.manipulator);
  const m = new Manipulator(params);
  const rng = mulberry32(31337);
  const A = new Float64Array(36), B = new Float64Array(18);
  for (let k = 0; k < 10; k++) {
    const x = new Float64Array(6);
    for (let i = 0; i < 3; i++) { x[i] = uni(rng, -4, 4); x[3 + i] = uni(rng, -6, 6); }
    const u = sampleControl(rng, params, 3);
    m.stepDiff(A, B, x, u);
    assertClose(`A (sample ${k})`, A, fdJacobian((o, z) => m.step(o, z, u), x, 6, H_X), RTOL_STEP, 1);
    assertClose(`B (sample ${k})`, B, fdJacobian((o, z) => m.step(o, x, z), u, 6, H_U), RTOL_STEP, 1);
  }
});

// ---------------------------------------------------------------------------------------------
// toy1d

test("toy1d: the sextic has three local minima in [-2.2, 2]", () => {
  const params = buildParams(SYSTEMS.toy1d);
  const m = new Toy1d(params);
  const lx = new Float64Array(1), lxx = new Float64Array(1);
  const minima: number[] = [];
  let prev = NaN;
  const n = 4400;
  for (let i = 0; i <= n; i++) {
    const x = -2.2 + (4.2 * i) / n;
    m.terminalCostDiff(lx, lxx, new Float64Array([x]));
    if (prev < 0 && lx[0] >= 0) minima.push(x);
    prev = lx[0];
  }
  assert.is(minima.length, 3, `minima at ${minima}`);
  // value agrees with the product form
  const roots = [1.9, 1.0, 0.6, -0.5, -1.2, -2.1];
  for (const x of [-2.2, -1.7, -0.3, 0.8, 1.4, 2.0]) {
    const prod = roots.reduce((acc, r) => acc * (x - r), 1);
    assert.ok(Math.abs(m.terminalCost(new Float64Array([x])) - prod) < 1e-12);
    assert.ok(Math.abs(m.runningCost(new Float64Array([x]), new Float64Array([2])) - prod - 0.1 * 4) < 1e-12);
  }
});

// ---------------------------------------------------------------------------------------------
// factory

test("refModel: dimensions, unknown names and live parameter blocks", () => {
  for (const name of SYSTEM_NAMES) {
    const m = refModel(name);
    assert.is(m.nx, SYSTEMS[name].nx);
    assert.is(m.nu, SYSTEMS[name].nu);
  }
  assert.throws(() => refModel("pendulum" as SystemName), /unknown system "pendulum"/);
  assert.throws(() => refModel("car", new Float64Array(3)), /params/);
  const params = buildParams(SYSTEMS.single_integrator);
  const m = refModel("single_integrator", params);
  const x = new Float64Array([20, 20]), u = new Float64Array(2);
  const before = m.runningCost(x, u);
  params[P.XD] = 20;
  params[P.YD] = 20;
  assert.ok(m.runningCost(x, u) < before, "moving the target in the block moves the cost");
  const out = new Float64Array(2);
  params[P.DT] = 0.5;
  m.step(out, new Float64Array([0, 0]), new Float64Array([1, 2]));
  assert.equal(Array.from(out), [0.5, 1]);
});

test.run();
