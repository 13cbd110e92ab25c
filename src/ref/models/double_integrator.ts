import { P } from "../../systems/layout.js";
import { BenchmarkModel } from "./base.js";

const NX = 4;
const NU = 2;

/** Double integrator: p' = p + dt v, v' = v + dt u / m; controlled point p, terminal vel2 = |v|^2. */
export class DoubleIntegrator extends BenchmarkModel {
  constructor(params: Float64Array) {
    super(params, NX, NU, 2, 2);
  }

  step(out: Float64Array, x: Float64Array, u: Float64Array): void {
    const dt = this.params[P.DT];
    const im = 1 / this.params[P.DI_MASS];
    out[0] = x[0] + dt * x[2];
    out[1] = x[1] + dt * x[3];
    out[2] = x[2] + dt * u[0] * im;
    out[3] = x[3] + dt * u[1] * im;
  }

  stepDiff(A: Float64Array, B: Float64Array): void {
    const dt = this.params[P.DT];
    const im = 1 / this.params[P.DI_MASS];
    A.fill(0, 0, NX * NX);
    B.fill(0, 0, NX * NU);
    for (let i = 0; i < NX; i++) A[i * NX + i] = 1;
    A[0 * NX + 2] = dt;
    A[1 * NX + 3] = dt;
    B[2 * NU + 0] = dt * im;
    B[3 * NU + 1] = dt * im;
  }
}
