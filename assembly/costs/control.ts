// w_u * sum_i (u_i^2 + w_b (u_i/umax_i)^10): quadratic effort plus the reference's soft bound.
import { par, P_WU, P_WB, P_UMAX } from "../params";
import { ld, st } from "../mem";

/** value; with lu/luu non-zero pointers writes gradient and the (diagonal) Hessian scaled by s */
export function controlCost(p: usize, u: usize, nu: i32, s: f64, lu: usize, luu: usize): f64 {
  const wu = par(p, P_WU);
  const wb = par(p, P_WB);
  let v: f64 = 0;
  for (let i = 0; i < nu; i++) {
    const ui = ld(u, i);
    const im = 1.0 / par(p, P_UMAX + i);
    const r = ui * im;
    const r2 = r * r;
    const r4 = r2 * r2;
    const r8 = r4 * r4;
    v += ui * ui + wb * r8 * r2;
    if (lu) {
      st(lu, i, s * wu * (2.0 * ui + 10.0 * wb * r8 * r * im));
      st(luu, i * nu + i, s * wu * (2.0 + 90.0 * wb * r8 * im * im));
    }
  }
  return wu * v;
}
