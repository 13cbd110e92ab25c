// The phases of one DDP iteration over the whole horizon (docs/algorithm.md): derivatives, backward
// pass, linear rollout of the step (expected change with gaps), forward pass with line-search step.
import { ld, st, at, zero, copy } from "../mem";
import { gemm, gemmTN, gemvT, gemv, dot, quadForm, symmetrise, cholesky, cholSolveNeg } from "../linalg/dense";
import { step, stepDiff, stepHess, running, terminal } from "../models/registry";
import { boxQP } from "./boxqp";
import * as kern from "../linalg/generated";
import {
  sys, n, m, N, par, X, U, XT, UT, F, A, B, LX, LU, LXX, LUU, LUX, C, CT, K, KFF, XI, LB, UB,
  K2, KFF2, VX2, VXX2, swapGains, TQ, termMode, UREF, rho,
  Qx, Qu, Qxx, Quu, Qux, Quur, Quxr, Lf, VA, VB, G, T, DX, NU, QX, QLO, QHI, QFREE, QLF,
  HXX, HUU, HUX, LXXS, LUUS, LUXS, LAM, LAM2,
} from "./state";

export let dV1: f64 = 0;
export let dV2: f64 = 0;
export let d1: f64 = 0;
export let d2: f64 = 0;
/** max_k |Qu_k|_inf of the last successful backward pass (a stationarity measure) */
export let quMax: f64 = 0;
/** node where the last successful exact pass continued as Gauss-Newton ("split"), -1 if none */
export let splitAt: i32 = -1;
/** node where the last backward pass failed its Cholesky factorisation (Quu still holds it), -1 if none */
export let failNode: i32 = -1;
/** backward passes since the last resetBackwardCount (failed ones included) */
export let backwardCount: i32 = 0;
export function resetBackwardCount(): void { backwardCount = 0; }

/**
 * The terminal cost the solver uses: the system's, a host-supplied quadratic model
 * v0 + g.(x - xref) + 0.5 (x - xref)^T H (x - xref) (a learned value function's local model), or both.
 */
function terminalCost(x: usize, diff: bool, lx: usize, lxx: usize): f64 {
  let v: f64 = 0;
  if (termMode != 1) v = terminal(sys, par, x, diff, lx, lxx);
  else if (diff) { zero(lx, n); zero(lxx, n * n); }
  if (termMode != 0) {
    const g = at(TQ, 1), Hm = at(TQ, 1 + n), xr = at(TQ, 1 + n + n * n);
    for (let i = 0; i < n; i++) st(DX, i, ld(x, i) - ld(xr, i));
    let q: f64 = ld(TQ, 0) + dot(g, DX, n) + 0.5 * quadForm(Hm, DX, n);
    v += q;
    if (diff) {
      for (let i = 0; i < n; i++) {
        st(lx, i, ld(lx, i) + ld(g, i) + dot(at(Hm, i * n), DX, n));
        for (let j = 0; j < n; j++) st(lxx, i * n + j, ld(lxx, i * n + j) + ld(Hm, i * n + j));
      }
    }
  }
  return v;
}

/**
 * The control-tracking running term 0.5 rho ||u - uref_k||^2 of node k (only called when rho != 0);
 * with diff, adds its derivatives rho (u - uref_k) to lu and rho I to luu.
 */
function tracking(k: i32, u: usize, diff: bool, lu: usize, luu: usize): f64 {
  const r = at(UREF, k * m);
  let s: f64 = 0;
  for (let i = 0; i < m; i++) {
    const d = ld(u, i) - ld(r, i);
    s += d * d;
    if (diff) {
      st(lu, i, ld(lu, i) + rho * d);
      st(luu, i * m + i, ld(luu, i * m + i) + rho);
    }
  }
  return 0.5 * rho * s;
}

/** max(acc, max_i |p_i|) over count entries, NaN-propagating */
// @ts-ignore: decorator
@inline function maxAbs(p: usize, count: i32, acc: f64): f64 {
  for (let i = 0; i < count; i++) { const a = Math.abs(ld(p, i)); if (!(a <= acc)) acc = a; }
  return acc;
}

