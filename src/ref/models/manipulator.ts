import { P } from "../../systems/layout.js";
import { PT } from "../costs/point.js";
import { workspaceCost } from "../costs/workspace.js";
import { BenchmarkModel } from "./base.js";

const NX = 6;
const NU = 3;
const NQ = 3;

/**
 * Planar 3-link arm (identical links: length l, mass m, centre of mass at l/2, inertia Iz about it),
 * x = [q, dq], u = torques, explicit Euler: q' = q + dt dq, dq' = dq + dt M(q)^-1 (tau - h).
 *
 * With absolute link angles phi_i = q_0 + ... + q_i the kinetic energy only involves cos(phi_i - phi_j),
 * i.e. cos q1, cos q2 and cos(q1+q2), so the inertia matrix splits as
 *   M(q) = M0 + cos(q1) K1 + cos(q2) K2 + cos(q1+q2) K12
 * with constant symmetric K's (scaled by L = m l^2). Every derivative of M then follows from the
 * derivatives of three cosines, and the bias is built from Christoffel symbols of the first kind:
 *   h = (sum_k dM/dq_k dq_k) dq - 1/2 [dq^T dM/dq_i dq]_i.
 */
export class Manipulator extends BenchmarkModel {
  private readonly pt = new Float64Array(PT.N);

  private readonly k1 = new Float64Array(9);
  private readonly k2 = new Float64Array(9);
  private readonly k12 = new Float64Array(9);
  private readonly mass = new Float64Array(9);
  private readonly minv = new Float64Array(9);
  /** dM/dq_k, k = 0..2, each 3x3 (dM/dq0 = 0 but kept so loops stay uniform) */
  private readonly dm = new Float64Array(27);
  /** d^2M/(dq_k dq_n) at offset (k*3+n)*9 */
  private readonly ddm = new Float64Array(81);
  /** (dM/dq_k) dq at offset 3k */
  private readonly dmv = new Float64Array(9);
  /** (d^2M/dq_k dq_n) dq at offset (k*3+n)*3 */
  private readonly ddmv = new Float64Array(27);
  /** dM/dt = sum_k dM/dq_k dq_k */
  private readonly mdot = new Float64Array(9);
  private readonly h = new Float64Array(NQ);
  /** dh_i/dq_n, dh_i/ddq_m, row-major 3x3 */
  private readonly hq = new Float64Array(9);
  private readonly hv = new Float64Array(9);
  private readonly rhs = new Float64Array(NQ);
  private readonly acc = new Float64Array(NQ);
  private readonly col = new Float64Array(NQ);
  /** end-effector Jacobian rows (x, y) w.r.t. q, and per-link direction cos/sin */
  private readonly jx = new Float64Array(NQ);
  private readonly jy = new Float64Array(NQ);
  private readonly cphi = new Float64Array(NQ);
  private readonly sphi = new Float64Array(NQ);
  /** stepHess scratch: A, B at x; mu = M^-1 lambda; the 9x9 Hessian over z = (x, u); da/dz (3x9); w_n = dM/dq_n mu */
  private readonly ha = new Float64Array(NX * NX);
  private readonly hb = new Float64Array(NX * NU);
  private readonly hmu = new Float64Array(NQ);
  private readonly hlam = new Float64Array(NQ);
  private readonly hg = new Float64Array(81);
  private readonly hdz = new Float64Array(27);
  private readonly hw = new Float64Array(9);
  /** d^3M/(dq_k dq_n dq_p) at offset ((k*3+n)*3+p)*9 */
  private readonly dddm = new Float64Array(243);

  constructor(params: Float64Array) {
    super(params, NX, NU, 3, 3);
  }

