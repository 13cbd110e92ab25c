import { P } from "../../systems/layout.js";
import { addControlCost, controlCost } from "../costs/control.js";
import { PT } from "../costs/point.js";
import { addVelocityCost } from "../costs/velocity.js";
import { addPointAsFirstTwoStates, workspaceCost } from "../costs/workspace.js";
import type { RefModel } from "../model.js";

/**
 * The cost structure every benchmark system shares: a position cost (by default target distance +
 * valley + ellipses on the point (x_0, x_1); the car park and the manipulator override it), control
 * effort with the soft bound, and at the end w_v times the squared velocity components [v0, v0 + nv).
 * Subclasses give the dynamics.
 */
export abstract class BenchmarkModel implements RefModel {
  private readonly planarPt = new Float64Array(PT.N);
  private readonly gx: Float64Array;
  private readonly hxx: Float64Array;

  constructor(
    readonly params: Float64Array, readonly nx: number, readonly nu: number,
    private readonly v0: number, private readonly nv: number,
  ) {
    this.gx = new Float64Array(nx);
    this.hxx = new Float64Array(nx * nx);
  }

  abstract step(out: Float64Array, x: Float64Array, u: Float64Array): void;
  abstract stepDiff(A: Float64Array, B: Float64Array, x: Float64Array, u: Float64Array): void;

  /** the state-dependent cost (scaled) of x; ADDS its gradient and Hessian into lx, lxx */
  protected positionCost(lx: Float64Array, lxx: Float64Array, x: Float64Array): number {
    const c = workspaceCost(this.planarPt, x[0], x[1], this.params);
    addPointAsFirstTwoStates(lx, lxx, this.nx, this.planarPt);
    return c;
  }

  runningCost(x: Float64Array, u: Float64Array): number {
    const p = this.params;
    this.gx.fill(0); this.hxx.fill(0);
    return this.positionCost(this.gx, this.hxx, x) + p[P.S] * p[P.WU] * controlCost(u, this.nu, p);
  }

  runningCostDiff(
    lx: Float64Array, lu: Float64Array, lxx: Float64Array, luu: Float64Array, lux: Float64Array,
    x: Float64Array, u: Float64Array,
  ): number {
    const { nx, nu, params: p } = this;
    lx.fill(0, 0, nx); lu.fill(0, 0, nu); lxx.fill(0, 0, nx * nx); luu.fill(0, 0, nu * nu); lux.fill(0, 0, nu * nx);
    const c = this.positionCost(lx, lxx, x);
    const wu = p[P.S] * p[P.WU];
    return c + wu * addControlCost(lu, luu, wu, u, nu, p);
  }

  terminalCost(x: Float64Array): number {
    return this.terminalCostDiff(this.gx, this.hxx, x);
  }

  terminalCostDiff(lx: Float64Array, lxx: Float64Array, x: Float64Array): number {
    const { nx, params: p } = this;
    lx.fill(0, 0, nx); lxx.fill(0, 0, nx * nx);
    const c = this.positionCost(lx, lxx, x);
    if (this.nv === 0) return c;
    const wv = p[P.S] * p[P.WV];
    return c + wv * addVelocityCost(lx, lxx, wv, x, nx, this.v0, this.nv);
  }
}
