/**
 * Benchmark systems written through `defineSystem` (issue 13's proof): the car with the published
 * constants of the hand-written models (specs.ts, assembly/models/car.ts, planar.ts, manipulator.ts),
 * built from the reusable cost terms. Same dynamics and costs, generated code: used by the tests and by
 * bench/defined.ts to compare the two.
 */
import { sin, cos, sum, add, sub, mul, div, neg, dot, square, constant, type Expr } from "../sym/index.js";
import { defineSystem, type UserSystem } from "./define.js";
import { SYSTEMS } from "./specs.js";
import { targetDistance2, valley, ellipseObstacle, softControl, sumSquares } from "./cost-terms.js";

/** the car of SYSTEMS.car (same constants), defined symbolically */
export function definedCar(): UserSystem {
  const c = SYSTEMS.car, w = c.weights, dt = c.dt;
  const point = (x: Expr[]) => {
    const [px, py] = x;
    return targetDistance2(px, py, c.target).mul(w.wd).sub(valley(px, py, c.target, w.a2).mul(w.wpeak))
      .add(sum(c.obstacles.map((o) => ellipseObstacle(px, py, o, w.aob))).mul(w.wob));
  };
  return defineSystem({
    name: "car (defineSystem)", title: c.title, nx: 5, nu: 2, dt, nsteps: c.nsteps,
    stateNames: c.stateNames, controlNames: c.controlNames,
    dynamics: ([px, py, th, v, a], [om, j]) => {
      const r = v.mul(dt).add(a.mul(0.5 * dt * dt));
      return [px.add(r.mul(cos(th))), py.add(r.mul(sin(th))), th.add(om.mul(dt)), v.add(a.mul(dt)), a.add(j.mul(dt))];
    },
    running: (x, u) => point(x).add(softControl(u, c.umax, w.wb).mul(w.wu)).mul(w.s),
    terminal: (x) => point(x).add(sumSquares([x[3]]).mul(w.wv)).mul(w.s),
    umax: c.umax, sampleRanges: c.sampleRanges, k0Range: c.k0Range, norm: c.norm, evalStates: c.evalStates,
    positionIndex: [0, 1], nstepReturn: c.nstepReturn, solverDefaults: c.solverDefaults,
  });
}

/**
 * The manipulator's joint accelerations M(q)^-1 (tau - h(q, dq)) with the published inertia matrix and
 * bias (../shared/spec/systems.md 2.5), M^-1 by the adjugate; link length l, mass m, inertia iz.
 */
export function manipulatorAccel(q: Expr[], v: Expr[], tau: Expr[], l: number, m: number, iz: number): Expr[] {
  const LL = l * l * m;
  const c1 = cos(q[1]), c2 = cos(q[2]), c12 = cos(add(q[1], q[2]));
  const s1 = sin(q[1]), s2 = sin(q[2]), s12 = sin(add(q[1], q[2]));
  const lin = (c: number, ...t: [number, Expr][]) => sum(c, ...t.map(([k, e]) => mul(k, e)));
  const M00 = lin(3 * iz + 3.75 * LL, [3 * LL, c1], [LL, c2], [LL, c12]);
  const M01 = lin(2 * iz + 1.5 * LL, [1.5 * LL, c1], [LL, c2], [0.5 * LL, c12]);
  const M02 = lin(iz + 0.25 * LL, [0.5 * LL, c2], [0.5 * LL, c12]);
  const M11 = lin(2 * iz + 1.5 * LL, [LL, c2]);
  const M12 = lin(iz + 0.25 * LL, [0.5 * LL, c2]);
  const M22 = constant(iz + 0.25 * LL);
  const [v0, v1, v2] = v;
  const h0 = mul(-LL, sum(mul(3, mul(s1, mul(v0, v1))), mul(s12, mul(v0, v1)), mul(1.5, mul(s1, square(v1))), mul(0.5, mul(s12, square(v1))),
    mul(s2, mul(v0, v2)), mul(s12, mul(v0, v2)), mul(s2, mul(v1, v2)), mul(s12, mul(v1, v2)), mul(0.5, mul(s2, square(v2))), mul(0.5, mul(s12, square(v2)))));
  const h1 = mul(LL, sum(mul(1.5, mul(s1, square(v0))), mul(0.5, mul(s12, square(v0))), neg(mul(s2, mul(v0, v2))), neg(mul(s2, mul(v1, v2))), mul(-0.5, mul(s2, square(v2)))));
  const h2 = mul(LL, sum(mul(0.5, mul(s2, square(v0))), mul(0.5, mul(s12, square(v0))), mul(s2, mul(v0, v1)), mul(0.5, mul(s2, square(v1)))));
  const M = [[M00, M01, M02], [M01, M11, M12], [M02, M12, M22]];
  const r = [sub(tau[0], h0), sub(tau[1], h1), sub(tau[2], h2)];
  const cof = (i: number, j: number) => {
    const rows = [0, 1, 2].filter((k) => k !== i), cols = [0, 1, 2].filter((k) => k !== j);
    const d = sub(mul(M[rows[0]][cols[0]], M[rows[1]][cols[1]]), mul(M[rows[0]][cols[1]], M[rows[1]][cols[0]]));
    return (i + j) % 2 === 0 ? d : neg(d);
  };
  const C = [0, 1, 2].map((i) => [0, 1, 2].map((j) => cof(i, j)));
  const det = dot(M[0], C[0]);
  // M symmetric: its inverse is C^T / det = C / det
  return [0, 1, 2].map((i) => div(dot(C[i], r), det));
}

/** the manipulator of SYSTEMS.manipulator (same constants), defined symbolically */
export function definedManipulator(): UserSystem {
  const c = SYSTEMS.manipulator, w = c.weights, dt = c.dt, e = c.extra;
  const endEffector = (x: Expr[]): [Expr, Expr] => {
    const a01 = add(x[0], x[1]), a012 = add(a01, x[2]);
    return [add(e.baseX, mul(e.link, sum(cos(x[0]), cos(a01), cos(a012)))), add(e.baseY, mul(e.link, sum(sin(x[0]), sin(a01), sin(a012))))];
  };
  const point = (x: Expr[]) => {
    const [px, py] = endEffector(x);
    return targetDistance2(px, py, c.target).mul(w.wd).sub(valley(px, py, c.target, w.a2).mul(w.wpeak))
      .add(sum(c.obstacles.map((o) => ellipseObstacle(px, py, o, w.aob))).mul(w.wob));
  };
  return defineSystem({
    name: "manipulator (defineSystem)", title: c.title, nx: 6, nu: 3, dt, nsteps: c.nsteps,
    stateNames: c.stateNames, controlNames: c.controlNames,
    dynamics: (x, u) => {
      const q = x.slice(0, 3), v = x.slice(3), acc = manipulatorAccel(q, v, u, e.link, e.mass, e.iz);
      return [...q.map((qi, i) => qi.add(v[i].mul(dt))), ...v.map((vi, i) => vi.add(acc[i].mul(dt)))];
    },
    running: (x, u) => point(x).add(softControl(u, c.umax, w.wb).mul(w.wu)).mul(w.s),
    terminal: (x) => point(x).add(sumSquares(x.slice(3)).mul(w.wv)).mul(w.s),
    umax: c.umax, sampleRanges: c.sampleRanges, k0Range: c.k0Range, norm: c.norm, evalStates: c.evalStates,
    nstepReturn: c.nstepReturn, solverDefaults: c.solverDefaults,
  });
}
