import { P } from "../../systems/layout.js";
import type { RefModel } from "../model.js";

/**
 * 1-D three-minima toy: x' = x + dt u, l = w_u u^2 + w_x prod_i (x - r_i), terminal w_x prod_i (x - r_i).
 * The roots live in the parameter block, so the product is expanded into monomial coefficients on
 * every call (six roots: cheaper than caring) and evaluated with its derivatives by Horner's rule.
 */
export class Toy1d implements RefModel {
  readonly nx = 1;
  readonly nu = 1;
  /** coefficients of prod (x - r_i), highest degree first */
  private readonly coef = new Float64Array(P.TOY_NROOTS + 1);
  /** polynomial value, first and second derivative */
  private readonly poly = new Float64Array(3);

  constructor(readonly params: Float64Array) {}

  step(out: Float64Array, x: Float64Array, u: Float64Array): void {
    out[0] = x[0] + this.params[P.DT] * u[0];
  }

  stepDiff(A: Float64Array, B: Float64Array): void {
    A[0] = 1;
    B[0] = this.params[P.DT];
  }

  /** prod (x - r_i) and its first two derivatives into this.poly */
  polynomial(x: number): Float64Array {
    const c = this.coef;
    const n = P.TOY_NROOTS;
    c.fill(0);
    c[0] = 1;
    // multiply the degree-m polynomial c[0..m] by (x - r)
    for (let m = 0; m < n; m++) {
      const r = this.params[P.TOY_ROOTS + m];
      c[m + 1] = -r * c[m];
      for (let j = m; j >= 1; j--) c[j] -= r * c[j - 1];
    }
    let p = c[0], d1 = 0, d2 = 0;
    for (let j = 1; j <= n; j++) {
      d2 = d2 * x + 2 * d1;
      d1 = d1 * x + p;
      p = p * x + c[j];
    }
    this.poly[0] = p;
    this.poly[1] = d1;
    this.poly[2] = d2;
    return this.poly;
  }

  runningCost(x: Float64Array, u: Float64Array): number {
    return this.params[P.WU] * u[0] * u[0] + this.params[P.TOY_WX] * this.polynomial(x[0])[0];
  }

  runningCostDiff(
    lx: Float64Array, lu: Float64Array, lxx: Float64Array, luu: Float64Array, lux: Float64Array,
    x: Float64Array, u: Float64Array,
  ): number {
    const wu = this.params[P.WU];
    const wx = this.params[P.TOY_WX];
    const p = this.polynomial(x[0]);
    lx[0] = wx * p[1];
    lxx[0] = wx * p[2];
    lu[0] = 2 * wu * u[0];
    luu[0] = 2 * wu;
    lux[0] = 0;
    return wu * u[0] * u[0] + wx * p[0];
  }

  terminalCost(x: Float64Array): number {
    return this.params[P.TOY_WX] * this.polynomial(x[0])[0];
  }

  terminalCostDiff(lx: Float64Array, lxx: Float64Array, x: Float64Array): number {
    const wx = this.params[P.TOY_WX];
    const p = this.polynomial(x[0]);
    lx[0] = wx * p[1];
    lxx[0] = wx * p[2];
    return wx * p[0];
  }
}
