// Planar 3-DoF manipulator: x = [q0, q1, q2, dq0, dq1, dq2], u = joint torques.
// M(q) ddq + h(q, dq) = tau (systems.md 2.5); semi-implicit-free explicit Euler on (q, dq).
import { par, P_DT, P_S, P_WV, P_MA_LINK, P_MA_MASS, P_MA_IZ, P_MA_BASEX, P_MA_BASEY } from "../params";
import { ld, st, zero } from "../mem";
import { pointCost, pgx, pgy, phxx, phxy, phyy } from "../costs/point";
import { controlCost } from "../costs/control";

// mass matrix (symmetric) and its inverse, bias forces, accelerations: module scratch
let m00: f64, m01: f64, m02: f64, m11: f64, m12: f64, m22: f64;
let i00: f64, i01: f64, i02: f64, i11: f64, i12: f64, i22: f64;
let h0: f64, h1: f64, h2: f64;
let a0: f64, a1: f64, a2: f64;
// cos and sin of q1, q2, q1 + q2 at the last state seen by massMatrix / bias (reused by the derivatives)
let c1: f64, c2: f64, c12: f64, s1: f64, s2: f64, s12: f64;

function massMatrix(p: usize, x: usize): void {
  const l = par(p, P_MA_LINK);
  const L = l * l * par(p, P_MA_MASS);
  const iz = par(p, P_MA_IZ);
  c1 = Math.cos(ld(x, 1)); c2 = Math.cos(ld(x, 2)); c12 = Math.cos(ld(x, 1) + ld(x, 2));
  m00 = 3.0 * iz + 3.75 * L + 3.0 * L * c1 + L * c2 + L * c12;
  m01 = 2.0 * iz + 1.5 * L + 1.5 * L * c1 + L * c2 + 0.5 * L * c12;
  m02 = iz + 0.25 * L + 0.5 * L * c2 + 0.5 * L * c12;
  m11 = 2.0 * iz + 1.5 * L + L * c2;
  m12 = iz + 0.25 * L + 0.5 * L * c2;
  m22 = iz + 0.25 * L;
  const c00 = m11 * m22 - m12 * m12;
  const c01 = m02 * m12 - m01 * m22;
  const c02 = m01 * m12 - m02 * m11;
  const id = 1.0 / (m00 * c00 + m01 * c01 + m02 * c02);
  i00 = c00 * id; i01 = c01 * id; i02 = c02 * id;
  i11 = (m00 * m22 - m02 * m02) * id;
  i12 = (m01 * m02 - m00 * m12) * id;
  i22 = (m00 * m11 - m01 * m01) * id;
}

// h_i = L (s1 P_i(v) + s2 Q_i(v) + s12 R_i(v)), quadratic forms in the joint velocities
// @ts-ignore: decorator
@inline function P0(v0: f64, v1: f64): f64 { return -(3.0 * v0 * v1 + 1.5 * v1 * v1); }
// @ts-ignore: decorator
@inline function Q0(v0: f64, v1: f64, v2: f64): f64 { return -(v0 * v2 + v1 * v2 + 0.5 * v2 * v2); }
// @ts-ignore: decorator
@inline function R0(v0: f64, v1: f64, v2: f64): f64 { return -(v0 * v1 + 0.5 * v1 * v1 + v0 * v2 + v1 * v2 + 0.5 * v2 * v2); }
// @ts-ignore: decorator
@inline function P1(v0: f64): f64 { return 1.5 * v0 * v0; }
// Q1 equals Q0
// @ts-ignore: decorator
@inline function R1(v0: f64): f64 { return 0.5 * v0 * v0; }
// @ts-ignore: decorator
@inline function Q2(v0: f64, v1: f64): f64 { return 0.5 * v0 * v0 + v0 * v1 + 0.5 * v1 * v1; }
// R2 equals R1, P2 = 0

function bias(p: usize, x: usize): void {
  const l = par(p, P_MA_LINK);
  const L = l * l * par(p, P_MA_MASS);
  s1 = Math.sin(ld(x, 1)); s2 = Math.sin(ld(x, 2)); s12 = Math.sin(ld(x, 1) + ld(x, 2));
  const v0 = ld(x, 3), v1 = ld(x, 4), v2 = ld(x, 5);
  const q = Q0(v0, v1, v2);
  h0 = L * (s1 * P0(v0, v1) + s2 * q + s12 * R0(v0, v1, v2));
  h1 = L * (s1 * P1(v0) + s2 * q + s12 * R1(v0));
  h2 = L * (s2 * Q2(v0, v1) + s12 * R1(v0));
}

