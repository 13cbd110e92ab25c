// Second-order dynamics terms for exact DDP: the curvature of f contracted with a costate lam,
//   Hxx = sum_r lam_r d2 f_r / dx2,  Huu = sum_r lam_r d2 f_r / du2,  Hux = sum_r lam_r d2 f_r / du dx.
// Gauss-Newton DDP (iLQR) drops these; exact DDP adds them to Qxx, Quu, Qux (docs/algorithm.md).
// Car and car park: analytic. Manipulator: central differences of its analytic Jacobians (the second
// derivatives of M(q)^-1 (tau - h) are long; differencing exact first derivatives is accurate to
// ~1e-9 relative, checked in test/curvature.test.ts). Linear systems have no curvature.
import { par, P_DT, P_CP_LD } from "../params";
import { ld, st, zero } from "../mem";
import { armStepDiff } from "./manipulator";

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

// manipulator differencing scratch: x perturbed (6), A+/A- (36 each), B+/B- (18 each)
const XS: usize = memory.data(8 * 6, 16);
const AP: usize = memory.data(8 * 36, 16);
const AM: usize = memory.data(8 * 36, 16);
const BP: usize = memory.data(8 * 18, 16);
const BM: usize = memory.data(8 * 18, 16);

/**
 * manipulator: Hxx, Hux by central differences of lam^T A and lam^T B over x (B = dt M(q)^-1 does
 * not depend on u, so Huu = 0, and lam^T d A / du = Hux^T is the same block).
 */
export function armStepHess(p: usize, x: usize, u: usize, lam: usize, Hxx: usize, Hux: usize): void {
  for (let i = 0; i < 6; i++) st(XS, i, ld(x, i));
  for (let j = 0; j < 6; j++) {
    const xj = ld(x, j);
    const e = 1e-5 * (1.0 + Math.abs(xj));
    st(XS, j, xj + e);
    armStepDiff(p, XS, u, AP, BP);
    st(XS, j, xj - e);
    armStepDiff(p, XS, u, AM, BM);
    st(XS, j, xj);
    const inv = 0.5 / e;
    // column j: Hxx[i][j] = sum_r lam_r dA[r][i]/dx_j ; Hux[i][j] = sum_r lam_r dB[r][i]/dx_j
    for (let i = 0; i < 6; i++) {
      let sv: f64 = 0;
      for (let r = 0; r < 6; r++) sv += ld(lam, r) * (ld(AP, r * 6 + i) - ld(AM, r * 6 + i));
      st(Hxx, i * 6 + j, sv * inv);
    }
    for (let i = 0; i < 3; i++) {
      let sv: f64 = 0;
      for (let r = 0; r < 6; r++) sv += ld(lam, r) * (ld(BP, r * 3 + i) - ld(BM, r * 3 + i));
      st(Hux, i * 6 + j, sv * inv);
    }
  }
  // exact second derivatives are symmetric; the differences are symmetrised
  for (let i = 0; i < 6; i++) {
    for (let j = i + 1; j < 6; j++) {
      const v = 0.5 * (ld(Hxx, i * 6 + j) + ld(Hxx, j * 6 + i));
      st(Hxx, i * 6 + j, v); st(Hxx, j * 6 + i, v);
    }
  }
}

