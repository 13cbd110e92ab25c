import { P } from "../../systems/layout.js";
import { PT } from "./point.js";
import { softplus, softplusD1, softplusD2 } from "./softplus.js";

/**
 * Adds weight * sum_j ob_j over the parameter block's ellipses,
 *   ob_j = (1/a) softplus(-a * ((px-XC)^2/(A/2)^2 + (py-YC)^2/(B/2)^2 - 1)),
 * A, B full widths. ob_j is ~1 at the centre and ln2/a on the boundary. Returns the unweighted sum.
 */
export function addEllipses(acc: Float64Array, weight: number, px: number, py: number, params: Float64Array): number {
  const a = params[P.AOB];
  const n = params[P.NOBS];
  let total = 0;
  for (let j = 0; j < n; j++) {
    const o = P.OBS + 4 * j;
    const ex = px - params[o];
    const ey = py - params[o + 1];
    const ha = 0.5 * params[o + 2];
    const hb = 0.5 * params[o + 3];
    const ia = 1 / (ha * ha);
    const ib = 1 / (hb * hb);
    const e = ex * ex * ia + ey * ey * ib - 1;
    const z = -a * e;
    const value = softplus(z) / a;
    const de = -softplusD1(z);
    const dee = a * softplusD2(z);
    const gx = 2 * ex * ia;
    const gy = 2 * ey * ib;
    total += value;
    acc[PT.V] += weight * value;
    acc[PT.GX] += weight * de * gx;
    acc[PT.GY] += weight * de * gy;
    acc[PT.HXX] += weight * (dee * gx * gx + de * 2 * ia);
    acc[PT.HXY] += weight * dee * gx * gy;
    acc[PT.HYY] += weight * (dee * gy * gy + de * 2 * ib);
  }
  return total;
}
