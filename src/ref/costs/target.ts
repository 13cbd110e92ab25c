import { P } from "../../systems/layout.js";
import { PT } from "./point.js";

/** Adds weight * d2, d2 = |p - target|^2; returns the unweighted d2. */
export function addTargetDistance(acc: Float64Array, weight: number, px: number, py: number, params: Float64Array): number {
  const dx = px - params[P.XD];
  const dy = py - params[P.YD];
  const d2 = dx * dx + dy * dy;
  acc[PT.V] += weight * d2;
  acc[PT.GX] += 2 * weight * dx;
  acc[PT.GY] += 2 * weight * dy;
  acc[PT.HXX] += 2 * weight;
  acc[PT.HYY] += 2 * weight;
  return d2;
}