  /** Inertia matrix M(q) (row-major 3x3) at the state x; also refreshes the K basis. */
  massMatrix(out: Float64Array, x: Float64Array): Float64Array {
    const p = this.params;
    const l = p[P.MA_LINK];
    const L = l * l * p[P.MA_MASS];
    const iz = p[P.MA_IZ];
    const { k1, k2, k12 } = this;
    k1.fill(0); k2.fill(0); k12.fill(0);
    setSym(k1, 0, 0, 3 * L); setSym(k1, 0, 1, 1.5 * L);
    setSym(k2, 0, 0, L); setSym(k2, 0, 1, L); setSym(k2, 0, 2, 0.5 * L); setSym(k2, 1, 1, L); setSym(k2, 1, 2, 0.5 * L);
    setSym(k12, 0, 0, L); setSym(k12, 0, 1, 0.5 * L); setSym(k12, 0, 2, 0.5 * L);
    const c1 = Math.cos(x[1]);
    const c2 = Math.cos(x[2]);
    const c12 = Math.cos(x[1] + x[2]);
    setSym(out, 0, 0, 3 * iz + 3.75 * L);
    setSym(out, 0, 1, 2 * iz + 1.5 * L);
    setSym(out, 0, 2, iz + 0.25 * L);
    setSym(out, 1, 1, 2 * iz + 1.5 * L);
    setSym(out, 1, 2, iz + 0.25 * L);
    setSym(out, 2, 2, iz + 0.25 * L);
    for (let i = 0; i < 9; i++) out[i] += c1 * k1[i] + c2 * k2[i] + c12 * k12[i];
    return out;
  }

  /**
   * Computes M, M^-1, the first and second q-derivatives of M, the bias h and (if wanted) its
   * Jacobians hq, hv at x.
   */
  private dynamicsTerms(x: Float64Array, withJacobians: boolean): void {
    const { k1, k2, k12, dm, ddm, dmv, ddmv, mdot, h, hq, hv } = this;
    this.massMatrix(this.mass, x);
    invertSym3(this.minv, this.mass);
    const s1 = Math.sin(x[1]), c1 = Math.cos(x[1]);
    const s2 = Math.sin(x[2]), c2 = Math.cos(x[2]);
    const s12 = Math.sin(x[1] + x[2]), c12 = Math.cos(x[1] + x[2]);
    dm.fill(0);
    ddm.fill(0);
    for (let i = 0; i < 9; i++) {
      dm[9 + i] = -s1 * k1[i] - s12 * k12[i];
      dm[18 + i] = -s2 * k2[i] - s12 * k12[i];
      ddm[(1 * 3 + 1) * 9 + i] = -c1 * k1[i] - c12 * k12[i];
      ddm[(1 * 3 + 2) * 9 + i] = -c12 * k12[i];
      ddm[(2 * 3 + 1) * 9 + i] = -c12 * k12[i];
      ddm[(2 * 3 + 2) * 9 + i] = -c2 * k2[i] - c12 * k12[i];
    }
    const v0 = x[3], v1 = x[4], v2 = x[5];
    for (let k = 0; k < NQ; k++) {
      for (let i = 0; i < NQ; i++) {
        const r = 9 * k + 3 * i;
        dmv[3 * k + i] = dm[r] * v0 + dm[r + 1] * v1 + dm[r + 2] * v2;
      }
    }
    for (let i = 0; i < 9; i++) mdot[i] = dm[i] * v0 + dm[9 + i] * v1 + dm[18 + i] * v2;
    for (let i = 0; i < NQ; i++) {
      const ri = 3 * i;
      h[i] = mdot[ri] * v0 + mdot[ri + 1] * v1 + mdot[ri + 2] * v2
        - 0.5 * (v0 * dmv[ri] + v1 * dmv[ri + 1] + v2 * dmv[ri + 2]);
    }
    if (!withJacobians) return;
    // dh_i/ddq_m = [(dM/dq_m) dq]_i + Mdot_im - [(dM/dq_i) dq]_m
    for (let i = 0; i < NQ; i++) {
      for (let m = 0; m < NQ; m++) hv[3 * i + m] = dmv[3 * m + i] + mdot[3 * i + m] - dmv[3 * i + m];
    }
    for (let kn = 0; kn < 9; kn++) {
      for (let i = 0; i < NQ; i++) {
        const r = 9 * kn + 3 * i;
        ddmv[3 * kn + i] = ddm[r] * v0 + ddm[r + 1] * v1 + ddm[r + 2] * v2;
      }
    }
    // dh_i/dq_n = sum_k [(d^2M/dq_k dq_n) dq]_i dq_k - 1/2 dq . (d^2M/dq_i dq_n) dq
    for (let i = 0; i < NQ; i++) {
      for (let n = 0; n < NQ; n++) {
        let acc = 0;
        for (let k = 0; k < NQ; k++) acc += ddmv[3 * (3 * k + n) + i] * x[3 + k];
        const b = 3 * (3 * i + n);
        acc -= 0.5 * (v0 * ddmv[b] + v1 * ddmv[b + 1] + v2 * ddmv[b + 2]);
        hq[3 * i + n] = acc;
      }
    }
  }

