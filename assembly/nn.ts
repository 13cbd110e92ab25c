// Kernels for the learning side (src/rl/kernels.ts): sin and cos of float32 arrays, evaluated in f64 and
// rounded once to f32. The same formula, operation for operation, as sinCosInto in src/rl/kernels.ts
// (its JS reference and fallback), so the two give identical bits: Cody-Waite reduction by pi/2 in three
// parts, Taylor polynomials of degree 15 (sin) and 16 (cos) on |r| <= pi/4, k = floor(x 2/pi + 1/2).
// |x| > 1e5 (or non-finite) is not reduced accurately here: the function reports such inputs and the
// caller (src/rl/kernels.ts) recomputes the whole array with its JS fallback.

const P1: f64 = 1.5707963267341256;
const P2: f64 = 6.077100506506192e-11;
const P3: f64 = 3.5215598651832e-27;
const TWO_OVER_PI: f64 = 0.6366197723675814;
const REDUCE_MAX: f64 = 1e5;

const S1: f64 = -1.0 / 6.0, S2: f64 = 1.0 / 120.0, S3: f64 = -1.0 / 5040.0, S4: f64 = 1.0 / 362880.0;
const S5: f64 = -1.0 / 39916800.0, S6: f64 = 1.0 / 6227020800.0, S7: f64 = -1.0 / 1307674368000.0;
const C1: f64 = -1.0 / 2.0, C2: f64 = 1.0 / 24.0, C3: f64 = -1.0 / 720.0, C4: f64 = 1.0 / 40320.0;
const C5: f64 = -1.0 / 3628800.0, C6: f64 = 1.0 / 479001600.0, C7: f64 = -1.0 / 87178291200.0, C8: f64 = 1.0 / 20922789888000.0;

// @ts-ignore: decorator
@inline function one(x: f64, sOut: usize, cOut: usize, i: i32): void {
  const k = Math.floor(x * TWO_OVER_PI + 0.5);
  const r = ((x - k * P1) - k * P2) - k * P3;
  const z = r * r;
  const sr = r + r * z * (S1 + z * (S2 + z * (S3 + z * (S4 + z * (S5 + z * (S6 + z * S7))))));
  const cr = 1.0 + z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * (C6 + z * (C7 + z * C8)))))));
  const q = (<i32>k) & 3;
  const s = x == 0 ? x : q == 0 ? sr : q == 1 ? cr : q == 2 ? -sr : -cr;
  const c = q == 0 ? cr : q == 1 ? -sr : q == 2 ? -cr : sr;
  if (sOut) store<f32>(sOut + (<usize>i << 2), <f32>s);
  if (cOut) store<f32>(cOut + (<usize>i << 2), <f32>c);
}

// @ts-ignore: decorator
@inline function pair(x: usize, sOut: usize, cOut: usize, i: i32, badv: v128): v128 {
    const two = f64x2.splat(TWO_OVER_PI), half = f64x2.splat(0.5);
    const p1 = f64x2.splat(P1), p2 = f64x2.splat(P2), p3 = f64x2.splat(P3);
    const one1 = f64x2.splat(1.0), lim = f64x2.splat(REDUCE_MAX);
    const odd1 = i32x4.splat(1), two4 = i32x4.splat(2), one4 = i32x4.splat(1), zero4 = i32x4.splat(0);
    const sign = i64x2.splat(0x8000000000000000);

      const xv = f64x2.promote_low_f32x4(v128.load64_zero(x + (<usize>i << 2)));
      badv = v128.or(badv, v128.not(f64x2.le(f64x2.abs(xv), lim)));
      const k = f64x2.floor(f64x2.add(f64x2.mul(xv, two), half));
      const r = f64x2.sub(f64x2.sub(f64x2.sub(xv, f64x2.mul(k, p1)), f64x2.mul(k, p2)), f64x2.mul(k, p3));
      const z = f64x2.mul(r, r);
      let ps = f64x2.add(f64x2.splat(S6), f64x2.mul(z, f64x2.splat(S7)));
      ps = f64x2.add(f64x2.splat(S5), f64x2.mul(z, ps));
      ps = f64x2.add(f64x2.splat(S4), f64x2.mul(z, ps));
      ps = f64x2.add(f64x2.splat(S3), f64x2.mul(z, ps));
      ps = f64x2.add(f64x2.splat(S2), f64x2.mul(z, ps));
      ps = f64x2.add(f64x2.splat(S1), f64x2.mul(z, ps));
      const sr = f64x2.add(r, f64x2.mul(f64x2.mul(r, z), ps));
      let pc = f64x2.add(f64x2.splat(C7), f64x2.mul(z, f64x2.splat(C8)));
      pc = f64x2.add(f64x2.splat(C6), f64x2.mul(z, pc));
      pc = f64x2.add(f64x2.splat(C5), f64x2.mul(z, pc));
      pc = f64x2.add(f64x2.splat(C4), f64x2.mul(z, pc));
      pc = f64x2.add(f64x2.splat(C3), f64x2.mul(z, pc));
      pc = f64x2.add(f64x2.splat(C2), f64x2.mul(z, pc));
      pc = f64x2.add(f64x2.splat(C1), f64x2.mul(z, pc));
      const cr = f64x2.add(one1, f64x2.mul(z, pc));
      // quadrant per lane, without branches (a random quadrant mispredicts): q = k mod 4; q odd swaps
      // sin and cos; sin is negated for q = 2, 3, cos for q = 1, 2
      const q = i32x4.trunc_sat_f64x2_s_zero(k);
      const swap = i64x2.extend_low_i32x4_s(i32x4.ne(v128.and(q, odd1), zero4));
      const negS = i64x2.extend_low_i32x4_s(i32x4.ne(v128.and(q, two4), zero4));
      const negC = i64x2.extend_low_i32x4_s(i32x4.ne(v128.and(i32x4.add(q, one4), two4), zero4));
      const a = v128.bitselect(cr, sr, swap);
      const b = v128.bitselect(sr, cr, swap);
      // sin(+-0) = +-0 (the polynomial would give +0 for -0)
      const sv = v128.bitselect(xv, v128.xor(a, v128.and(negS, sign)), f64x2.eq(xv, f64x2.splat(0)));
      if (sOut) v128.store64_lane(sOut + (<usize>i << 2), f32x4.demote_f64x2_zero(sv), 0);
      if (cOut) v128.store64_lane(cOut + (<usize>i << 2), f32x4.demote_f64x2_zero(v128.xor(b, v128.and(negC, sign))), 0);
      return badv;
}

