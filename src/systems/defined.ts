/**
 * Benchmark systems written through `defineSystem` (issue 13's proof): the car with the published
 * constants of the hand-written model (specs.ts, assembly/models/car.ts and planar.ts), built from the
 * reusable cost terms. Same dynamics and costs, generated code: used by the tests and by
 * bench/defined.ts to compare the two.
 */
import { sin, cos, sum, type Expr } from "../sym/index.js";
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