/** costs of (X, U) into C; returns the total (NaN/Inf propagate) */
export function costs(): f64 {
  let J: f64 = 0;
  for (let k = 0; k < N; k++) {
    let c = running(sys, par, at(X, k * n), at(U, k * m), false, 0, 0, 0, 0, 0);
    if (rho != 0) c += tracking(k, at(U, k * m), false, 0, 0);
    st(C, k, c);
    J += c;
  }
  const cN = terminalCost(at(X, N * n), false, 0, 0);
  st(C, N, cN);
  return J + cN;
}

/** X_{k+1} = f(X_k, U_k) from X_0 */
export function rollout(): void {
  for (let k = 0; k < N; k++) step(sys, par, at(X, k * n), at(U, k * m), at(X, (k + 1) * n));
}

/** gaps F_{k+1} = f(X_k, U_k) - X_{k+1}; returns max |gap| */
export function computeGaps(): f64 {
  zero(F, n);
  let mx: f64 = 0;
  for (let k = 0; k < N; k++) {
    const fk = at(F, (k + 1) * n);
    step(sys, par, at(X, k * n), at(U, k * m), fk);
    for (let i = 0; i < n; i++) {
      const g = ld(fk, i) - ld(X, (k + 1) * n + i);
      st(fk, i, g);
      const a = Math.abs(g);
      if (!(a <= mx)) mx = a; // NaN-propagating max
    }
  }
  return mx;
}

/** true when every entry of p[0..count) is finite (x*0 is NaN exactly for NaN and +-Inf) */
function allFinite(p: usize, count: i32): bool {
  let z: f64 = 0;
  for (let i = 0; i < count; i++) z += ld(p, i) * 0.0;
  return z == 0;
}

/** derivatives at (X, U); false when any is non-finite */
export function derivatives(): bool {
  for (let k = 0; k < N; k++) {
    const x = at(X, k * n), u = at(U, k * m);
    stepDiff(sys, par, x, u, at(A, k * n * n), at(B, k * n * m));
    let c = running(sys, par, x, u, true, at(LX, k * n), at(LU, k * m), at(LXX, k * n * n), at(LUU, k * m * m), at(LUX, k * m * n));
    if (rho != 0) c += tracking(k, u, true, at(LU, k * m), at(LUU, k * m * m));
    st(C, k, c);
  }
  st(C, N, terminalCost(at(X, N * n), true, at(LX, N * n), at(LXX, N * n * n)));
  return allFinite(A, N * n * n) && allFinite(B, N * n * m) && allFinite(LX, (N + 1) * n) && allFinite(LU, N * m)
    && allFinite(LXX, (N + 1) * n * n) && allFinite(LUU, N * m * m) && allFinite(LUX, N * m * n);
}

/**
 * Backward pass with regularisation mu. reg: 0 = on Quu, 1 = on Vxx. box: Box-DDP. exact: add the
 * dynamics' curvature contracted with g = Vx' (+ Vxx' F) to lxx, luu, lux (exact DDP); otherwise
 * Gauss-Newton. Writes the back gain/value buffers and makes them the front ones only if the whole
 * pass succeeds; returns false when a Quu~ (or its free block) is not positive definite.
 * splitMu >= 0 with exact: where the exact Quu~ is not positive definite, the pass continues from that
 * node down to 0 as Gauss-Newton at mu = splitMu instead of failing (splitAt = that node).
 */
