import { P } from "../../systems/layout.js";
import { BenchmarkModel } from "./base.js";

const NX = 5;
const NU = 2;

/**
 * Kinematic car with acceleration state x = [px, py, th, v, a], u = [yaw rate, jerk]; the position
 * update integrates the acceleration exactly over the step (the 0.5 dt^2 a term). Controlled point
 * (px, py); the terminal velocity term, if w_v is set, is v^2.
 */
export class Car extends BenchmarkModel {
  constructor(params: Float64Array) {
    super(params, NX, NU, 3, 1);
  }

  step(out: Float64Array, x: Float64Array, u: Float64Array): void {
    const dt = this.params[P.DT];
    const ds = dt * x[3] + 0.5 * dt * dt * x[4];
    out[0] = x[0] + ds * Math.cos(x[2]);
    out[1] = x[1] + ds * Math.sin(x[2]);
    out[2] = x[2] + dt * u[0];
    out[3] = x[3] + dt * x[4];
    out[4] = x[4] + dt * u[1];
  }

  stepDiff(A: Float64Array, B: Float64Array, x: Float64Array): void {
    const dt = this.params[P.DT];
    const c = Math.cos(x[2]);
    const s = Math.sin(x[2]);
    const ds = dt * x[3] + 0.5 * dt * dt * x[4];
    A.fill(0, 0, NX * NX);
    B.fill(0, 0, NX * NU);
    for (let i = 0; i < NX; i++) A[i * NX + i] = 1;
    A[0 * NX + 2] = -ds * s;
    A[0 * NX + 3] = dt * c;
    A[0 * NX + 4] = 0.5 * dt * dt * c;
    A[1 * NX + 2] = ds * c;
    A[1 * NX + 3] = dt * s;
    A[1 * NX + 4] = 0.5 * dt * dt * s;
    A[3 * NX + 4] = dt;
    B[2 * NU + 0] = dt;
    B[4 * NU + 1] = dt;
  }

  /**
   * lam-contracted curvature (exact DDP); as assembly/models/curvature.ts carStepHess: only px', py'
   * are nonlinear, in (th, v, a), and u enters linearly (Huu = Hux = 0).
   */
  stepHess(Hxx: Float64Array, Huu: Float64Array, Hux: Float64Array, x: Float64Array, _u: Float64Array, lam: Float64Array): boolean {
    const dt = this.params[P.DT], h = 0.5 * dt * dt;
    const th = x[2], v = x[3], a = x[4];
    const c = Math.cos(th), s = Math.sin(th);
    const r = dt * v + h * a;
    const l0 = lam[0], l1 = lam[1];
    const w = l1 * c - l0 * s; // lam . d/dth of (cos th, sin th)
    Hxx.fill(0, 0, NX * NX);
    Hxx[2 * NX + 2] = -r * (l0 * c + l1 * s);
    Hxx[2 * NX + 3] = dt * w; Hxx[3 * NX + 2] = dt * w;
    Hxx[2 * NX + 4] = h * w; Hxx[4 * NX + 2] = h * w;
    Huu.fill(0, 0, NU * NU);
    Hux.fill(0, 0, NU * NX);
    return true;
  }
}