function accel(p: usize, x: usize, u: usize): void {
  massMatrix(p, x);
  bias(p, x);
  const f0 = ld(u, 0) - h0, f1 = ld(u, 1) - h1, f2 = ld(u, 2) - h2;
  a0 = i00 * f0 + i01 * f1 + i02 * f2;
  a1 = i01 * f0 + i11 * f1 + i12 * f2;
  a2 = i02 * f0 + i12 * f1 + i22 * f2;
}

// M^-1 (i00 i01 i02 i11 i12 i22), a (a0 a1 a2) and c1 c2 c12 s1 s2 s12 at one state, for the curvature (curvature.ts)
const ACC: usize = memory.data(8 * 15, 16);

/** computes M^-1 and the accelerations at (x, u); returns the address of [i00 i01 i02 i11 i12 i22 a0 a1 a2 c1 c2 c12 s1 s2 s12] */
export function armAccelTerms(p: usize, x: usize, u: usize): usize {
  accel(p, x, u);
  st(ACC, 0, i00); st(ACC, 1, i01); st(ACC, 2, i02); st(ACC, 3, i11); st(ACC, 4, i12); st(ACC, 5, i22);
  st(ACC, 6, a0); st(ACC, 7, a1); st(ACC, 8, a2);
  st(ACC, 9, c1); st(ACC, 10, c2); st(ACC, 11, c12); st(ACC, 12, s1); st(ACC, 13, s2); st(ACC, 14, s12);
  return ACC;
}

export function armStep(p: usize, x: usize, u: usize, out: usize): void {
  const dt = par(p, P_DT);
  accel(p, x, u);
  for (let i = 0; i < 3; i++) st(out, i, ld(x, i) + dt * ld(x, 3 + i));
  st(out, 3, ld(x, 3) + dt * a0);
  st(out, 4, ld(x, 4) + dt * a1);
  st(out, 5, ld(x, 5) + dt * a2);
}

/** column j of d a / d(.) = -Minv * (r0, r1, r2), written at A[(3+i)*6 + col] scaled by dt */
// @ts-ignore: decorator
@inline function minvColumn(A: usize, col: i32, dt: f64, r0: f64, r1: f64, r2: f64, diag: bool): void {
  st(A, 3 * 6 + col, (diag && col == 3 ? 1.0 : 0.0) - dt * (i00 * r0 + i01 * r1 + i02 * r2));
  st(A, 4 * 6 + col, (diag && col == 4 ? 1.0 : 0.0) - dt * (i01 * r0 + i11 * r1 + i12 * r2));
  st(A, 5 * 6 + col, (diag && col == 5 ? 1.0 : 0.0) - dt * (i02 * r0 + i12 * r1 + i22 * r2));
}

export function armStepDiff(p: usize, x: usize, u: usize, A: usize, B: usize): void {
  const dt = par(p, P_DT);
  const l = par(p, P_MA_LINK);
  const L = l * l * par(p, P_MA_MASS);
  accel(p, x, u); // also sets c1 .. s12 for this x
  const v0 = ld(x, 3), v1 = ld(x, 4), v2 = ld(x, 5);
  zero(A, 36); zero(B, 18);
  for (let i = 0; i < 6; i++) st(A, i * 6 + i, 1.0);
  for (let i = 0; i < 3; i++) st(A, i * 6 + 3 + i, dt);
  // q0 does not enter the dynamics: column 0 of the lower block stays 0
  // d/dq1: dM/dq1 a + dh/dq1
  {
    const d00 = -L * (3.0 * s1 + s12), d01 = -L * (1.5 * s1 + 0.5 * s12), d02 = -0.5 * L * s12;
    const r0 = d00 * a0 + d01 * a1 + d02 * a2 + L * (c1 * P0(v0, v1) + c12 * R0(v0, v1, v2));
    const r1 = d01 * a0 + L * (c1 * P1(v0) + c12 * R1(v0));
    const r2 = d02 * a0 + L * (c12 * R1(v0));
    minvColumn(A, 1, dt, r0, r1, r2, false);
  }
  // d/dq2
  {
    const d00 = -L * (s2 + s12), d01 = -L * (s2 + 0.5 * s12), d02 = -0.5 * L * (s2 + s12);
    const d11 = -L * s2, d12 = -0.5 * L * s2;
    const q = Q0(v0, v1, v2);
    const r0 = d00 * a0 + d01 * a1 + d02 * a2 + L * (c2 * q + c12 * R0(v0, v1, v2));
    const r1 = d01 * a0 + d11 * a1 + d12 * a2 + L * (c2 * q + c12 * R1(v0));
    const r2 = d02 * a0 + d12 * a1 + L * (c2 * Q2(v0, v1) + c12 * R1(v0));
    minvColumn(A, 2, dt, r0, r1, r2, false);
  }
  // d/dv: dh/dv columns (derivatives of P, Q, R)
  const w = v0 + v1 + v2;
  // dh/dv0
  minvColumn(A, 3, dt,
    L * (s1 * (-3.0 * v1) + s2 * (-v2) + s12 * (-(v1 + v2))),
    L * (s1 * (3.0 * v0) + s2 * (-v2) + s12 * v0),
    L * (s2 * (v0 + v1) + s12 * v0), true);
  // dh/dv1
  minvColumn(A, 4, dt,
    L * (s1 * (-(3.0 * v0 + 3.0 * v1)) + s2 * (-v2) + s12 * (-w)),
    L * (s2 * (-v2)),
    L * (s2 * (v0 + v1)), true);
  // dh/dv2
  minvColumn(A, 5, dt,
    L * (s2 * (-w) + s12 * (-w)),
    L * (s2 * (-w)),
    0.0, true);
  st(B, 3 * 3 + 0, dt * i00); st(B, 3 * 3 + 1, dt * i01); st(B, 3 * 3 + 2, dt * i02);
  st(B, 4 * 3 + 0, dt * i01); st(B, 4 * 3 + 1, dt * i11); st(B, 4 * 3 + 2, dt * i12);
  st(B, 5 * 3 + 0, dt * i02); st(B, 5 * 3 + 1, dt * i12); st(B, 5 * 3 + 2, dt * i22);
}

