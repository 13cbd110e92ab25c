// Second-order dynamics terms for exact DDP: the curvature of f contracted with a costate lam,
//   Hxx = sum_r lam_r d2 f_r / dx2,  Huu = sum_r lam_r d2 f_r / du2,  Hux = sum_r lam_r d2 f_r / du dx.
// Gauss-Newton DDP (iLQR) drops these; exact DDP adds them to Qxx, Quu, Qux (docs/algorithm.md).
// All analytic (car, car park, manipulator), checked against central differences of the analytic
// Jacobians in test/curvature.test.ts. Linear systems have no curvature.
import { par, P_DT, P_CP_LD, P_MA_LINK, P_MA_MASS } from "../params";
import { ld, st, zero } from "../mem";
import { armAccelTerms } from "./manipulator";

/** car: x = [px, py, th, v, a]; only px', py' are nonlinear (in th, v, a) */
export function carStepHess(p: usize, x: usize, lam: usize, Hxx: usize): void {
  const dt = par(p, P_DT), h = 0.5 * dt * dt;
  const th = ld(x, 2), v = ld(x, 3), a = ld(x, 4);
  const c = Math.cos(th), s = Math.sin(th);
  const r = dt * v + h * a;
  const l0 = ld(lam, 0), l1 = ld(lam, 1);
  const w = l1 * c - l0 * s; // lam . d/dth of (cos th, sin th)
  zero(Hxx, 25);
  st(Hxx, 2 * 5 + 2, -r * (l0 * c + l1 * s));
  st(Hxx, 2 * 5 + 3, dt * w); st(Hxx, 3 * 5 + 2, dt * w);
  st(Hxx, 2 * 5 + 4, h * w); st(Hxx, 4 * 5 + 2, h * w);
}

/** car park: x = [px, py, th, v, d]; px', py' nonlinear in (th, v), th' in (v, d) */
export function parkStepHess(p: usize, x: usize, lam: usize, Hxx: usize): void {
  const dt = par(p, P_DT), ild = 1.0 / par(p, P_CP_LD);
  const th = ld(x, 2), v = ld(x, 3), d = ld(x, 4);
  const c = Math.cos(th), s = Math.sin(th), t = Math.tan(d), sec2 = 1.0 + t * t;
  const l0 = ld(lam, 0), l1 = ld(lam, 1), l2 = ld(lam, 2);
  const w = dt * (l1 * c - l0 * s);
  zero(Hxx, 25);
  st(Hxx, 2 * 5 + 2, -dt * v * (l0 * c + l1 * s));
  st(Hxx, 2 * 5 + 3, w); st(Hxx, 3 * 5 + 2, w);
  const vd = l2 * dt * sec2 * ild;
  st(Hxx, 3 * 5 + 4, vd); st(Hxx, 4 * 5 + 3, vd);
  st(Hxx, 4 * 5 + 4, l2 * dt * v * 2.0 * t * sec2 * ild);
}

/**
 * manipulator, analytic. Only the accelerations a = M(q)^-1 (tau - h(q, dq)) are nonlinear; with
 * lambda = dt lam[3..5] and mu = M^-1 lambda (M symmetric), differentiating M a = tau - h twice gives
 *   lambda . d2a/dz_i dz_j = -mu . h_ij - mu . M_ij a - w_i . a_j - w_j . a_i,   w_i = M_i mu,
 * where M_i = dM/dz_i (nonzero for q1, q2 only) and a_j = M^-1 r_j, r_j = -(h_j + M_j a) (r_j = e_m
 * for the torque tau_m). So w_i . a_j = omega_i . r_j with omega_i = M^-1 w_i, and the torque block
 * is Hux[m][i] = -omega_i[m] (Huu = 0). M = M0 + L (c1 K1 + c2 K2 + c12 K12) with constant K's, and
 * h = L (s1 P(dq) + s2 Q(dq) + s12 R(dq)) with quadratic forms P, Q, R (manipulator.ts), so every
 * derivative is a derivative of one of the three sines or cosines. Checked against central
 * differences of the analytic Jacobians in test/curvature.test.ts.
 */