export function backward(mu: f64, reg: i32, box: bool, feasible: bool, exact: bool, splitMu: f64 = -1): bool {
  splitAt = -1;
  failNode = -1;
  backwardCount++;
  copy(at(VX2, N * n), at(LX, N * n), n);
  copy(at(VXX2, N * n * n), at(LXX, N * n * n), n * n);
  // sizes with generated straight-line kernels (linalg/generated.ts): same arithmetic, in the same
  // order per element, as the loops below, so the results are bit-identical
  const gen = kern.has(n, m);
  let e1: f64 = 0;
  let e2: f64 = 0;
  let qm: f64 = 0;
  for (let k = N - 1; k >= 0; k--) {
    // no box and reg "quu" (or mu = 0): Quu~ = Quu + dmu I, Qux~ = Qux, gains fused with Qx/Qxx
    const fused = gen && !box && (reg == 0 || mu == 0);
    const dmu = reg == 0 ? mu : 0.0;
    const Ak = at(A, k * n * n), Bk = at(B, k * n * m);
    const Vxn = at(VX2, (k + 1) * n), Vxxn = at(VXX2, (k + 1) * n * n);
    const kk = at(KFF2, k * m), Kk = at(K2, k * m * n);
    let lxxk = at(LXX, k * n * n), luuk = at(LUU, k * m * m), luxk = at(LUX, k * m * n);
    if (exact) {
      // costate of the curvature term: the same g as in Qx, Qu below
      copy(LAM, Vxn, n);
      if (!feasible) gemv(LAM, Vxxn, at(F, (k + 1) * n), n, n, true);
      if (stepHess(sys, par, at(X, k * n), at(U, k * m), LAM, HXX, HUU, HUX)) {
        for (let i = 0; i < n * n; i++) st(LXXS, i, ld(lxxk, i) + ld(HXX, i));
        for (let i = 0; i < m * m; i++) st(LUUS, i, ld(luuk, i) + ld(HUU, i));
        for (let i = 0; i < m * n; i++) st(LUXS, i, ld(luxk, i) + ld(HUX, i));
        lxxk = LXXS; luuk = LUUS; luxk = LUXS;
      }
    }
    let g = Vxn;
    if (gen) {
      // g, Qu, Quu, Qux (and VA = Vxx' A, VB = Vxx' B)
      kern.q1(n, m, Ak, Bk, Vxn, Vxxn, at(F, (k + 1) * n), feasible, at(LU, k * m), luuk,
        luxk, Qu, Quu, Qux, VA, VB, G);
      if (!feasible) g = G;
      qm = maxAbs(Qu, m, qm);
      if (fused) {
        // gains, with Qx = lx + A^T g and Qxx = lxx + A^T VA computed alongside; then Vx, Vxx
        if (!kern.gainsq2(n, m, Lf, Quu, dmu, Qu, Qux, kk, Kk, Ak, g, at(LX, k * n), lxxk, VA, Qx, Qxx)) {
          if (!exact || splitMu < 0) { failNode = k; return false; }
          exact = false; mu = splitMu; splitAt = k++; continue; // this node again, and the rest, as Gauss-Newton
        }
        kern.value(n, m, Qx, Qu, Qxx, Quu, Qux, kk, Kk, at(VX2, k * n), at(VXX2, k * n * n), NU, T);
        e1 += kern.gDot;
        e2 += 0.5 * kern.gQuad;
        continue;
      }
    } else {
      // g = Vx' + Vxx' F_{k+1}
      copy(G, Vxn, n);
      if (!feasible) gemv(G, Vxxn, at(F, (k + 1) * n), n, n, true);
      g = G;
      copy(Qu, at(LU, k * m), m);
      gemvT(Qu, Bk, G, n, m, true);
      qm = maxAbs(Qu, m, qm);
      gemm(VA, Vxxn, Ak, n, n, n, false);
      gemm(VB, Vxxn, Bk, n, n, m, false);
      copy(Quu, luuk, m * m);
      gemmTN(Quu, Bk, VB, m, n, m, true);
      copy(Qux, luxk, m * n);
      gemmTN(Qux, Bk, VA, m, n, n, true);
    }
    if (gen) {
      kern.q2(n, m, Ak, g, at(LX, k * n), lxxk, VA, Qx, Qxx);
    } else {
      copy(Qx, at(LX, k * n), n);
      gemvT(Qx, Ak, g, n, n, true);
      copy(Qxx, lxxk, n * n);
      gemmTN(Qxx, Ak, VA, n, n, n, true);
    }
    // regularised Quu~ (Su), Qux~ (Sx): the unregularised blocks themselves when mu = 0
    let Su = Quu, Sx = Qux;
    if (mu != 0) {
      copy(Quur, Quu, m * m);
      Su = Quur;
      if (reg == 0) {
        for (let i = 0; i < m; i++) st(Quur, i * m + i, ld(Quur, i * m + i) + mu);
      } else {
        copy(Quxr, Qux, m * n);
        Sx = Quxr;
        // Vxx' + mu I inside Quu and Qux: + mu B^T B, + mu B^T A
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < m; j++) {
            let s: f64 = 0;
            for (let r = 0; r < n; r++) s += ld(Bk, r * m + i) * ld(Bk, r * m + j);
            st(Quur, i * m + j, ld(Quur, i * m + j) + mu * s);
          }
          for (let j = 0; j < n; j++) {
            let s: f64 = 0;
            for (let r = 0; r < n; r++) s += ld(Bk, r * m + i) * ld(Ak, r * n + j);
            st(Quxr, i * n + j, ld(Quxr, i * n + j) + mu * s);
          }
        }
      }
    }
    if (!box) {
      if (gen) {
        if (!kern.gains(n, m, Lf, Su, 0.0, Qu, Sx, kk, Kk)) {
          if (!exact || splitMu < 0) { failNode = k; return false; }
          exact = false; mu = splitMu; splitAt = k++; continue; // this node again, and the rest, as Gauss-Newton
        }
      } else {
        if (!cholesky(Lf, Su, m)) {
          if (!exact || splitMu < 0) { failNode = k; return false; }
          exact = false; mu = splitMu; splitAt = k++; continue; // this node again, and the rest, as Gauss-Newton
        }
        copy(kk, Qu, m);
        cholSolveNeg(Lf, kk, m, 1);
        copy(Kk, Sx, m * n);
        cholSolveNeg(Lf, Kk, m, n);
      }
    } else {
      for (let i = 0; i < m; i++) {
        const u = ld(U, k * m + i);
        st(QLO, i, ld(LB, i) - u);
        st(QHI, i, ld(UB, i) - u);
        st(QX, i, ld(KFF, k * m + i)); // warm start: last good k
      }
      const nf = boxQP(Su, Qu, m);
      if (nf < 0) {
        if (!exact || splitMu < 0) return false;
        exact = false; mu = splitMu; splitAt = k++; continue; // this node again, and the rest, as Gauss-Newton
      }
      copy(kk, QX, m);
      zero(Kk, m * n);
      if (nf > 0) {
        // K_free = -Hff^-1 Qux~_free (rows of the free controls), clamped rows stay 0
        let a = 0;
        for (let i = 0; i < m; i++) {
          if (ld(QFREE, i) == 0) continue;
          for (let j = 0; j < n; j++) st(T, a * n + j, ld(Sx, i * n + j));
          a++;
        }
        cholSolveNeg(QLF, T, nf, n);
        a = 0;
        for (let i = 0; i < m; i++) {
          if (ld(QFREE, i) == 0) continue;
          for (let j = 0; j < n; j++) st(Kk, i * n + j, ld(T, a * n + j));
          a++;
        }
      }
    }
    const Vx = at(VX2, k * n), Vxx = at(VXX2, k * n * n);
    if (gen) {
      kern.value(n, m, Qx, Qu, Qxx, Quu, Qux, kk, Kk, Vx, Vxx, NU, T);
      e1 += kern.gDot;
      e2 += 0.5 * kern.gQuad;
      continue;
    }
    // Vx = Qx + K^T (Quu k + Qu) + Qux^T k
    copy(NU, Qu, m);
    gemv(NU, Quu, kk, m, m, true);
    copy(Vx, Qx, n);
    gemvT(Vx, Kk, NU, m, n, true);
    gemvT(Vx, Qux, kk, m, n, true);
    // Vxx = Qxx + K^T (Quu K + Qux) + Qux^T K
    copy(T, Qux, m * n);
    gemm(T, Quu, Kk, m, m, n, true);
    copy(Vxx, Qxx, n * n);
    gemmTN(Vxx, Kk, T, n, m, n, true);
    gemmTN(Vxx, Qux, Kk, n, m, n, true);
    symmetrise(Vxx, n);
    e1 += dot(kk, Qu, m);
    e2 += 0.5 * quadForm(Quu, kk, m);
  }
  dV1 = e1;
  dV2 = e2;
  quMax = qm;
  swapGains();
  return true;
}

