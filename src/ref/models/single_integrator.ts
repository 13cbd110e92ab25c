import { P } from "../../systems/layout.js";
import { addControlCost, controlCost } from "../costs/control.js";
import { PT } from "../costs/point.js";
import { addPointAsFirstTwoStates, workspaceCost } from "../costs/workspace.js";
import type { RefModel } from "../model.js";

/** Single integrator: p' = p + dt u; the controlled point is the state itself. */
export class SingleIntegrator implements RefModel {
  readonly nx = 2;
  readonly nu = 2;
  private readonly pt = new Float64Array(PT.N);

  constructor(readonly params: Float64Array) {}

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

  runningCost(x: Float64Array, u: Float64Array): number {
    const p = this.params;
    return workspaceCost(this.pt, x[0], x[1], p) + p[P.S] * p[P.WU] * controlCost(u, 2, p);
  }

  runningCostDiff(
    lx: Float64Array, lu: Float64Array, lxx: Float64Array, luu: Float64Array, lux: Float64Array,
    x: Float64Array, u: Float64Array,
  ): number {
    const p = this.params;
    lx.fill(0, 0, 2); lu.fill(0, 0, 2); lxx.fill(0, 0, 4); luu.fill(0, 0, 4); lux.fill(0, 0, 4);
    const c = workspaceCost(this.pt, x[0], x[1], p);
    addPointAsFirstTwoStates(lx, lxx, 2, this.pt);
    const wu = p[P.S] * p[P.WU];
    return c + wu * addControlCost(lu, luu, wu, u, 2, p);
  }

  terminalCost(x: Float64Array): number {
    // no velocity state, so the w_v term is identically zero
    return workspaceCost(this.pt, x[0], x[1], this.params);
  }

  terminalCostDiff(lx: Float64Array, lxx: Float64Array, x: Float64Array): number {
    lx.fill(0, 0, 2); lxx.fill(0, 0, 4);
    const c = workspaceCost(this.pt, x[0], x[1], this.params);
    addPointAsFirstTwoStates(lx, lxx, 2, this.pt);
    return c;
  }
}
