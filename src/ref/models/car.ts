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
}
