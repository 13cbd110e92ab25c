import { P } from "../../systems/layout.js";

/**
 * Quadratic control cost with the soft bound of the reference,
 *   ctrl = sum_i u_i^2 + w_b (u_i / umax_i)^10,
 * w_b = params[WB], umax from params[UMAX..]. The tenth power keeps the cost smooth (Newton-friendly)
 * while growing steeply past |u| = umax.
 */
export function controlCost(u: Float64Array, nu: number, params: Float64Array): number {
  const wb = params[P.WB];
  let c = 0;
  for (let i = 0; i < nu; i++) {
    const r = u[i] / params[P.UMAX + i];
    const r2 = r * r;
    const r4 = r2 * r2;
    c += u[i] * u[i] + wb * r4 * r4 * r2;
  }
  return c;
}

/**
 * Adds weight * ctrl into lu and the diagonal of the row-major nu x nu luu; returns the unweighted ctrl.
 */
export function addControlCost(
  lu: Float64Array, luu: Float64Array, weight: number, u: Float64Array, nu: number, params: Float64Array,
): number {
  const wb = params[P.WB];
  let c = 0;
  for (let i = 0; i < nu; i++) {
    const um = params[P.UMAX + i];
    const r = u[i] / um;
    const r2 = r * r;
    const r4 = r2 * r2;
    const r8 = r4 * r4;
    c += u[i] * u[i] + wb * r8 * r2;
    lu[i] += weight * (2 * u[i] + (10 * wb * r8 * r) / um);
    luu[i * nu + i] += weight * (2 + (90 * wb * r8) / (um * um));
  }
  return c;
}