/**
 * Is node failNode's Quu~ at regularisation mu positive definite? Quu as the failed pass left it,
 * regularised with the pass's arithmetic ("quu": + mu I; "vxx": + mu B^T B)
 */
export function pdAtFail(mu: f64, reg: i32): bool {
  const Bk = at(B, failNode * n * m);
  copy(Quur, Quu, m * m);
  if (reg == 0) {
    for (let i = 0; i < m; i++) st(Quur, i * m + i, ld(Quur, i * m + i) + mu);
  } else {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        let s: f64 = 0;
        for (let r = 0; r < n; r++) s += ld(Bk, r * m + i) * ld(Bk, r * m + j);
        st(Quur, i * m + j, ld(Quur, i * m + j) + mu * s);
      }
    }
  }
  return cholesky(Lf, Quur, m);
}

/**
 * Stationarity of the current (X, U) with the derivatives in place: the open-loop costate
 * lam_N = lx_N, lam_k = lx_k + A_k^T lam_{k+1}, and max_k |lu_k + B_k^T lam_{k+1}|_inf, the largest
 * entry of dJ/dU (exact for a feasible trajectory; with gaps, the Lagrangian's control gradient).
 */
export function stationarity(): f64 {
  let lam = LAM, nxt = LAM2;
  copy(lam, at(LX, N * n), n);
  let mx: f64 = 0;
  for (let k = N - 1; k >= 0; k--) {
    const Ak = at(A, k * n * n), Bk = at(B, k * n * m);
    copy(NU, at(LU, k * m), m);
    gemvT(NU, Bk, lam, n, m, true);
    mx = maxAbs(NU, m, mx);
    copy(nxt, at(LX, k * n), n);
    gemvT(nxt, Ak, lam, n, n, true);
    const t = lam; lam = nxt; nxt = t;
  }
  return mx;
}