  /** Bias (Coriolis and centrifugal) torques h(q, dq) at x. */
  bias(out: Float64Array, x: Float64Array): Float64Array {
    this.dynamicsTerms(x, false);
    out.set(this.h);
    return out;
  }

  /** Continuous-time joint acceleration ddq = M^-1 (tau - h). */
  acceleration(out: Float64Array, x: Float64Array, tau: Float64Array): Float64Array {
    this.dynamicsTerms(x, false);
    for (let i = 0; i < NQ; i++) this.rhs[i] = tau[i] - this.h[i];
    mulSym3(out, this.minv, this.rhs);
    return out;
  }

  /** End-effector position. */
  endEffector(out: Float64Array, x: Float64Array): Float64Array {
    this.linkAngles(x);
    const p = this.params;
    const l = p[P.MA_LINK];
    out[0] = p[P.MA_BASEX] + l * (this.cphi[0] + this.cphi[1] + this.cphi[2]);
    out[1] = p[P.MA_BASEY] + l * (this.sphi[0] + this.sphi[1] + this.sphi[2]);
    return out;
  }

  private linkAngles(x: Float64Array): void {
    let phi = 0;
    for (let i = 0; i < NQ; i++) {
      phi += x[i];
      this.cphi[i] = Math.cos(phi);
      this.sphi[i] = Math.sin(phi);
    }
  }

  step(out: Float64Array, x: Float64Array, u: Float64Array): void {
    const dt = this.params[P.DT];
    this.acceleration(this.acc, x, u);
    for (let i = 0; i < NQ; i++) {
      out[i] = x[i] + dt * x[3 + i];
      out[3 + i] = x[3 + i] + dt * this.acc[i];
    }
  }

  stepDiff(A: Float64Array, B: Float64Array, x: Float64Array, u: Float64Array): void {
    const dt = this.params[P.DT];
    const { minv, dm, hq, hv, rhs, acc, col } = this;
    this.dynamicsTerms(x, true);
    for (let i = 0; i < NQ; i++) rhs[i] = u[i] - this.h[i];
    mulSym3(acc, minv, rhs);
    A.fill(0, 0, NX * NX);
    B.fill(0, 0, NX * NU);
    for (let i = 0; i < NX; i++) A[i * NX + i] = 1;
    for (let i = 0; i < NQ; i++) A[i * NX + 3 + i] = dt;
    // d ddq / d q_n = -M^-1 ((dM/dq_n) ddq + dh/dq_n)
    for (let n = 0; n < NQ; n++) {
      for (let i = 0; i < NQ; i++) {
        const r = 9 * n + 3 * i;
        rhs[i] = -(dm[r] * acc[0] + dm[r + 1] * acc[1] + dm[r + 2] * acc[2] + hq[3 * i + n]);
      }
      mulSym3(col, minv, rhs);
      for (let i = 0; i < NQ; i++) A[(3 + i) * NX + n] = dt * col[i];
    }
    // d ddq / d dq_m = -M^-1 dh/ddq_m
    for (let m = 0; m < NQ; m++) {
      for (let i = 0; i < NQ; i++) rhs[i] = -hv[3 * i + m];
      mulSym3(col, minv, rhs);
      for (let i = 0; i < NQ; i++) A[(3 + i) * NX + 3 + m] += dt * col[i];
    }
    for (let i = 0; i < NQ; i++) {
      for (let j = 0; j < NU; j++) B[(3 + i) * NU + j] = dt * minv[3 * i + j];
    }
  }

