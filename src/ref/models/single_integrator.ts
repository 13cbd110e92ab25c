import { P } from "../../systems/layout.js";
import { BenchmarkModel } from "./base.js";

/** Single integrator: p' = p + dt u; the controlled point is the state itself. */
export class SingleIntegrator extends BenchmarkModel {
  constructor(params: Float64Array) {
    super(params, 2, 2, 2, 0);
  }

  step(out: Float64Array, x: Float64Array, u: Float64Array): void {
    const dt = this.params[P.DT];
    out[0] = x[0] + dt * u[0];
    out[1] = x[1] + dt * u[1];
  }

  stepDiff(A: Float64Array, B: Float64Array): void {
    const dt = this.params[P.DT];
    A.fill(0, 0, 4);
    B.fill(0, 0, 4);
    A[0] = 1; A[3] = 1;
    B[0] = dt; B[3] = dt;
  }
}
