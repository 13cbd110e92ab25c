// The only place that knows which systems exist: the solver calls these four entry points.
import { SYS_TOY1D, SYS_SINGLE_INTEGRATOR, SYS_DOUBLE_INTEGRATOR, SYS_CAR, SYS_CAR_PARK, SYS_MANIPULATOR } from "../params";
import { toyStep, toyStepDiff, toyRunning, toyTerminal } from "./toy1d";
import { singleStep, singleStepDiff, doubleStep, doubleStepDiff } from "./integrators";
import { carStep, carStepDiff } from "./car";
import { parkStep, parkStepDiff, parkRunning, parkTerminal } from "./carpark";
import { armStep, armStepDiff, armRunning, armTerminal } from "./manipulator";
import { planarRunning, planarTerminal } from "./planar";
import { carStepHess, parkStepHess, armStepHess } from "./curvature";
import { zero } from "../mem";

/** out = f(x, u) */
export function step(sys: i32, p: usize, x: usize, u: usize, out: usize): void {
  switch (sys) {
    case SYS_TOY1D: toyStep(p, x, u, out); break;
    case SYS_SINGLE_INTEGRATOR: singleStep(p, x, u, out); break;
    case SYS_DOUBLE_INTEGRATOR: doubleStep(p, x, u, out); break;
    case SYS_CAR: carStep(p, x, u, out); break;
    case SYS_CAR_PARK: parkStep(p, x, u, out); break;
    case SYS_MANIPULATOR: armStep(p, x, u, out); break;
    default: unreachable();
  }
}

/** A = f_x, B = f_u (row-major) */
export function stepDiff(sys: i32, p: usize, x: usize, u: usize, A: usize, B: usize): void {
  switch (sys) {
    case SYS_TOY1D: toyStepDiff(p, A, B); break;
    case SYS_SINGLE_INTEGRATOR: singleStepDiff(p, A, B); break;
    case SYS_DOUBLE_INTEGRATOR: doubleStepDiff(p, A, B); break;
    case SYS_CAR: carStepDiff(p, x, A, B); break;
    case SYS_CAR_PARK: parkStepDiff(p, x, A, B); break;
    case SYS_MANIPULATOR: armStepDiff(p, x, u, A, B); break;
    default: unreachable();
  }
}

/**
 * Curvature of f contracted with lam: Hxx (n*n), Huu (m*m), Hux (m*n), overwritten. Returns false
 * (and writes nothing) for systems whose dynamics are linear, so the caller can skip the terms.
 */
export function stepHess(sys: i32, p: usize, x: usize, u: usize, lam: usize, Hxx: usize, Huu: usize, Hux: usize): bool {
  switch (sys) {
    case SYS_CAR: carStepHess(p, x, lam, Hxx); zero(Huu, 4); zero(Hux, 10); return true;
    case SYS_CAR_PARK: parkStepHess(p, x, lam, Hxx); zero(Huu, 4); zero(Hux, 10); return true;
    case SYS_MANIPULATOR: armStepHess(p, x, u, lam, Hxx, Hux); zero(Huu, 9); return true;
    default: return false;
  }
}

/** l(x, u); with diff, also its gradient and Hessian blocks (overwritten) */
export function running(sys: i32, p: usize, x: usize, u: usize, diff: bool, lx: usize, lu: usize, lxx: usize, luu: usize, lux: usize): f64 {
  switch (sys) {
    case SYS_TOY1D: return toyRunning(p, x, u, diff, lx, lu, lxx, luu, lux);
    case SYS_SINGLE_INTEGRATOR: return planarRunning(p, x, u, 2, 2, diff, lx, lu, lxx, luu, lux);
    case SYS_DOUBLE_INTEGRATOR: return planarRunning(p, x, u, 4, 2, diff, lx, lu, lxx, luu, lux);
    case SYS_CAR: return planarRunning(p, x, u, 5, 2, diff, lx, lu, lxx, luu, lux);
    case SYS_CAR_PARK: return parkRunning(p, x, u, diff, lx, lu, lxx, luu, lux);
    case SYS_MANIPULATOR: return armRunning(p, x, u, diff, lx, lu, lxx, luu, lux);
    default: unreachable();
  }
  return 0;
}

/** l_N(x); with diff, also its gradient and Hessian */
export function terminal(sys: i32, p: usize, x: usize, diff: bool, lx: usize, lxx: usize): f64 {
  switch (sys) {
    case SYS_TOY1D: return toyTerminal(p, x, diff, lx, lxx);
    case SYS_SINGLE_INTEGRATOR: return planarTerminal(p, x, 2, 2, 2, diff, lx, lxx);
    case SYS_DOUBLE_INTEGRATOR: return planarTerminal(p, x, 4, 2, 4, diff, lx, lxx);
    case SYS_CAR: return planarTerminal(p, x, 5, 3, 4, diff, lx, lxx);
    case SYS_CAR_PARK: return parkTerminal(p, x, diff, lx, lxx);
    case SYS_MANIPULATOR: return armTerminal(p, x, diff, lx, lxx);
    default: unreachable();
  }
  return 0;
}

/** dimensions of a system id, or -1 when unknown */
export function systemNx(sys: i32): i32 {
  switch (sys) {
    case SYS_TOY1D: return 1;
    case SYS_SINGLE_INTEGRATOR: return 2;
    case SYS_DOUBLE_INTEGRATOR: return 4;
    case SYS_CAR: return 5;
    case SYS_CAR_PARK: return 5;
    case SYS_MANIPULATOR: return 6;
    default: return -1;
  }
}

export function systemNu(sys: i32): i32 {
  switch (sys) {
    case SYS_TOY1D: return 1;
    case SYS_MANIPULATOR: return 3;
    case SYS_SINGLE_INTEGRATOR: case SYS_DOUBLE_INTEGRATOR: case SYS_CAR: case SYS_CAR_PARK: return 2;
    default: return -1;
  }
}