  /**
   * lam-contracted curvature (exact DDP), analytic. Only a = M^-1 (tau - h) is nonlinear; with
   * lambda = dt lam[3..5] and mu = M^-1 lambda, twice differentiating M a = tau - h gives
   *   lambda . d2a/dz_i dz_j = -d2(mu . h)/dz_i dz_j - mu . M_ij a - w_i . a_j - w_j . a_i,
   * w_i = (dM/dz_i) mu, mu held fixed. Here h comes from the Christoffel form
   *   h_i = sum_km C_ikm dq_k dq_m,  C_ikm = dM_im/dq_k - 1/2 dM_km/dq_i,
   * so its second q-derivatives need d^3M/dq^3 (the WASM kernel, curvature.ts, differentiates the
   * expanded sin/cos form instead); a_j = da/dz_j is read off this model's own stepDiff.
   */
  stepHess(Hxx: Float64Array, Huu: Float64Array, Hux: Float64Array, x: Float64Array, u: Float64Array, lam: Float64Array): boolean {
    const dt = this.params[P.DT];
    const { ha, hb, hmu: mu, hlam: lamv, hg: G, hdz: da, hw: w, dm, ddm, dddm, minv, acc, k1, k2, k12 } = this;
    this.stepDiff(ha, hb, x, u); // also leaves M^-1, dM, d2M and the accelerations acc for this x
    for (let i = 0; i < NQ; i++) lamv[i] = dt * lam[3 + i];
    mulSym3(mu, minv, lamv);
    // da_i/dz_j: rows 3.. of [A B] without the identity, over dt
    for (let i = 0; i < NQ; i++) {
      for (let j = 0; j < NX; j++) da[i * 9 + j] = (ha[(3 + i) * NX + j] - (j === 3 + i ? 1 : 0)) / dt;
      for (let m = 0; m < NU; m++) da[i * 9 + NX + m] = hb[(3 + i) * NU + m] / dt;
    }
    // third q-derivatives of M: d3/dtheta3 cos(theta) = sin(theta), for theta = q1, q2, q1 + q2
    const s1 = Math.sin(x[1]), s2 = Math.sin(x[2]), s12 = Math.sin(x[1] + x[2]);
    dddm.fill(0);
    for (let k = 1; k < NQ; k++) for (let n = 1; n < NQ; n++) for (let p = 1; p < NQ; p++) {
      const off = ((k * 3 + n) * 3 + p) * 9;
      const all1 = k === 1 && n === 1 && p === 1, all2 = k === 2 && n === 2 && p === 2;
      for (let e = 0; e < 9; e++) {
        dddm[off + e] = (all1 ? s1 * k1[e] : 0) + (all2 ? s2 * k2[e] : 0) + s12 * k12[e];
      }
    }
    // w_n = dM/dq_n mu
    for (let n = 0; n < NQ; n++) for (let i = 0; i < NQ; i++) {
      w[n * 3 + i] = dm[9 * n + 3 * i] * mu[0] + dm[9 * n + 3 * i + 1] * mu[1] + dm[9 * n + 3 * i + 2] * mu[2];
    }
    // element (r, c) of dM/dq_k, d2M/dq_k dq_n and d3M/dq_k dq_n dq_p; dq_k = x[3 + k]
    G.fill(0);
    for (let zi = 0; zi < 9; zi++) {
      for (let zj = zi; zj < 9; zj++) {
        let s = 0; // d2(mu . h)/dz_i dz_j
        const qi = zi < NQ, qj = zj < NQ, vi = zi >= NQ && zi < NX, vj = zj >= NQ && zj < NX;
        for (let i = 0; i < NQ; i++) {
          let t = 0;
          if (qi && qj) {
            for (let k = 0; k < NQ; k++) for (let m = 0; m < NQ; m++) {
              t += (dddm[d3(k, zi, zj, i, m)] - 0.5 * dddm[d3(i, zi, zj, k, m)]) * x[3 + k] * x[3 + m];
            }
          } else if ((qi && vj) || (vi && qj)) {
            const n = qi ? zi : zj, b = (qi ? zj : zi) - NQ;
            for (let k = 0; k < NQ; k++) {
              t += (ddm[d2(k, n, i, b)] - 0.5 * ddm[d2(i, n, k, b)] + ddm[d2(b, n, i, k)] - 0.5 * ddm[d2(i, n, b, k)]) * x[3 + k];
            }
          } else if (vi && vj) {
            const a = zi - NQ, b = zj - NQ;
            t = dm[d1(a, i, b)] - 0.5 * dm[d1(i, a, b)] + dm[d1(b, i, a)] - 0.5 * dm[d1(i, b, a)];
          }
          s += mu[i] * t;
        }
        let g = -s;
        if (qi && qj) {
          for (let r = 0; r < NQ; r++) for (let c = 0; c < NQ; c++) g -= mu[r] * ddm[d2(zi, zj, r, c)] * acc[c];
        }
        for (let r = 0; r < NQ; r++) {
          if (qi) g -= w[zi * 3 + r] * da[r * 9 + zj];
          if (qj) g -= w[zj * 3 + r] * da[r * 9 + zi];
        }
        G[zi * 9 + zj] = g; G[zj * 9 + zi] = g;
      }
    }
    for (let i = 0; i < NX; i++) for (let j = 0; j < NX; j++) Hxx[i * NX + j] = G[i * 9 + j];
    for (let m = 0; m < NU; m++) {
      for (let j = 0; j < NX; j++) Hux[m * NX + j] = G[(NX + m) * 9 + j];
      for (let c = 0; c < NU; c++) Huu[m * NU + c] = G[(NX + m) * 9 + NX + c];
    }
    return true;
  }