/**
 * s[i] = sin(x[i]), c[i] = cos(x[i]) for n float32 values (s or c may be 0: not written). Returns 1 when
 * some |x[i]| > 1e5 or is not finite (the caller recomputes those), else 0.
 */
export function sinCosF32(x: usize, sOut: usize, cOut: usize, n: i32): i32 {
  let i = 0;
  let bad = false;
  if (ASC_FEATURE_SIMD) {
    const two = f64x2.splat(TWO_OVER_PI), half = f64x2.splat(0.5);
    const p1 = f64x2.splat(P1), p2 = f64x2.splat(P2), p3 = f64x2.splat(P3);
    const one1 = f64x2.splat(1.0), lim = f64x2.splat(REDUCE_MAX);
    let badv = i64x2.splat(0);
    const odd1 = i32x4.splat(1), two4 = i32x4.splat(2), one4 = i32x4.splat(1), zero4 = i32x4.splat(0);
    const sign = i64x2.splat(0x8000000000000000);
    for (; i + 7 < n; i += 8) {
      badv = pair(x, sOut, cOut, i, badv);
      badv = pair(x, sOut, cOut, i + 2, badv);
      badv = pair(x, sOut, cOut, i + 4, badv);
      badv = pair(x, sOut, cOut, i + 6, badv);
    }
    for (; i + 1 < n; i += 2) badv = pair(x, sOut, cOut, i, badv);
    bad = v128.any_true(badv);
  }
  for (; i < n; i++) {
    const xi = <f64>load<f32>(x + (<usize>i << 2));
    if (!(Math.abs(xi) <= REDUCE_MAX)) bad = true;
    one(xi, sOut, cOut, i);
  }
  return bad ? 1 : 0;
}

/**
 * One Adam step over n float32 parameters, in place: every operation in f32, in the order of the tf-op
 * formula (src/rl/networks.ts), so the bits equal those tf's kernels give:
 *   m = m b1 + g ob1; v = v b2 + (g g) ob2; x = ((m / c1) / (sqrt(v / c2) + eps)) nlr + x
 */
