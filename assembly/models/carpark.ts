// Car park: kinematic bicycle x = [px, py, th, v, d] (rear-axle point), u = [acc, d_dot].
// Target cost on the car centre pc = p + R(th)[Ld/2, 0]; smooth-box obstacles at 10 outline points.
import { par, P_DT, P_S, P_WV, P_WOB, P_CP_L, P_CP_W, P_CP_LD, P_CP_TAU, P_CP_KBOX, P_CP_NBOX, P_CP_BOX } from "../params";
import { ld, st, zero } from "../mem";
import { targetCost, pgx, pgy, phxx, phxy, phyy } from "../costs/point";
import { smoothBox, bgx, bgy, bhxx, bhxy, bhyy } from "../costs/box";
import { controlCost } from "../costs/control";

export function parkStep(p: usize, x: usize, u: usize, out: usize): void {
  const dt = par(p, P_DT);
  const th = ld(x, 2), v = ld(x, 3), d = ld(x, 4);
  st(out, 0, ld(x, 0) + dt * v * Math.cos(th));
  st(out, 1, ld(x, 1) + dt * v * Math.sin(th));
  st(out, 2, th + dt * v * Math.tan(d) / par(p, P_CP_LD));
  st(out, 3, v + dt * ld(u, 0));
  st(out, 4, d + dt * ld(u, 1) / par(p, P_CP_TAU));
}

export function parkStepDiff(p: usize, x: usize, A: usize, B: usize): void {
  const dt = par(p, P_DT);
  const th = ld(x, 2), v = ld(x, 3), d = ld(x, 4);
  const c = Math.cos(th), s = Math.sin(th), t = Math.tan(d);
  const ild = 1.0 / par(p, P_CP_LD);
  zero(A, 25); zero(B, 10);
  for (let i = 0; i < 5; i++) st(A, i * 5 + i, 1.0);
  st(A, 2, -dt * v * s); st(A, 3, dt * c);
  st(A, 7, dt * v * c); st(A, 8, dt * s);
  st(A, 13, dt * t * ild); st(A, 14, dt * v * (1.0 + t * t) * ild);
  st(B, 3 * 2 + 0, dt);
  st(B, 4 * 2 + 1, dt / par(p, P_CP_TAU));
}

// gradient and Hessian of the position-dependent part w.r.t. (px, py, th)
let g0: f64 = 0, g1: f64 = 0, g2: f64 = 0;
let h00: f64 = 0, h01: f64 = 0, h02: f64 = 0, h11: f64 = 0, h12: f64 = 0, h22: f64 = 0;

/** chain a point-space gradient/Hessian (weight w) through w(px,py,th) = p + R(th) o */
// @ts-ignore: decorator
@inline function chain(w: f64, c: f64, s: f64, ox: f64, oy: f64, gx: f64, gy: f64, hxx: f64, hxy: f64, hyy: f64): void {
  const jx = -s * ox - c * oy; // d wx / d th
  const jy = c * ox - s * oy;
  const kx = -c * ox + s * oy; // d2 wx / d th2
  const ky = -s * ox - c * oy;
  g0 += w * gx; g1 += w * gy; g2 += w * (gx * jx + gy * jy);
  h00 += w * hxx; h01 += w * hxy; h11 += w * hyy;
  h02 += w * (hxx * jx + hxy * jy);
  h12 += w * (hxy * jx + hyy * jy);
  h22 += w * (jx * jx * hxx + 2.0 * jx * jy * hxy + jy * jy * hyy + gx * kx + gy * ky);
}

/** target on the centre + boxes on the outline (unscaled); derivatives in g*, h* when diff */
function placeCost(p: usize, x: usize, diff: bool): f64 {
  const px = ld(x, 0), py = ld(x, 1), th = ld(x, 2);
  const c = Math.cos(th), s = Math.sin(th);
  const L = par(p, P_CP_L), W = par(p, P_CP_W), hl = 0.5 * par(p, P_CP_LD);
  const k = par(p, P_CP_KBOX);
  const wob = par(p, P_WOB);
  const nbox = <i32>par(p, P_CP_NBOX);
  g0 = 0; g1 = 0; g2 = 0; h00 = 0; h01 = 0; h02 = 0; h11 = 0; h12 = 0; h22 = 0;
  let v = targetCost(p, px + c * hl, py + s * hl, diff);
  if (diff) chain(1.0, c, s, hl, 0.0, pgx, pgy, phxx, phxy, phyy);
  let ob: f64 = 0;
  for (let i = 0; i < 10; i++) {
    // outline points clockwise from the rear-left corner, relative to the centre
    let bx: f64, by: f64;
    if (i < 4) { bx = -0.5 * L + <f64>i * L / 3.0; by = 0.5 * W; }
    else if (i == 4) { bx = 0.5 * L; by = 0; }
    else if (i < 9) { bx = 0.5 * L - <f64>(i - 5) * L / 3.0; by = -0.5 * W; }
    else { bx = -0.5 * L; by = 0; }
    const ox = hl + bx;
    const wx = px + c * ox - s * by;
    const wy = py + s * ox + c * by;
    for (let j = 0; j < nbox; j++) {
      const o = P_CP_BOX + 4 * j;
      ob += smoothBox(wx, wy, par(p, o), par(p, o + 1), par(p, o + 2), par(p, o + 3), k, diff);
      if (diff) chain(wob, c, s, ox, by, bgx, bgy, bhxx, bhxy, bhyy);
    }
  }
  return v + wob * ob;
}

// @ts-ignore: decorator
@inline function writePlace(lx: usize, lxx: usize, s: f64): void {
  zero(lx, 5); zero(lxx, 25);
  st(lx, 0, s * g0); st(lx, 1, s * g1); st(lx, 2, s * g2);
  st(lxx, 0, s * h00); st(lxx, 1, s * h01); st(lxx, 2, s * h02);
  st(lxx, 5, s * h01); st(lxx, 6, s * h11); st(lxx, 7, s * h12);
  st(lxx, 10, s * h02); st(lxx, 11, s * h12); st(lxx, 12, s * h22);
}

export function parkRunning(p: usize, x: usize, u: usize, diff: bool, lx: usize, lu: usize, lxx: usize, luu: usize, lux: usize): f64 {
  const s = par(p, P_S);
  const v = placeCost(p, x, diff);
  if (!diff) return s * (v + controlCost(p, u, 2, s, 0, 0));
  writePlace(lx, lxx, s);
  zero(lu, 2); zero(luu, 4); zero(lux, 10);
  return s * (v + controlCost(p, u, 2, s, lu, luu));
}

export function parkTerminal(p: usize, x: usize, diff: bool, lx: usize, lxx: usize): f64 {
  const s = par(p, P_S);
  const wv = par(p, P_WV);
  const sp = ld(x, 3);
  const v = placeCost(p, x, diff) + wv * sp * sp;
  if (diff) {
    writePlace(lx, lxx, s);
    st(lx, 3, 2.0 * s * wv * sp);
    st(lxx, 3 * 5 + 3, 2.0 * s * wv);
  }
  return s * v;
}