  /**
   * Workspace cost on the end effector pushed through the arm's forward kinematics:
   * lx_q = J^T g, lxx_qq = J^T H J + g_x d^2px/dq^2 + g_y d^2py/dq^2, where
   * d p / d q_j = l sum_{i>=j} (-sin phi_i, cos phi_i) and
   * d^2 p / dq_j dq_n = -l sum_{i>=max(j,n)} (cos phi_i, sin phi_i).
   * Adds into pre-cleared lx / lxx and returns the value.
   */
  protected override positionCost(lx: Float64Array, lxx: Float64Array, x: Float64Array): number {
    const p = this.params;
    const l = p[P.MA_LINK];
    const { jx, jy, cphi, sphi } = this;
    this.linkAngles(x);
    const ex = p[P.MA_BASEX] + l * (cphi[0] + cphi[1] + cphi[2]);
    const ey = p[P.MA_BASEY] + l * (sphi[0] + sphi[1] + sphi[2]);
    const value = workspaceCost(this.pt, ex, ey, p);
    const a = this.pt;
    let sx = 0, sy = 0;
    for (let j = NQ - 1; j >= 0; j--) {
      sx -= l * sphi[j];
      sy += l * cphi[j];
      jx[j] = sx;
      jy[j] = sy;
    }
    for (let j = 0; j < NQ; j++) {
      lx[j] += a[PT.GX] * jx[j] + a[PT.GY] * jy[j];
      // upper triangle mirrored, so lxx is exactly symmetric whatever the rounding
      for (let n = j; n < NQ; n++) {
        let cx = 0, cy = 0;
        for (let i = n; i < NQ; i++) {
          cx -= l * cphi[i];
          cy -= l * sphi[i];
        }
        const v = jx[j] * (a[PT.HXX] * jx[n] + a[PT.HXY] * jy[n])
          + jy[j] * (a[PT.HXY] * jx[n] + a[PT.HYY] * jy[n])
          + a[PT.GX] * cx + a[PT.GY] * cy;
        lxx[j * NX + n] += v;
        if (n !== j) lxx[n * NX + j] += v;
      }
    }
    return value;
  }
}

/** index of element (r, c) of dM/dq_k in dm, of d2M/dq_k dq_n in ddm, of d3M/dq_k dq_n dq_p in dddm */
function d1(k: number, r: number, c: number): number { return 9 * k + 3 * r + c; }
function d2(k: number, n: number, r: number, c: number): number { return (3 * k + n) * 9 + 3 * r + c; }
function d3(k: number, n: number, p: number, r: number, c: number): number { return ((3 * k + n) * 3 + p) * 9 + 3 * r + c; }

function setSym(m: Float64Array, i: number, j: number, v: number): void {
  m[3 * i + j] = v;
  m[3 * j + i] = v;
}

/** Inverse of a symmetric 3x3 matrix by cofactors (M is SPD with det bounded away from 0 by Iz > 0). */
function invertSym3(out: Float64Array, m: Float64Array): void {
  const a = m[0], b = m[1], c = m[2], d = m[4], e = m[5], f = m[8];
  const A = d * f - e * e;
  const B = c * e - b * f;
  const C = b * e - c * d;
  const idet = 1 / (a * A + b * B + c * C);
  out[0] = A * idet;
  out[1] = out[3] = B * idet;
  out[2] = out[6] = C * idet;
  out[4] = (a * f - c * c) * idet;
  out[5] = out[7] = (b * c - a * e) * idet;
  out[8] = (a * d - b * b) * idet;
}

function mulSym3(out: Float64Array, m: Float64Array, v: Float64Array): void {
  for (let i = 0; i < NQ; i++) out[i] = m[3 * i] * v[0] + m[3 * i + 1] * v[1] + m[3 * i + 2] * v[2];
}
