// Box-constrained QP of Box-DDP (Tassa, Mansard & Todorov 2014), projected Newton:
//   min 0.5 x^T H x + q^T x   s.t. lo <= x <= hi
// On return: x in QX, QFREE[i] = 1 for free controls, QLF = Cholesky factor of H on the free set,
// compacted (nf x nf). Returns the number of free controls, or -1 if a free block is not positive definite.
import { ld, st } from "../mem";
import { cholesky } from "../linalg/dense";
import { QX, QG, QD, QN, QLO, QHI, QFREE, QHF, QLF } from "./state";

function qpValue(H: usize, q: usize, x: usize, m: i32): f64 {
  let v: f64 = 0;
  for (let i = 0; i < m; i++) {
    let hx: f64 = 0;
    for (let j = 0; j < m; j++) hx += ld(H, i * m + j) * ld(x, j);
    v += ld(x, i) * (0.5 * hx + ld(q, i));
  }
  return v;
}

function gradient(H: usize, q: usize, x: usize, m: i32): void {
  for (let i = 0; i < m; i++) {
    let g = ld(q, i);
    for (let j = 0; j < m; j++) g += ld(H, i * m + j) * ld(x, j);
    st(QG, i, g);
  }
}

/** mark the free set at QX from the gradient QG; returns the number of free controls */
function freeSet(m: i32): i32 {
  let nf = 0;
  for (let i = 0; i < m; i++) {
    const x = ld(QX, i), g = ld(QG, i);
    const clamped = (x <= ld(QLO, i) && g > 0) || (x >= ld(QHI, i) && g < 0);
    st(QFREE, i, clamped ? 0.0 : 1.0);
    if (!clamped) nf++;
  }
  return nf;
}

/** Cholesky of the free block of H into QLF; false if not positive definite */
function factorFree(H: usize, m: i32, nf: i32): bool {
  let a = 0;
  for (let i = 0; i < m; i++) {
    if (ld(QFREE, i) == 0) continue;
    let b = 0;
    for (let j = 0; j < m; j++) {
      if (ld(QFREE, j) == 0) continue;
      st(QHF, a * nf + b, ld(H, i * m + j));
      b++;
    }
    a++;
  }
  return cholesky(QLF, QHF, nf);
}

// @ts-ignore: decorator
@inline function clampTo(v: f64, lo: f64, hi: f64): f64 {
  return v < lo ? lo : v > hi ? hi : v;
}

/** warm start already in QX; bounds in QLO, QHI */
export function boxQP(H: usize, q: usize, m: i32): i32 {
  for (let i = 0; i < m; i++) st(QX, i, clampTo(ld(QX, i), ld(QLO, i), ld(QHI, i)));
  let f = qpValue(H, q, QX, m);
  for (let iter = 0; iter < 100; iter++) {
    gradient(H, q, QX, m);
    const nf = freeSet(m);
    if (nf == 0) break;
    if (!factorFree(H, m, nf)) return -1;
    let gn: f64 = 0;
    for (let i = 0; i < m; i++) if (ld(QFREE, i) != 0) gn += ld(QG, i) * ld(QG, i);
    if (Math.sqrt(gn) < 1e-8) break;
    // Newton direction on the free set: dx_f = -H_ff^-1 g_f (forward/back substitution on QLF)
    let a = 0;
    for (let i = 0; i < m; i++) {
      if (ld(QFREE, i) == 0) continue;
      let s = ld(QG, i);
      for (let r = 0; r < a; r++) s -= ld(QLF, a * nf + r) * ld(QD, r);
      st(QD, a, s / ld(QLF, a * nf + a));
      a++;
    }
    for (let i = nf - 1; i >= 0; i--) {
      let s = ld(QD, i);
      for (let r = i + 1; r < nf; r++) s -= ld(QLF, r * nf + i) * ld(QD, r);
      st(QD, i, s / ld(QLF, i * nf + i));
    }
    // scatter -QD into a full-length direction, stored in QN temporarily then moved
    a = nf - 1;
    for (let i = m - 1; i >= 0; i--) {
      if (ld(QFREE, i) != 0) { st(QD, i, -ld(QD, a)); a--; } else st(QD, i, 0);
    }
    let step: f64 = 1;
    let fn: f64 = 0;
    let accepted = false;
    while (step >= 1e-10) {
      let lin: f64 = 0;
      for (let i = 0; i < m; i++) {
        const xn = clampTo(ld(QX, i) + step * ld(QD, i), ld(QLO, i), ld(QHI, i));
        st(QN, i, xn);
        lin += ld(QG, i) * (xn - ld(QX, i));
      }
      fn = qpValue(H, q, QN, m);
      if (fn - f <= 0.1 * lin) { accepted = true; break; }
      step *= 0.6;
    }
    if (!accepted) break;
    const done = (f - fn) < 1e-12 * (1.0 + Math.abs(f));
    for (let i = 0; i < m; i++) st(QX, i, ld(QN, i));
    f = fn;
    if (done) break;
  }
  gradient(H, q, QX, m);
  const nf = freeSet(m);
  if (nf > 0 && !factorFree(H, m, nf)) return -1;
  return nf;
}
