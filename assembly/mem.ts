// Pointer helpers: every kernel works on raw f64 arrays in linear memory (no managed objects).

// @ts-ignore: decorator
@inline export function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline export function st(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

// @ts-ignore: decorator
@inline export function addTo(p: usize, i: i32, v: f64): void {
  const a = p + (<usize>i << 3);
  store<f64>(a, load<f64>(a) + v);
}

/** f64 element offset -> byte pointer */
// @ts-ignore: decorator
@inline export function at(p: usize, i: i32): usize {
  return p + (<usize>i << 3);
}

// Plain loops rather than memory.fill/memory.copy: the blocks are a few to a few dozen doubles (the
// two measured the same here; loops keep the hot path free of runtime calls).
export function zero(p: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const z = f64x2.splat(0);
    for (; i + 1 < n; i += 2) v128.store(p + (<usize>i << 3), z);
  }
  for (; i < n; i++) store<f64>(p + (<usize>i << 3), 0);
}

export function copy(dst: usize, src: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 1 < n; i += 2) v128.store(dst + (<usize>i << 3), v128.load(src + (<usize>i << 3)));
  }
  for (; i < n; i++) store<f64>(dst + (<usize>i << 3), load<f64>(src + (<usize>i << 3)));
}
