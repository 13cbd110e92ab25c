/**
 * Reusable cost terms for `defineSystem`, as symbolic expressions: the CACTO benchmark cost family
 * (../shared/spec/systems.md, section 1) split into its pieces, so a user system can reuse them.
 * Each returns an unweighted-by-s expression; the formulas are those of assembly/costs/.
 */
import { softplus, sqrt, square, sum, powi, type Expr } from "../sym/index.js";
import type { Box, Ellipse } from "./specs.js";

type Scalar = Expr | number;

/** squared distance of the point (px, py) to the target (xd, yd) */
export function targetDistance2(px: Expr, py: Expr, target: [number, number]): Expr {
  return square(px.sub(target[0])).add(square(py.sub(target[1])));
}

const SQ01 = Math.sqrt(0.1);

/**
 * The narrow valley (a bonus) around the target: softplus(-a2 g) / a2 with
 * g = sqrt(dx^2 + 0.1) - 0.1 + sqrt(dy^2 + 0.1) - 0.1 - 2 sqrt(0.1). Subtract it, weighted by w_peak.
 */
export function valley(px: Expr, py: Expr, target: [number, number], a2: number): Expr {
  const qx = sqrt(square(px.sub(target[0])).add(0.1));
  const qy = sqrt(square(py.sub(target[1])).add(0.1));
  const g = qx.sub(0.1).add(qy).sub(0.1).sub(2 * SQ01);
  return softplus(g.mul(-a2)).div(a2);
}

/** an ellipse obstacle (full widths a, b): softplus(-k e) / k with e = the ellipse's level function - 1 */
export function ellipseObstacle(px: Expr, py: Expr, o: Ellipse, k: number): Expr {
  const rx = 0.5 * o.a, ry = 0.5 * o.b;
  const e = square(px.sub(o.xc)).mul(1 / (rx * rx)).add(square(py.sub(o.yc)).mul(1 / (ry * ry))).sub(1);
  return softplus(e.mul(-k)).div(k);
}

/** S(z) = 0.5 (1 + z / sqrt(1 + z^2)), the smooth step of the box indicator */
function smoothStep(z: Expr): Expr {
  return z.div(sqrt(square(z).add(1))).add(1).mul(0.5);
}

/**
 * A box obstacle (centre xc, yc, full widths wx, wy): the smooth indicator X(px) Y(py) with
 * X(x) = S(k (x - lo)) (1 - S(k (x - hi))), as the car park's boxes (assembly/costs/box.ts)
 */
export function boxObstacle(px: Expr, py: Expr, b: Box, k: number): Expr {
  const win = (q: Expr, c: number, w: number) => smoothStep(q.sub(c - 0.5 * w).mul(k)).mul(smoothStep(q.sub(c + 0.5 * w).mul(k)).neg().add(1));
  return win(px, b.xc, b.wx).mul(win(py, b.yc, b.wy));
}

/** control effort with a soft bound: sum_i u_i^2 + w_b (u_i / umax_i)^10 */
export function softControl(u: Expr[], umax: number[], wb: number): Expr {
  return sum(u.map((ui, i) => square(ui).add(powi(ui.mul(1 / umax[i]), 10).mul(wb))));
}

/** sum of squares (e.g. the terminal velocity term) */
export function sumSquares(v: Scalar[]): Expr {
  return sum(v.map((e) => square(e)));
}
