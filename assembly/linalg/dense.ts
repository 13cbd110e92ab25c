// Small dense kernels on row-major f64 arrays, output first. With SIMD enabled the loops over output
// columns run two lanes at a time (f64x2); the scalar tail (and the whole loop without SIMD) is the
// same arithmetic, so both builds come from this one source (ASC_FEATURE_SIMD is a compile-time constant).
import { ld, st } from "../mem";

/** C(m x n) = [C +] A(m x k) B(k x n) */
export function gemm(C: usize, A: usize, B: usize, m: i32, k: i32, n: i32, acc: bool): void {
  for (let i = 0; i < m; i++) {
    const crow = C + (<usize>(i * n) << 3);
    const arow = A + (<usize>(i * k) << 3);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 1 < n; j += 2) {
        let s = acc ? v128.load(crow + (<usize>j << 3)) : f64x2.splat(0);
        for (let r = 0; r < k; r++) {
          const a = f64x2.splat(load<f64>(arow + (<usize>r << 3)));
          s = f64x2.add(s, f64x2.mul(a, v128.load(B + (<usize>(r * n + j) << 3))));
        }
        v128.store(crow + (<usize>j << 3), s);
      }
    }
    for (; j < n; j++) {
      let s: f64 = acc ? load<f64>(crow + (<usize>j << 3)) : 0;
      for (let r = 0; r < k; r++) s += load<f64>(arow + (<usize>r << 3)) * ld(B, r * n + j);
      store<f64>(crow + (<usize>j << 3), s);
    }
  }
}

/** C(m x n) = [C +] A^T B with A(k x m), B(k x n) */
export function gemmTN(C: usize, A: usize, B: usize, m: i32, k: i32, n: i32, acc: bool): void {
  for (let i = 0; i < m; i++) {
    const crow = C + (<usize>(i * n) << 3);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 1 < n; j += 2) {
        let s = acc ? v128.load(crow + (<usize>j << 3)) : f64x2.splat(0);
        for (let r = 0; r < k; r++) {
          const a = f64x2.splat(ld(A, r * m + i));
          s = f64x2.add(s, f64x2.mul(a, v128.load(B + (<usize>(r * n + j) << 3))));
        }
        v128.store(crow + (<usize>j << 3), s);
      }
    }
    for (; j < n; j++) {
      let s: f64 = acc ? load<f64>(crow + (<usize>j << 3)) : 0;
      for (let r = 0; r < k; r++) s += ld(A, r * m + i) * ld(B, r * n + j);
      store<f64>(crow + (<usize>j << 3), s);
    }
  }
}

/** y(n) = [y +] A^T x with A(k x n), x(k) */
export function gemvT(y: usize, A: usize, x: usize, k: i32, n: i32, acc: bool): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 1 < n; j += 2) {
      let s = acc ? v128.load(y + (<usize>j << 3)) : f64x2.splat(0);
      for (let r = 0; r < k; r++) {
        s = f64x2.add(s, f64x2.mul(f64x2.splat(ld(x, r)), v128.load(A + (<usize>(r * n + j) << 3))));
      }
      v128.store(y + (<usize>j << 3), s);
    }
  }
  for (; j < n; j++) {
    let s: f64 = acc ? ld(y, j) : 0;
    for (let r = 0; r < k; r++) s += ld(A, r * n + j) * ld(x, r);
    st(y, j, s);
  }
}

/** y(m) = [y +] A x with A(m x n) */
export function gemv(y: usize, A: usize, x: usize, m: i32, n: i32, acc: bool): void {
  for (let i = 0; i < m; i++) {
    let s: f64 = acc ? ld(y, i) : 0;
    s += dot(A + (<usize>(i * n) << 3), x, n);
    st(y, i, s);
  }
}

export function dot(a: usize, b: usize, n: i32): f64 {
  let i = 0;
  let s: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    let v = f64x2.splat(0);
    for (; i + 1 < n; i += 2) {
      v = f64x2.add(v, f64x2.mul(v128.load(a + (<usize>i << 3)), v128.load(b + (<usize>i << 3))));
    }
    s = f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
  }
  for (; i < n; i++) s += ld(a, i) * ld(b, i);
  return s;
}

/** x^T M x for a square M(n x n) */
export function quadForm(M: usize, x: usize, n: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) s += ld(x, i) * dot(M + (<usize>(i * n) << 3), x, n);
  return s;
}

/** M = (M + M^T)/2 */
export function symmetrise(M: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const v = 0.5 * (ld(M, i * n + j) + ld(M, j * n + i));
      st(M, i * n + j, v);
      st(M, j * n + i, v);
    }
  }
}

/** lower Cholesky factor L of S (n x n) into L; false if S is not numerically positive definite */
export function cholesky(L: usize, S: usize, n: i32): bool {
  for (let j = 0; j < n; j++) {
    let d = ld(S, j * n + j);
    for (let r = 0; r < j; r++) d -= ld(L, j * n + r) * ld(L, j * n + r);
    if (!(d > 0) || !isFinite(d)) return false;
    const ljj = Math.sqrt(d);
    st(L, j * n + j, ljj);
    const inv = 1.0 / ljj;
    for (let i = j + 1; i < n; i++) {
      let s = ld(S, i * n + j);
      for (let r = 0; r < j; r++) s -= ld(L, i * n + r) * ld(L, j * n + r);
      st(L, i * n + j, s * inv);
    }
    for (let i = 0; i < j; i++) st(L, i * n + j, 0);
  }
  return true;
}

/**
 * Solve (L L^T) X = -R in place for the nc columns of R (n x nc, row-major): R becomes -S^-1 R.
 * The minus sign is what the gains need (k = -Quu^-1 Qu, K = -Quu^-1 Qux).
 */
export function cholSolveNeg(L: usize, R: usize, n: i32, nc: i32): void {
  for (let c = 0; c < nc; c++) {
    for (let i = 0; i < n; i++) {
      let s = ld(R, i * nc + c);
      for (let r = 0; r < i; r++) s -= ld(L, i * n + r) * ld(R, r * nc + c);
      st(R, i * nc + c, s / ld(L, i * n + i));
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = ld(R, i * nc + c);
      for (let r = i + 1; r < n; r++) s -= ld(L, r * n + i) * ld(R, r * nc + c);
      st(R, i * nc + c, s / ld(L, i * n + i));
    }
    for (let i = 0; i < n; i++) st(R, i * nc + c, -ld(R, i * nc + c));
  }
}
