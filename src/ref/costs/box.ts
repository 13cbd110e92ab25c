import { P } from "../../systems/layout.js";
import { PT } from "./point.js";

/**
 * Smooth step S(z) = 0.5 (1 + z / sqrt(1+z^2)). For z < 0 the same value is written as
 * 0.5 / (r (r - z)), r = sqrt(1+z^2), which avoids the cancellation 1 - |z|/r far outside a box
 * (the box factors multiply, so relative accuracy of tiny values matters for the gradient).
 */
function step(z: number): number {
  const r = Math.sqrt(1 + z * z);
  return z >= 0 ? 0.5 * (1 + z / r) : 0.5 / (r * (r - z));
}

function stepD1(z: number): number {
  const r = Math.sqrt(1 + z * z);
  return 0.5 / (r * r * r);
}

function stepD2(z: number): number {
  const r2 = 1 + z * z;
  const r = Math.sqrt(r2);
  return (-1.5 * z) / (r2 * r2 * r);
}

/** Which slot of the 3-slot window profile receives value, first and second derivative. */
const W0 = 0;
const W1 = 1;
const W2 = 2;

/**
 * The one-dimensional window w(t) = S(k(t - c + W/2)) * (1 - S(k(t - c - W/2))) and its derivatives,
 * written to out[0..2]. 1 - S(z) is evaluated as S(-z) for the same cancellation reason as above.
 */
function windowProfile(out: Float64Array, off: number, t: number, c: number, width: number, k: number): void {
  const z1 = k * (t - c + 0.5 * width);
  const z2 = k * (t - c - 0.5 * width);
  const f = step(z1);
  const g = step(-z2);
  const f1 = k * stepD1(z1);
  const g1 = -k * stepD1(-z2);
  const f2 = k * k * stepD2(z1);
  const g2 = k * k * stepD2(-z2);
  out[off + W0] = f * g;
  out[off + W1] = f1 * g + f * g1;
  out[off + W2] = f2 * g + 2 * f1 * g1 + f * g2;
}

/** Scratch for the x and y window profiles; module-level so the hot path never allocates. */
const prof = new Float64Array(6);

/**
 * Adds weight * sum_b box_b(px, py) over the car_park boxes of the parameter block (centre, full
 * widths Wx, Wy; sharpness k = params[CP_KBOX]). Returns the unweighted sum.
 */
export function addBoxes(acc: Float64Array, weight: number, px: number, py: number, params: Float64Array): number {
  const k = params[P.CP_KBOX];
  const n = params[P.CP_NBOX];
  let total = 0;
  for (let b = 0; b < n; b++) {
    const o = P.CP_BOX + 4 * b;
    windowProfile(prof, 0, px, params[o], params[o + 2], k);
    windowProfile(prof, 3, py, params[o + 1], params[o + 3], k);
    const fx = prof[W0], fx1 = prof[W1], fx2 = prof[W2];
    const fy = prof[3 + W0], fy1 = prof[3 + W1], fy2 = prof[3 + W2];
    const value = fx * fy;
    total += value;
    acc[PT.V] += weight * value;
    acc[PT.GX] += weight * fx1 * fy;
    acc[PT.GY] += weight * fx * fy1;
    acc[PT.HXX] += weight * fx2 * fy;
    acc[PT.HXY] += weight * fx1 * fy1;
    acc[PT.HYY] += weight * fx * fy2;
  }
  return total;
}
