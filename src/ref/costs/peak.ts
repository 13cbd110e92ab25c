import { P } from "../../systems/layout.js";
import { PT } from "./point.js";
import { softplus, softplusD1, softplusD2 } from "./softplus.js";

/** Smoothing inside the square roots of the reference formula; part of the term's definition, not a tunable. */
const EPS = 0.1;
const SQRT_EPS = Math.sqrt(EPS);

/**
 * Adds weight * peak with
 *   peak = (1/a2) softplus(-a2 * g),  g = sqrt(dx^2+0.1) - 0.1 + sqrt(dy^2+0.1) - 0.1 - 2 sqrt(0.1),
 * a narrow valley at the target (the model subtracts it, so pass a negative weight for the bonus).
 * Returns the unweighted peak.
 */
export function addPeak(acc: Float64Array, weight: number, px: number, py: number, params: Float64Array): number {
  const a2 = params[P.A2];
  const dx = px - params[P.XD];
  const dy = py - params[P.YD];
  const rx = Math.sqrt(dx * dx + EPS);
  const ry = Math.sqrt(dy * dy + EPS);
  const g = rx - EPS + ry - EPS - 2 * SQRT_EPS;
  const z = -a2 * g;
  const value = softplus(z) / a2;
  const dg = -softplusD1(z);
  const dgg = a2 * softplusD2(z);
  const gx = dx / rx;
  const gy = dy / ry;
  // d/ddx (dx / sqrt(dx^2+eps)) = eps / (dx^2+eps)^{3/2}
  const gxx = EPS / (rx * rx * rx);
  const gyy = EPS / (ry * ry * ry);
  acc[PT.V] += weight * value;
  acc[PT.GX] += weight * dg * gx;
  acc[PT.GY] += weight * dg * gy;
  acc[PT.HXX] += weight * (dgg * gx * gx + dg * gxx);
  acc[PT.HXY] += weight * dgg * gx * gy;
  acc[PT.HYY] += weight * (dgg * gy * gy + dg * gyy);
  return value;
}