/** exact model change of the alpha = 1 step with gaps: d1, d2 (docs/algorithm.md) */
export function linearRollout(): void {
  zero(XI, n);
  d1 = 0;
  d2 = 0;
  for (let k = 0; k < N; k++) {
    const xi = at(XI, k * n), xin = at(XI, (k + 1) * n);
    copy(NU, at(KFF, k * m), m);
    gemv(NU, at(K, k * m * n), xi, m, n, true);
    d1 += dot(at(LX, k * n), xi, n) + dot(at(LU, k * m), NU, m);
    // nu^T lux xi
    let c: f64 = 0;
    const lux = at(LUX, k * m * n);
    for (let i = 0; i < m; i++) c += ld(NU, i) * dot(at(lux, i * n), xi, n);
    d2 += quadForm(at(LXX, k * n * n), xi, n) + 2.0 * c + quadForm(at(LUU, k * m * m), NU, m);
    copy(xin, at(F, (k + 1) * n), n);
    gemv(xin, at(A, k * n * n), xi, n, n, true);
    gemv(xin, at(B, k * n * m), NU, n, m, true);
  }
  const xN = at(XI, N * n);
  d1 += dot(at(LX, N * n), xN, n);
  d2 += quadForm(at(LXX, N * n * n), xN, n);
}

/** trial (XT, UT, CT) at step alpha; returns its total cost */
export function forward(alpha: f64, box: bool, feasible: bool): f64 {
  copy(XT, X, n);
  let J: f64 = 0;
  const gapScale = 1.0 - alpha;
  for (let k = 0; k < N; k++) {
    const xt = at(XT, k * n), ut = at(UT, k * m), x = at(X, k * n);
    for (let i = 0; i < n; i++) st(DX, i, ld(xt, i) - ld(x, i));
    const Kk = at(K, k * m * n), kk = at(KFF, k * m);
    for (let i = 0; i < m; i++) {
      let v = ld(U, k * m + i) + alpha * ld(kk, i) + dot(at(Kk, i * n), DX, n);
      if (box) {
        const lo = ld(LB, i), hi = ld(UB, i);
        v = v < lo ? lo : v > hi ? hi : v;
      }
      st(ut, i, v);
    }
    let c = running(sys, par, xt, ut, false, 0, 0, 0, 0, 0);
    if (rho != 0) c += tracking(k, ut, false, 0, 0);
    st(CT, k, c);
    J += c;
    const xn = at(XT, (k + 1) * n);
    step(sys, par, xt, ut, xn);
    if (!feasible) {
      const fk = at(F, (k + 1) * n);
      for (let i = 0; i < n; i++) st(xn, i, ld(xn, i) - gapScale * ld(fk, i));
    }
  }
  const cN = terminalCost(at(XT, N * n), false, 0, 0);
  st(CT, N, cN);
  return J + cN;
}