export function armStepHess(p: usize, x: usize, u: usize, lam: usize, Hxx: usize, Hux: usize): void {
  const dt = par(p, P_DT);
  const l = par(p, P_MA_LINK);
  const L = l * l * par(p, P_MA_MASS);
  const acc = armAccelTerms(p, x, u); // M^-1 entries, a and the sines and cosines, from the model
  const i00 = ld(acc, 0), i01 = ld(acc, 1), i02 = ld(acc, 2), i11 = ld(acc, 3), i12 = ld(acc, 4), i22 = ld(acc, 5);
  const a0 = ld(acc, 6), a1 = ld(acc, 7), a2 = ld(acc, 8);
  const c1 = ld(acc, 9), c2 = ld(acc, 10), c12 = ld(acc, 11), s1 = ld(acc, 12), s2 = ld(acc, 13), s12 = ld(acc, 14);
  const v0 = ld(x, 3), v1 = ld(x, 4), v2 = ld(x, 5), w = v0 + v1 + v2;
  const b0 = dt * ld(lam, 3), b1 = dt * ld(lam, 4), b2 = dt * ld(lam, 5);
  const mu0 = i00 * b0 + i01 * b1 + i02 * b2;
  const mu1 = i01 * b0 + i11 * b1 + i12 * b2;
  const mu2 = i02 * b0 + i12 * b1 + i22 * b2;
  // K1 y = (3y0 + 1.5y1, 1.5y0, 0); K2 y = (y0 + y1 + .5y2, y0 + y1 + .5y2, .5(y0 + y1)); K12 y = (y0 + .5(y1 + y2), .5y0, .5y0)
  const k1a0 = 3.0 * a0 + 1.5 * a1, k1a1 = 1.5 * a0;
  const k2a0 = a0 + a1 + 0.5 * a2, k2a2 = 0.5 * (a0 + a1);
  const k12a0 = a0 + 0.5 * (a1 + a2), k12a1 = 0.5 * a0;
  const al1 = mu0 * k1a0 + mu1 * k1a1;                         // mu . K1 a
  const al2 = (mu0 + mu1) * k2a0 + mu2 * k2a2;                 // mu . K2 a
  const al12 = mu0 * k12a0 + (mu1 + mu2) * k12a1;              // mu . K12 a
  // w1 = M_q1 mu = -L (s1 K1 + s12 K12) mu ; w2 = M_q2 mu = -L (s2 K2 + s12 K12) mu
  const k1m0 = 3.0 * mu0 + 1.5 * mu1, k1m1 = 1.5 * mu0;
  const k2m0 = mu0 + mu1 + 0.5 * mu2, k2m2 = 0.5 * (mu0 + mu1);
  const k12m0 = mu0 + 0.5 * (mu1 + mu2), k12m1 = 0.5 * mu0;
  const w10 = -L * (s1 * k1m0 + s12 * k12m0), w11 = -L * (s1 * k1m1 + s12 * k12m1), w12 = -L * s12 * k12m1;
  const w20 = -L * (s2 * k2m0 + s12 * k12m0), w21 = -L * (s2 * k2m0 + s12 * k12m1), w22 = -L * (s2 * k2m2 + s12 * k12m1);
  const o10 = i00 * w10 + i01 * w11 + i02 * w12, o11 = i01 * w10 + i11 * w11 + i12 * w12, o12 = i02 * w10 + i12 * w11 + i22 * w12;
  const o20 = i00 * w20 + i01 * w21 + i02 * w22, o21 = i01 * w20 + i11 * w21 + i12 * w22, o22 = i02 * w20 + i12 * w21 + i22 * w22;
  // P = (P0, P1, 0), Q = (Q0, Q0, Q2), R = (R0, R1, R1) (manipulator.ts); p = mu . P etc. and their dq-gradients
  const P0 = -(3.0 * v0 * v1 + 1.5 * v1 * v1), P1 = 1.5 * v0 * v0;
  const Q0 = -(v0 * v2 + v1 * v2 + 0.5 * v2 * v2), Q2 = 0.5 * v0 * v0 + v0 * v1 + 0.5 * v1 * v1;
  const R0 = -(v0 * v1 + 0.5 * v1 * v1 + v0 * v2 + v1 * v2 + 0.5 * v2 * v2), R1 = 0.5 * v0 * v0;
  const mq = mu0 + mu1, mr = mu1 + mu2;
  const sp = mu0 * P0 + mu1 * P1, sq = mq * Q0 + mu2 * Q2, sr = mu0 * R0 + mr * R1;
  const gp0 = -3.0 * mu0 * v1 + 3.0 * mu1 * v0, gp1 = -3.0 * mu0 * (v0 + v1), gp2: f64 = 0;
  const gq0 = -mq * v2 + mu2 * (v0 + v1), gq1 = gq0, gq2 = -mq * w;
  const gr0 = -mu0 * (v1 + v2) + mr * v0, gr1 = -mu0 * w, gr2 = gr1;
  // r_j = -(h_j + M_j a) for j = q1, q2 (h_q1 = L (c1 P + c12 R), M_q1 a = -L (s1 K1 a + s12 K12 a))
  const r10 = -L * (c1 * P0 + c12 * R0 - s1 * k1a0 - s12 * k12a0);
  const r11 = -L * (c1 * P1 + c12 * R1 - s1 * k1a1 - s12 * k12a1);
  const r12 = -L * (c12 * R1 - s12 * k12a1);
  const r20 = -L * (c2 * Q0 + c12 * R0 - s2 * k2a0 - s12 * k12a0);
  const r21 = -L * (c2 * Q0 + c12 * R1 - s2 * k2a0 - s12 * k12a1);
  const r22 = -L * (c2 * Q2 + c12 * R1 - s2 * k2a2 - s12 * k12a1);
  zero(Hxx, 36);
  const o1r1 = o10 * r10 + o11 * r11 + o12 * r12, o1r2 = o10 * r20 + o11 * r21 + o12 * r22;
  const o2r1 = o20 * r10 + o21 * r11 + o22 * r12, o2r2 = o20 * r20 + o21 * r21 + o22 * r22;
  st(Hxx, 1 * 6 + 1, L * (s1 * sp + s12 * sr + c1 * al1 + c12 * al12) - 2.0 * o1r1);
  const h12 = L * (s12 * sr + c12 * al12) - o1r2 - o2r1;
  st(Hxx, 1 * 6 + 2, h12); st(Hxx, 2 * 6 + 1, h12);
  st(Hxx, 2 * 6 + 2, L * (s2 * sq + s12 * sr + c2 * al2 + c12 * al12) - 2.0 * o2r2);
  // r_vk = -h_vk; h_vk = L (s1 dP/dv_k + s2 dQ/dv_k + s12 dR/dv_k) (the columns of armStepDiff)
  for (let k = 0; k < 3; k++) {
    let hv0: f64, hv1: f64, hv2: f64, gpk: f64, gqk: f64, grk: f64;
    if (k == 0) {
      hv0 = L * (s1 * (-3.0 * v1) + s2 * (-v2) + s12 * (-(v1 + v2)));
      hv1 = L * (s1 * (3.0 * v0) + s2 * (-v2) + s12 * v0);
      hv2 = L * (s2 * (v0 + v1) + s12 * v0);
      gpk = gp0; gqk = gq0; grk = gr0;
    } else if (k == 1) {
      hv0 = L * (s1 * (-(3.0 * v0 + 3.0 * v1)) + s2 * (-v2) + s12 * (-w));
      hv1 = L * (s2 * (-v2));
      hv2 = L * (s2 * (v0 + v1));
      gpk = gp1; gqk = gq1; grk = gr1;
    } else {
      hv0 = L * (s2 * (-w) + s12 * (-w));
      hv1 = L * (s2 * (-w));
      hv2 = 0.0;
      gpk = gp2; gqk = gq2; grk = gr2;
    }
    // H[q1][vk] = -L (c1 dp/dv_k + c12 dr/dv_k) - omega1 . r_vk, with r_vk = -h_vk
    const hq1 = -L * (c1 * gpk + c12 * grk) + (o10 * hv0 + o11 * hv1 + o12 * hv2);
    const hq2 = -L * (c2 * gqk + c12 * grk) + (o20 * hv0 + o21 * hv1 + o22 * hv2);
    st(Hxx, 1 * 6 + 3 + k, hq1); st(Hxx, (3 + k) * 6 + 1, hq1);
    st(Hxx, 2 * 6 + 3 + k, hq2); st(Hxx, (3 + k) * 6 + 2, hq2);
  }
  // H[vk][vm] = -L (s1 Hp + s2 Hq + s12 Hr): Hp = mu0 [[0,-3,0],[-3,-3,0],0] + mu1 e0e0^T,
  // Hq = mq [[0,0,-1],[0,0,-1],[-1,-1,-1]] + mu2 [[1,1,0],[1,1,0],0], Hr = mu0 [[0,-1,-1],[-1,-1,-1],[-1,-1,-1]] + mr e0e0^T
  const hv00 = -L * (s1 * 3.0 * mu1 + s2 * mu2 + s12 * mr);
  const hv01 = -L * (s1 * -3.0 * mu0 + s2 * mu2 - s12 * mu0);
  const hv02 = -L * (-s2 * mq - s12 * mu0);
  const hv11 = -L * (s1 * -3.0 * mu0 + s2 * mu2 - s12 * mu0);
  const hv12 = -L * (-s2 * mq - s12 * mu0);
  const hv22 = -L * (-s2 * mq - s12 * mu0);
  st(Hxx, 3 * 6 + 3, hv00);
  st(Hxx, 3 * 6 + 4, hv01); st(Hxx, 4 * 6 + 3, hv01);
  st(Hxx, 3 * 6 + 5, hv02); st(Hxx, 5 * 6 + 3, hv02);
  st(Hxx, 4 * 6 + 4, hv11);
  st(Hxx, 4 * 6 + 5, hv12); st(Hxx, 5 * 6 + 4, hv12);
  st(Hxx, 5 * 6 + 5, hv22);
  // torque block: Hux[m][j] = -omega_j[m] for j = q1, q2
  zero(Hux, 18);
  st(Hux, 0 * 6 + 1, -o10); st(Hux, 1 * 6 + 1, -o11); st(Hux, 2 * 6 + 1, -o12);
  st(Hux, 0 * 6 + 2, -o20); st(Hux, 1 * 6 + 2, -o21); st(Hux, 2 * 6 + 2, -o22);
}