export function adamF32(x: usize, g: usize, m: usize, v: usize, n: i32, b1: f32, ob1: f32, b2: f32, ob2: f32, c1: f32, c2: f32, eps: f32, nlr: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vb1 = f32x4.splat(b1), vob1 = f32x4.splat(ob1), vb2 = f32x4.splat(b2), vob2 = f32x4.splat(ob2);
    const vc1 = f32x4.splat(c1), vc2 = f32x4.splat(c2), veps = f32x4.splat(eps), vnlr = f32x4.splat(nlr);
    for (; i + 3 < n; i += 4) {
      const o = <usize>i << 2;
      const gj = v128.load(g + o);
      const mj = f32x4.add(f32x4.mul(v128.load(m + o), vb1), f32x4.mul(gj, vob1));
      const vj = f32x4.add(f32x4.mul(v128.load(v + o), vb2), f32x4.mul(f32x4.mul(gj, gj), vob2));
      v128.store(m + o, mj);
      v128.store(v + o, vj);
      const step = f32x4.div(f32x4.div(mj, vc1), f32x4.add(f32x4.sqrt(f32x4.div(vj, vc2)), veps));
      v128.store(x + o, f32x4.add(f32x4.mul(step, vnlr), v128.load(x + o)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gj = load<f32>(g + o);
    const mj = load<f32>(m + o) * b1 + gj * ob1;
    const vj = load<f32>(v + o) * b2 + (gj * gj) * ob2;
    store<f32>(m + o, mj);
    store<f32>(v + o, vj);
    const step = (mj / c1) / (Mathf.sqrt(vj / c2) + eps);
    store<f32>(x + o, step * nlr + load<f32>(x + o));
  }
}

/** t = s a + t b over n float32 values, in place, in f32 (the soft target update) */
export function lerpF32(t: usize, s: usize, n: i32, a: f32, b: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(a), vb = f32x4.splat(b);
    for (; i + 3 < n; i += 4) {
      const o = <usize>i << 2;
      v128.store(t + o, f32x4.add(f32x4.mul(v128.load(s + o), va), f32x4.mul(v128.load(t + o), vb)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(t + o, load<f32>(s + o) * a + load<f32>(t + o) * b);
  }
}

/** dst (cols x rows) = transpose of src (rows x cols), float32, row-major; 4x4 blocks by SIMD shuffles */
export function transposeF32(src: usize, dst: usize, rows: i32, cols: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 3 < rows; i += 4) {
      let j = 0;
      for (; j + 3 < cols; j += 4) {
        const r0 = v128.load(src + ((<usize>i * cols + j) << 2));
        const r1 = v128.load(src + ((<usize>(i + 1) * cols + j) << 2));
        const r2 = v128.load(src + ((<usize>(i + 2) * cols + j) << 2));
        const r3 = v128.load(src + ((<usize>(i + 3) * cols + j) << 2));
        // interleave pairs, then halves: columns of the 4x4 block
        const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
        const t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
        const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
        const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
        v128.store(dst + ((<usize>j * rows + i) << 2), i64x2.shuffle(t0, t1, 0, 2));
        v128.store(dst + ((<usize>(j + 1) * rows + i) << 2), i64x2.shuffle(t0, t1, 1, 3));
        v128.store(dst + ((<usize>(j + 2) * rows + i) << 2), i64x2.shuffle(t2, t3, 0, 2));
        v128.store(dst + ((<usize>(j + 3) * rows + i) << 2), i64x2.shuffle(t2, t3, 1, 3));
      }
      for (; j < cols; j++) {
        for (let a = 0; a < 4; a++) store<f32>(dst + ((<usize>j * rows + i + a) << 2), load<f32>(src + ((<usize>(i + a) * cols + j) << 2)));
      }
    }
  }
  for (; i < rows; i++) {
    for (let j = 0; j < cols; j++) store<f32>(dst + ((<usize>j * rows + i) << 2), load<f32>(src + ((<usize>i * cols + j) << 2)));
  }
}

/**
 * z = x + b (b broadcast over the rows: rows x cols, b of length cols) and h = z < 0 ? z alpha : z,
 * float32 (the actor's hidden layers: CactoBiasLeaky on the wasm backend, whose LeakyRelu multiplies
 * in float32). Each operation rounds to float32 as the JS body does (an f32 sum or product computed in
 * f64 and rounded once is the f32 operation's result).
 */
export function biasLeakyF32(x: usize, b: usize, z: usize, h: usize, rows: i32, cols: i32, alpha: f32): void {
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * cols << 2;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const va = f32x4.splat(alpha), zero = f32x4.splat(0);
      for (; j + 3 < cols; j += 4) {
        const o = row + (<usize>j << 2);
        const v = f32x4.add(v128.load(x + o), v128.load(b + (<usize>j << 2)));
        v128.store(z + o, v);
        v128.store(h + o, v128.bitselect(f32x4.mul(v, va), v, f32x4.lt(v, zero)));
      }
    }
    for (; j < cols; j++) {
      const o = row + (<usize>j << 2);
      const v = load<f32>(x + o) + load<f32>(b + (<usize>j << 2));
      store<f32>(z + o, v);
      store<f32>(h + o, v < 0 ? v * alpha : v);
    }
  }
}

/** out = z > 0 ? dy : dy alpha over n float32 values (CactoLeakyReluGrad on the wasm backend) */
export function leakyGradF32(dy: usize, z: usize, out: usize, n: i32, alpha: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(alpha), zero = f32x4.splat(0);
    for (; i + 3 < n; i += 4) {
      const o = <usize>i << 2;
      const d = v128.load(dy + o);
      v128.store(out + o, v128.bitselect(d, f32x4.mul(d, va), f32x4.gt(v128.load(z + o), zero)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const d = load<f32>(dy + o);
    store<f32>(out + o, load<f32>(z + o) > 0 ? d : d * alpha);
  }
}

/**
 * out[j] = sum over the rows of x[r, j] (rows x cols, float32), accumulated in row order from 0 in
 * float32: the bits of the wasm backend's Sum over axis 0 (test/rl-kernels.test.ts)
 */
export function colSumF32(x: usize, out: usize, rows: i32, cols: i32): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 3 < cols; j += 4) {
      let acc = f32x4.splat(0);
      for (let r = 0; r < rows; r++) acc = f32x4.add(acc, v128.load(x + ((<usize>r * cols + j) << 2)));
      v128.store(out + (<usize>j << 2), acc);
    }
  }
  for (; j < cols; j++) {
    let acc: f32 = 0;
    for (let r = 0; r < rows; r++) acc += load<f32>(x + ((<usize>r * cols + j) << 2));
    store<f32>(out + (<usize>j << 2), acc);
  }
}
