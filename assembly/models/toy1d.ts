// 1-D toy: x' = x + dt u; l = w_u u^2 + w_x prod_i (x - r_i), terminal w_x prod_i (x - r_i).
import { par, P_DT, P_WU, P_TOY_WX, P_TOY_ROOTS, P_TOY_NROOTS } from "../params";
import { ld, st } from "../mem";

let poly1: f64 = 0;
let poly2: f64 = 0;

/** the polynomial, with its first and second derivative in poly1, poly2 */
function poly(p: usize, x: f64): f64 {
  let v: f64 = 1, d1: f64 = 0, d2: f64 = 0;
  for (let i = 0; i < P_TOY_NROOTS; i++) {
    const f = x - par(p, P_TOY_ROOTS + i);
    d2 = d2 * f + 2.0 * d1;
    d1 = d1 * f + v;
    v = v * f;
  }
  poly1 = d1;
  poly2 = d2;
  return v;
}

export function toyStep(p: usize, x: usize, u: usize, out: usize): void {
  st(out, 0, ld(x, 0) + par(p, P_DT) * ld(u, 0));
}

export function toyStepDiff(p: usize, A: usize, B: usize): void {
  st(A, 0, 1.0);
  st(B, 0, par(p, P_DT));
}

export function toyRunning(p: usize, x: usize, u: usize, diff: bool, lx: usize, lu: usize, lxx: usize, luu: usize, lux: usize): f64 {
  const wu = par(p, P_WU);
  const wx = par(p, P_TOY_WX);
  const uu = ld(u, 0);
  const v = wu * uu * uu + wx * poly(p, ld(x, 0));
  if (diff) {
    st(lx, 0, wx * poly1); st(lxx, 0, wx * poly2);
    st(lu, 0, 2.0 * wu * uu); st(luu, 0, 2.0 * wu); st(lux, 0, 0.0);
  }
  return v;
}

export function toyTerminal(p: usize, x: usize, diff: bool, lx: usize, lxx: usize): f64 {
  const wx = par(p, P_TOY_WX);
  const v = wx * poly(p, ld(x, 0));
  if (diff) { st(lx, 0, wx * poly1); st(lxx, 0, wx * poly2); }
  return v;
}
