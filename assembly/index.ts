// The exported ABI: pointers and sizes only. The TS side (src/wasm/engine.ts) owns allocation above
// heapBase() and keeps cached typed-array views; nothing here allocates.
import { at, ld, st } from "./mem";
import { step, stepDiff, stepHess, running, terminal, systemNx, systemNu } from "./models/registry";
import { registerBuiltins } from "./models/builtin";

export { registerModel, modelCount } from "./models/registry";

// the six benchmark systems take model ids 0..5 when the module is instantiated
registerBuiltins();

export { wsBytes, wsInit } from "./solver/workspace";
export { solve } from "./solver/solve";
export { sinCosF32, adamF32, lerpF32, transposeF32, biasLeakyF32, leakyGradF32, colSumF32 } from "./nn";

/** first free byte after static data */
export function heapBase(): usize {
  return __heap_base;
}

export function nx(sys: i32): i32 { return systemNx(sys); }
export function nu(sys: i32): i32 { return systemNu(sys); }

// single-point model evaluation (tests, finite differences, plain use)
export function modelStep(sys: i32, p: usize, x: usize, u: usize, out: usize): void {
  step(sys, p, x, u, out);
}
export function modelStepDiff(sys: i32, p: usize, x: usize, u: usize, A: usize, B: usize): void {
  stepDiff(sys, p, x, u, A, B);
}
export function modelRunning(sys: i32, p: usize, x: usize, u: usize): f64 {
  return running(sys, p, x, u, false, 0, 0, 0, 0, 0);
}
export function modelRunningDiff(sys: i32, p: usize, x: usize, u: usize, lx: usize, lu: usize, lxx: usize, luu: usize, lux: usize): f64 {
  return running(sys, p, x, u, true, lx, lu, lxx, luu, lux);
}
export function modelTerminal(sys: i32, p: usize, x: usize): f64 {
  return terminal(sys, p, x, false, 0, 0);
}
export function modelTerminalDiff(sys: i32, p: usize, x: usize, lx: usize, lxx: usize): f64 {
  return terminal(sys, p, x, true, lx, lxx);
}

/** out_i = f(x_i, u_i) for nb rows (rows packed: x nb*nx, u nb*nu, out nb*nx) */
export function stepBatch(sys: i32, p: usize, nb: i32, X: usize, U: usize, out: usize): void {
  const n = systemNx(sys), m = systemNu(sys);
  for (let i = 0; i < nb; i++) step(sys, p, at(X, i * n), at(U, i * m), at(out, i * n));
}

/**
 * For nb pairs (x_i, u_i): f (nb*nx), f_u (nb*nx*nu), l (nb), l_u (nb*nu): what the actor update needs.
 * scratch: nx*nx + nx + nx*nx + nu*nu + nu*nx f64.
 */
export function evalBatch(sys: i32, p: usize, nb: i32, X: usize, U: usize, Fo: usize, FUo: usize, Lo: usize, LUo: usize, scratch: usize): void {
  const n = systemNx(sys), m = systemNu(sys);
  const A = scratch, lx = at(A, n * n), lxx = at(lx, n), luu = at(lxx, n * n), lux = at(luu, m * m);
  for (let i = 0; i < nb; i++) {
    const x = at(X, i * n), u = at(U, i * m);
    step(sys, p, x, u, at(Fo, i * n));
    stepDiff(sys, p, x, u, A, at(FUo, i * n * m));
    st(Lo, i, running(sys, p, x, u, true, lx, at(LUo, i * m), lxx, luu, lux));
  }
}

/** running costs of nb pairs (terminal: flagged rows use l_N) */
export function costBatch(sys: i32, p: usize, nb: i32, X: usize, U: usize, isTerminal: usize, out: usize): void {
  const n = systemNx(sys), m = systemNu(sys);
  for (let i = 0; i < nb; i++) {
    const x = at(X, i * n);
    st(out, i, ld(isTerminal, i) != 0 ? terminal(sys, p, x, false, 0, 0) : running(sys, p, x, at(U, i * m), false, 0, 0, 0, 0, 0));
  }
}

/** dynamics curvature contracted with lam (exact DDP); returns 0 for linear dynamics (nothing written) */
export function modelStepHess(sys: i32, p: usize, x: usize, u: usize, lam: usize, Hxx: usize, Huu: usize, Hux: usize): i32 {
  return stepHess(sys, p, x, u, lam, Hxx, Huu, Hux) ? 1 : 0;
}

// The engine's own math (AssemblyScript's std implementations): a model compiled at run time imports
// these, so its results do not depend on the host's Math (bit-identical in Node and in browsers, and
// the same functions the built-in models call).
export function mathSin(x: f64): f64 { return Math.sin(x); }
export function mathCos(x: f64): f64 { return Math.cos(x); }
export function mathTan(x: f64): f64 { return Math.tan(x); }
export function mathExp(x: f64): f64 { return Math.exp(x); }
export function mathLog(x: f64): f64 { return Math.log(x); }
export function mathLog1p(x: f64): f64 { return Math.log1p(x); }
export function mathExpm1(x: f64): f64 { return Math.expm1(x); }
export function mathTanh(x: f64): f64 { return Math.tanh(x); }
export function mathAtan(x: f64): f64 { return Math.atan(x); }
export function mathAtan2(y: f64, x: f64): f64 { return Math.atan2(y, x); }
export function mathPow(x: f64, y: f64): f64 { return Math.pow(x, y); }
