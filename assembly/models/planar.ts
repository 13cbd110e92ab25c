// Costs shared by the systems whose controlled point is (x_0, x_1) (integrators, car):
// running = s (w_d d2 - w_peak peak + w_ob ob + w_u ctrl), terminal adds w_v * sum of x_i^2 over the
// velocity components [v0, v1).
import { par, P_S, P_WV } from "../params";
import { ld, st, addTo, zero } from "../mem";
import { pointCost, pgx, pgy, phxx, phxy, phyy } from "../costs/point";
import { controlCost } from "../costs/control";

export function planarRunning(
  p: usize, x: usize, u: usize, nx: i32, nu: i32, diff: bool,
  lx: usize, lu: usize, lxx: usize, luu: usize, lux: usize,
): f64 {
  const s = par(p, P_S);
  if (!diff) return s * (pointCost(p, ld(x, 0), ld(x, 1), false) + controlCost(p, u, nu, s, 0, 0));
  zero(lx, nx); zero(lxx, nx * nx); zero(lu, nu); zero(luu, nu * nu); zero(lux, nu * nx);
  const v = pointCost(p, ld(x, 0), ld(x, 1), true);
  st(lx, 0, s * pgx); st(lx, 1, s * pgy);
  st(lxx, 0, s * phxx); st(lxx, 1, s * phxy); st(lxx, nx, s * phxy); st(lxx, nx + 1, s * phyy);
  return s * (v + controlCost(p, u, nu, s, lu, luu));
}

export function planarTerminal(
  p: usize, x: usize, nx: i32, v0: i32, v1: i32, diff: bool, lx: usize, lxx: usize,
): f64 {
  const s = par(p, P_S);
  const wv = par(p, P_WV);
  let vel2: f64 = 0;
  for (let i = v0; i < v1; i++) vel2 += ld(x, i) * ld(x, i);
  const v = pointCost(p, ld(x, 0), ld(x, 1), diff) + wv * vel2;
  if (diff) {
    zero(lx, nx); zero(lxx, nx * nx);
    st(lx, 0, s * pgx); st(lx, 1, s * pgy);
    st(lxx, 0, s * phxx); st(lxx, 1, s * phxy); st(lxx, nx, s * phxy); st(lxx, nx + 1, s * phyy);
    for (let i = v0; i < v1; i++) {
      st(lx, i, 2.0 * s * wv * ld(x, i));
      addTo(lxx, i * nx + i, 2.0 * s * wv);
    }
  }
  return s * v;
}
