// Finite differences and comparison helpers shared by the engine tests.

/** five-point central-difference Jacobian (rows = outputs) of f at z, step h*max(1,|z_j|) */
export function fdJacobian(f: (z: Float64Array) => ArrayLike<number>, z: ArrayLike<number>, h = 1e-5): { J: Float64Array; rows: number } {
  const n = z.length;
  const zz = Float64Array.from(z);
  const rows = f(zz).length;
  const J = new Float64Array(rows * n);
  for (let j = 0; j < n; j++) {
    const e = h * Math.max(1, Math.abs(z[j]));
    zz[j] = z[j] + 2 * e; const f1 = Float64Array.from(f(zz));
    zz[j] = z[j] + e; const f2 = Float64Array.from(f(zz));
    zz[j] = z[j] - e; const f3 = Float64Array.from(f(zz));
    zz[j] = z[j] - 2 * e; const f4 = Float64Array.from(f(zz));
    zz[j] = z[j];
    for (let i = 0; i < rows; i++) J[i * n + j] = (8 * (f2[i] - f3[i]) - (f1[i] - f4[i])) / (12 * e);
  }
  return { J, rows };
}

/** largest |a_i - b_i| relative to (atol + max|b|); a block-wise relative error */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>, atol = 0): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let scale = atol, d = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < b.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return scale === 0 ? d : d / scale;
}

/** seeded uniform generator for tests */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * x0 with its first entry moved by one part in 1e15 (about one ulp): where a solve's outcome changes
 * under this, rounding decides its path, and two solvers rounding differently may part there.
 */
export function nudged(x0: ArrayLike<number>): number[] {
  const x1 = Array.from(x0);
  x1[0] = x1[0] * (1 + 1e-15) + 1e-300;
  return x1;
}
