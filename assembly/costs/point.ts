// Cost terms on a 2-D point p = (px, py): target distance, target valley ("peak"), ellipse obstacles.
// Values are unscaled (the model multiplies by s). When diff is set the gradient and Hessian w.r.t.
// the point are left in the module globals below (the caller chains them through its point map).
import { par, P_WD, P_WPEAK, P_A2, P_XD, P_YD, P_NOBS, P_OBS, P_WOB, P_AOB } from "../params";
import { softplus, sigmoid } from "./smooth";

export let pgx: f64 = 0;
export let pgy: f64 = 0;
export let phxx: f64 = 0;
export let phxy: f64 = 0;
export let phyy: f64 = 0;

const SQ01: f64 = 0.31622776601683794; // sqrt(0.1)

/** w_d*d2 - w_peak*peak: distance to the target and the narrow valley around it */
export function targetCost(p: usize, px: f64, py: f64, diff: bool): f64 {
  const wd = par(p, P_WD);
  const wpk = par(p, P_WPEAK);
  const a2 = par(p, P_A2);
  const dx = px - par(p, P_XD);
  const dy = py - par(p, P_YD);
  const qx = Math.sqrt(dx * dx + 0.1);
  const qy = Math.sqrt(dy * dy + 0.1);
  const g = qx - 0.1 + qy - 0.1 - 2.0 * SQ01;
  const z = -a2 * g;
  const v = wd * (dx * dx + dy * dy) - wpk * softplus(z) / a2;
  if (diff) {
    const sg = sigmoid(z);
    const gx = dx / qx;
    const gy = dy / qy;
    const gxx = 0.1 / (qx * qx * qx);
    const gyy = 0.1 / (qy * qy * qy);
    const c2 = a2 * sg * (1.0 - sg);
    // d(-wpk*peak)/dg = wpk*sg ; d2/dg2 = -wpk*a2*sg*(1-sg)
    pgx = 2.0 * wd * dx + wpk * sg * gx;
    pgy = 2.0 * wd * dy + wpk * sg * gy;
    phxx = 2.0 * wd - wpk * (c2 * gx * gx - sg * gxx);
    phyy = 2.0 * wd - wpk * (c2 * gy * gy - sg * gyy);
    phxy = -wpk * c2 * gx * gy;
  }
  return v;
}

/** w_ob * sum_j softplus(-a*e_j)/a over the ellipses; derivatives ADDED to the globals */
export function ellipsesCost(p: usize, px: f64, py: f64, diff: bool): f64 {
  const n = <i32>par(p, P_NOBS);
  const wob = par(p, P_WOB);
  const a = par(p, P_AOB);
  let v: f64 = 0;
  for (let j = 0; j < n; j++) {
    const o = P_OBS + 4 * j;
    const rx = 0.5 * par(p, o + 2);
    const ry = 0.5 * par(p, o + 3);
    const ix = 1.0 / (rx * rx);
    const iy = 1.0 / (ry * ry);
    const ex0 = px - par(p, o);
    const ey0 = py - par(p, o + 1);
    const e = ex0 * ex0 * ix + ey0 * ey0 * iy - 1.0;
    const z = -a * e;
    v += softplus(z) / a;
    if (diff) {
      const sg = sigmoid(z);
      const c2 = a * sg * (1.0 - sg);
      const ex = 2.0 * ex0 * ix;
      const ey = 2.0 * ey0 * iy;
      pgx -= wob * sg * ex;
      pgy -= wob * sg * ey;
      phxx += wob * (c2 * ex * ex - sg * 2.0 * ix);
      phyy += wob * (c2 * ey * ey - sg * 2.0 * iy);
      phxy += wob * c2 * ex * ey;
    }
  }
  return wob * v;
}

/** target + ellipses on one point; derivatives in the globals when diff */
export function pointCost(p: usize, px: f64, py: f64, diff: bool): f64 {
  const t = targetCost(p, px, py, diff);
  if (!diff) { pgx = 0; pgy = 0; phxx = 0; phxy = 0; phyy = 0; }
  return t + ellipsesCost(p, px, py, diff);
}
