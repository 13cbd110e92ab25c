import { P } from "../../systems/layout.js";
import { addEllipses } from "./ellipse.js";
import { addPeak } from "./peak.js";
import { clearPoint, PT } from "./point.js";
import { addTargetDistance } from "./target.js";

/**
 * The position part of the shared cost family on one controlled point,
 *   s * (w_d d2 - w_peak peak + w_ob sum_j ob_j),
 * written (not added) to acc in the PT layout; returns its value.
 */
export function workspaceCost(acc: Float64Array, px: number, py: number, params: Float64Array): number {
  const s = params[P.S];
  clearPoint(acc);
  addTargetDistance(acc, s * params[P.WD], px, py, params);
  addPeak(acc, -s * params[P.WPEAK], px, py, params);
  addEllipses(acc, s * params[P.WOB], px, py, params);
  return acc[PT.V];
}

/** Adds point derivatives to lx / lxx when the point is simply state components 0 and 1. */
export function addPointAsFirstTwoStates(lx: Float64Array, lxx: Float64Array, nx: number, acc: Float64Array): void {
  lx[0] += acc[PT.GX];
  lx[1] += acc[PT.GY];
  lxx[0] += acc[PT.HXX];
  lxx[1] += acc[PT.HXY];
  lxx[nx] += acc[PT.HXY];
  lxx[nx + 1] += acc[PT.HYY];
}
