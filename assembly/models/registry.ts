// The model interface the solver calls: a model is its dimensions and five functions in the engine's
// function table (step f, its Jacobians A = f_x and B = f_u, the dynamics' curvature contracted with a
// costate, the running cost and the terminal cost, each with its derivatives on request). The solver
// knows model ids, never systems: the built-in systems register themselves (./builtin.ts) and a host
// adds its own (a user-defined system compiled to WASM at run time) by placing functions of these
// exact signatures in the exported table and calling registerModel.
//
//   step     (p, x, u, out) -> void                                  out = f(x, u)
//   stepDiff (p, x, u, A, B) -> void                                 A (nx*nx), B (nx*nu), row-major
//   stepHess (p, x, u, lam, Hxx, Huu, Hux) -> i32                    sum_r lam_r d2 f_r (0: linear, nothing written)
//   running  (p, x, u, diff, lx, lu, lxx, luu, lux) -> f64           l(x, u); derivatives when diff != 0
//   terminal (p, x, diff, lx, lxx) -> f64                            l_N(x); derivatives when diff != 0
// (all pointers are byte offsets of f64 arrays in the engine's memory; p is the parameter block)

export const MAX_MODELS: i32 = 256;
const SLOTS: i32 = 8; // nx, nu, step, stepDiff, stepHess, running, terminal, (spare)
const REG: usize = memory.data(MAX_MODELS * SLOTS * 4, 16);
let count: i32 = 0;

// @ts-ignore: decorator
@inline function slot(id: i32, k: i32): u32 {
  return load<u32>(REG + ((<usize>(id * SLOTS + k)) << 2));
}

/** adds a model whose five functions sit at the given table indices; returns its id, or -1 when full or invalid */
export function registerModel(nx: i32, nu: i32, iStep: u32, iDiff: u32, iHess: u32, iRun: u32, iTerm: u32): i32 {
  if (count >= MAX_MODELS || nx < 1 || nu < 1) return -1;
  const id = count++;
  const b = REG + ((<usize>(id * SLOTS)) << 2);
  store<u32>(b, <u32>nx);
  store<u32>(b + 4, <u32>nu);
  store<u32>(b + 8, iStep);
  store<u32>(b + 12, iDiff);
  store<u32>(b + 16, iHess);
  store<u32>(b + 20, iRun);
  store<u32>(b + 24, iTerm);
  return id;
}

/** number of registered models (ids are 0 .. count - 1) */
export function modelCount(): i32 {
  return count;
}

/** out = f(x, u) */
// @ts-ignore: decorator
@inline export function step(sys: i32, p: usize, x: usize, u: usize, out: usize): void {
  call_indirect<void>(slot(sys, 2), p, x, u, out);
}

/** A = f_x, B = f_u (row-major) */
// @ts-ignore: decorator
@inline export function stepDiff(sys: i32, p: usize, x: usize, u: usize, A: usize, B: usize): void {
  call_indirect<void>(slot(sys, 3), p, x, u, A, B);
}

/**
 * Curvature of f contracted with lam: Hxx (n*n), Huu (m*m), Hux (m*n), overwritten. Returns false
 * (and writes nothing) for models whose dynamics are linear, so the caller can skip the terms.
 */
// @ts-ignore: decorator
@inline export function stepHess(sys: i32, p: usize, x: usize, u: usize, lam: usize, Hxx: usize, Huu: usize, Hux: usize): bool {
  return call_indirect<i32>(slot(sys, 4), p, x, u, lam, Hxx, Huu, Hux) != 0;
}

/** l(x, u); with diff, also its gradient and Hessian blocks (overwritten) */
// @ts-ignore: decorator
@inline export function running(sys: i32, p: usize, x: usize, u: usize, diff: bool, lx: usize, lu: usize, lxx: usize, luu: usize, lux: usize): f64 {
  return call_indirect<f64>(slot(sys, 5), p, x, u, <i32>diff, lx, lu, lxx, luu, lux);
}

/** l_N(x); with diff, also its gradient and Hessian */
// @ts-ignore: decorator
@inline export function terminal(sys: i32, p: usize, x: usize, diff: bool, lx: usize, lxx: usize): f64 {
  return call_indirect<f64>(slot(sys, 6), p, x, <i32>diff, lx, lxx);
}

/** state dimension of a model id, or -1 when unknown */
export function systemNx(sys: i32): i32 {
  return sys >= 0 && sys < count ? <i32>slot(sys, 0) : -1;
}

/** control dimension of a model id, or -1 when unknown */
export function systemNu(sys: i32): i32 {
  return sys >= 0 && sys < count ? <i32>slot(sys, 1) : -1;
}