/** end-effector cost (unscaled) and, when diff, its gradient/Hessian w.r.t. q into lx, lxx (scaled by s) */
function effectorCost(p: usize, x: usize, diff: bool, lx: usize, lxx: usize, s: f64): f64 {
  const l = par(p, P_MA_LINK);
  const t0 = ld(x, 0), t1 = t0 + ld(x, 1), t2 = t1 + ld(x, 2);
  const C0 = Math.cos(t0), C1 = Math.cos(t1), C2 = Math.cos(t2);
  const S0 = Math.sin(t0), S1 = Math.sin(t1), S2 = Math.sin(t2);
  const px = par(p, P_MA_BASEX) + l * (C0 + C1 + C2);
  const py = par(p, P_MA_BASEY) + l * (S0 + S1 + S2);
  const v = pointCost(p, px, py, diff);
  if (diff) {
    // tail sums: link m moves with every joint i <= m
    const tc0 = C0 + C1 + C2, tc1 = C1 + C2, tc2 = C2;
    const ts0 = S0 + S1 + S2, ts1 = S1 + S2, ts2 = S2;
    for (let i = 0; i < 3; i++) {
      const tci = i == 0 ? tc0 : i == 1 ? tc1 : tc2;
      const tsi = i == 0 ? ts0 : i == 1 ? ts1 : ts2;
      const jxi = -l * tsi, jyi = l * tci;
      st(lx, i, s * (pgx * jxi + pgy * jyi));
      for (let j = 0; j <= i; j++) {
        const tcj = j == 0 ? tc0 : j == 1 ? tc1 : tc2;
        const tsj = j == 0 ? ts0 : j == 1 ? ts1 : ts2;
        const jxj = -l * tsj, jyj = l * tcj;
        // max(i, j) = i
        const hij = jxi * (phxx * jxj + phxy * jyj) + jyi * (phxy * jxj + phyy * jyj)
          + pgx * (-l * tci) + pgy * (-l * tsi);
        st(lxx, i * 6 + j, s * hij);
        st(lxx, j * 6 + i, s * hij);
      }
    }
  }
  return v;
}

export function armRunning(p: usize, x: usize, u: usize, diff: bool, lx: usize, lu: usize, lxx: usize, luu: usize, lux: usize): f64 {
  const s = par(p, P_S);
  if (diff) { zero(lx, 6); zero(lxx, 36); zero(lu, 3); zero(luu, 9); zero(lux, 18); }
  const v = effectorCost(p, x, diff, lx, lxx, s);
  return s * (v + controlCost(p, u, 3, s, diff ? lu : 0, diff ? luu : 0));
}

export function armTerminal(p: usize, x: usize, diff: bool, lx: usize, lxx: usize): f64 {
  const s = par(p, P_S);
  const wv = par(p, P_WV);
  if (diff) { zero(lx, 6); zero(lxx, 36); }
  let vel2: f64 = 0;
  for (let i = 3; i < 6; i++) {
    const v = ld(x, i);
    vel2 += v * v;
    if (diff) { st(lx, i, 2.0 * s * wv * v); st(lxx, i * 6 + i, 2.0 * s * wv); }
  }
  return s * (effectorCost(p, x, diff, lx, lxx, s) + wv * vel2);
}
