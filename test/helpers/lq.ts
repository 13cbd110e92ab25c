/**
 * Small RefModel implementations for the solver tests: a time-invariant linear-quadratic model (whose
 * optimum is known in closed form) and a damped pendulum (mildly nonlinear), plus wrappers that inject
 * NaN or slowness.
 */
import type { RefModel } from "../../src/ref/model.js";

import { mulberry32 } from "./fd.js";

/** Deterministic uniform numbers in [0, 1). */
export const rng = mulberry32;

export interface LQData {
  nx: number;
  nu: number;
  A: Float64Array;   // nx x nx
  B: Float64Array;   // nx x nu
  Q: Float64Array;   // nx x nx
  R: Float64Array;   // nu x nu
  S: Float64Array;   // nu x nx, cross term u^T S x
  q: Float64Array;   // nx
  r: Float64Array;   // nu
  Qf: Float64Array;  // nx x nx
  qf: Float64Array;  // nx
}

/**
 * x' = A x + B u,  l = 0.5 x^T Q x + 0.5 u^T R u + u^T S x + q^T x + r^T u,  l_N = 0.5 x^T Qf x + qf^T x.
 */
export class LQModel implements RefModel {
  readonly nx: number;
  readonly nu: number;
  constructor(readonly d: LQData) {
    this.nx = d.nx;
    this.nu = d.nu;
  }
  step(out: Float64Array, x: Float64Array, u: Float64Array): void {
    const { nx, nu, A, B } = this.d;
    for (let i = 0; i < nx; i++) {
      let s = 0;
      for (let j = 0; j < nx; j++) s += A[i * nx + j] * x[j];
      for (let j = 0; j < nu; j++) s += B[i * nu + j] * u[j];
      out[i] = s;
    }
  }
  stepDiff(A: Float64Array, B: Float64Array): void {
    A.set(this.d.A);
    B.set(this.d.B);
  }
  runningCost(x: Float64Array, u: Float64Array): number {
    const { nx, nu, Q, R, S, q, r } = this.d;
    let c = 0;
    for (let i = 0; i < nx; i++) {
      let s = 0;
      for (let j = 0; j < nx; j++) s += Q[i * nx + j] * x[j];
      c += x[i] * (0.5 * s + q[i]);
    }
    for (let i = 0; i < nu; i++) {
      let s = 0, t = 0;
      for (let j = 0; j < nu; j++) s += R[i * nu + j] * u[j];
      for (let j = 0; j < nx; j++) t += S[i * nx + j] * x[j];
      c += u[i] * (0.5 * s + t + r[i]);
    }
    return c;
  }
  runningCostDiff(
    lx: Float64Array, lu: Float64Array, lxx: Float64Array, luu: Float64Array, lux: Float64Array,
    x: Float64Array, u: Float64Array,
  ): number {
    const { nx, nu, Q, R, S, q, r } = this.d;
    for (let i = 0; i < nx; i++) {
      let s = q[i];
      for (let j = 0; j < nx; j++) s += Q[i * nx + j] * x[j];
      for (let j = 0; j < nu; j++) s += S[j * nx + i] * u[j];
      lx[i] = s;
    }
    for (let i = 0; i < nu; i++) {
      let s = r[i];
      for (let j = 0; j < nu; j++) s += R[i * nu + j] * u[j];
      for (let j = 0; j < nx; j++) s += S[i * nx + j] * x[j];
      lu[i] = s;
    }
    lxx.set(Q);
    luu.set(R);
    lux.set(S);
    return this.runningCost(x, u);
  }
  terminalCost(x: Float64Array): number {
    const { nx, Qf, qf } = this.d;
    let c = 0;
    for (let i = 0; i < nx; i++) {
      let s = 0;
      for (let j = 0; j < nx; j++) s += Qf[i * nx + j] * x[j];
      c += x[i] * (0.5 * s + qf[i]);
    }
    return c;
  }
  terminalCostDiff(lx: Float64Array, lxx: Float64Array, x: Float64Array): number {
    const { nx, Qf, qf } = this.d;
    for (let i = 0; i < nx; i++) {
      let s = qf[i];
      for (let j = 0; j < nx; j++) s += Qf[i * nx + j] * x[j];
      lx[i] = s;
    }
    lxx.set(Qf);
    return this.terminalCost(x);
  }
}

/** M M^T + eps I for a random M: symmetric positive definite. */
function randomSpd(rand: () => number, n: number, scale: number, eps: number): Float64Array {
  const M = new Float64Array(n * n).map(() => (rand() - 0.5) * 2);
  const P = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let l = 0; l < n; l++) s += M[i * n + l] * M[j * n + l];
      P[i * n + j] = scale * s + (i === j ? eps : 0);
    }
  }
  return P;
}

/**
 * A random LQ problem: A = scale * (I + spread * uniform noise) (scale > 1 for unstable dynamics); the
 * cross term S is small enough that [[Q, S^T], [S, R]] stays positive definite.
 */
export function randomLQ(
  seed: number, nx = 4, nu = 2, opts: { spread?: number; scale?: number; linear?: boolean; cross?: boolean } = {},
): LQData {
  const rand = rng(seed);
  const spread = opts.spread ?? 0.3;
  const scale = opts.scale ?? 1;
  const u = () => (rand() - 0.5) * 2;
  const A = new Float64Array(nx * nx);
  for (let i = 0; i < nx; i++) for (let j = 0; j < nx; j++) A[i * nx + j] = scale * ((i === j ? 1 : 0) + spread * u());
  const B = new Float64Array(nx * nu).map(() => u());
  const Q = randomSpd(rand, nx, 0.5, 0.5);
  const R = randomSpd(rand, nu, 0.2, 0.3);
  const S = new Float64Array(nu * nx).map(() => (opts.cross ?? true ? 0.05 * u() : 0));
  const q = new Float64Array(nx).map(() => (opts.linear ?? true ? 0.3 * u() : 0));
  const r = new Float64Array(nu).map(() => (opts.linear ?? true ? 0.3 * u() : 0));
  const Qf = randomSpd(rand, nx, 1, 1);
  const qf = new Float64Array(nx).map(() => (opts.linear ?? true ? 0.3 * u() : 0));
  return { nx, nu, A, B, Q, R, S, q, r, Qf, qf };
}

export interface PendulumParams {
  dt: number;
  g: number;        // gravity over length
  damping: number;
  wTheta: number;
  wOmega: number;
  wU: number;
  wfTheta: number;
  wfOmega: number;
  /** target angle (the cost penalises theta - target) */
  target: number;
}

export const PENDULUM_DEFAULTS: PendulumParams = {
  dt: 0.05, g: 9.81, damping: 0.1, wTheta: 1, wOmega: 0.1, wU: 0.05, wfTheta: 20, wfOmega: 2, target: 0,
};

/**
 * Explicit-Euler pendulum x = [theta, omega], u = torque:
 * theta' = theta + dt omega,  omega' = omega + dt (-g sin(theta) - damping omega + u).
 * Quadratic cost on (theta - target, omega, u).
 */
export class PendulumModel implements RefModel {
  readonly nx = 2;
  readonly nu = 1;
  readonly p: PendulumParams;
  constructor(p: Partial<PendulumParams> = {}) {
    this.p = { ...PENDULUM_DEFAULTS, ...p };
  }
  step(out: Float64Array, x: Float64Array, u: Float64Array): void {
    const { dt, g, damping } = this.p;
    out[0] = x[0] + dt * x[1];
    out[1] = x[1] + dt * (-g * Math.sin(x[0]) - damping * x[1] + u[0]);
  }
  stepDiff(A: Float64Array, B: Float64Array, x: Float64Array): void {
    const { dt, g, damping } = this.p;
    A[0] = 1; A[1] = dt;
    A[2] = -dt * g * Math.cos(x[0]); A[3] = 1 - dt * damping;
    B[0] = 0; B[1] = dt;
  }
  runningCost(x: Float64Array, u: Float64Array): number {
    const { wTheta, wOmega, wU, target } = this.p;
    const e = x[0] - target;
    return 0.5 * (wTheta * e * e + wOmega * x[1] * x[1] + wU * u[0] * u[0]);
  }
  runningCostDiff(
    lx: Float64Array, lu: Float64Array, lxx: Float64Array, luu: Float64Array, lux: Float64Array,
    x: Float64Array, u: Float64Array,
  ): number {
    const { wTheta, wOmega, wU, target } = this.p;
    lx[0] = wTheta * (x[0] - target); lx[1] = wOmega * x[1];
    lu[0] = wU * u[0];
    lxx[0] = wTheta; lxx[1] = 0; lxx[2] = 0; lxx[3] = wOmega;
    luu[0] = wU;
    lux[0] = 0; lux[1] = 0;
    return this.runningCost(x, u);
  }
  terminalCost(x: Float64Array): number {
    const { wfTheta, wfOmega, target } = this.p;
    const e = x[0] - target;
    return 0.5 * (wfTheta * e * e + wfOmega * x[1] * x[1]);
  }
  terminalCostDiff(lx: Float64Array, lxx: Float64Array, x: Float64Array): number {
    const { wfTheta, wfOmega, target } = this.p;
    lx[0] = wfTheta * (x[0] - target); lx[1] = wfOmega * x[1];
    lxx[0] = wfTheta; lxx[1] = 0; lxx[2] = 0; lxx[3] = wfOmega;
    return this.terminalCost(x);
  }
}

/** Delegates to an inner model; the hooks let a test break one part of the contract. */
export class WrappedModel implements RefModel {
  readonly nx: number;
  readonly nu: number;
  constructor(
    readonly inner: RefModel,
    readonly hooks: {
      cost?: (c: number) => number;
      diff?: (lx: Float64Array, lu: Float64Array, lxx: Float64Array, luu: Float64Array, lux: Float64Array) => void;
      beforeStep?: () => void;
    },
  ) {
    this.nx = inner.nx;
    this.nu = inner.nu;
  }
  step(out: Float64Array, x: Float64Array, u: Float64Array): void {
    this.hooks.beforeStep?.();
    this.inner.step(out, x, u);
  }
  stepDiff(A: Float64Array, B: Float64Array, x: Float64Array, u: Float64Array): void {
    this.inner.stepDiff(A, B, x, u);
  }
  runningCost(x: Float64Array, u: Float64Array): number {
    const c = this.inner.runningCost(x, u);
    return this.hooks.cost ? this.hooks.cost(c) : c;
  }
  runningCostDiff(
    lx: Float64Array, lu: Float64Array, lxx: Float64Array, luu: Float64Array, lux: Float64Array,
    x: Float64Array, u: Float64Array,
  ): number {
    const c = this.inner.runningCostDiff(lx, lu, lxx, luu, lux, x, u);
    this.hooks.diff?.(lx, lu, lxx, luu, lux);
    return this.hooks.cost ? this.hooks.cost(c) : c;
  }
  terminalCost(x: Float64Array): number {
    return this.inner.terminalCost(x);
  }
  terminalCostDiff(lx: Float64Array, lxx: Float64Array, x: Float64Array): number {
    return this.inner.terminalCostDiff(lx, lxx, x);
  }
}

/** Total cost of the rollout of U from x0 (for finite-difference checks). */
export function rolloutCost(model: RefModel, x0: ArrayLike<number>, U: ArrayLike<number>, N: number): number {
  const { nx, nu } = model;
  let x = Float64Array.from(x0);
  let xn = new Float64Array(nx);
  const u = new Float64Array(nu);
  let J = 0;
  for (let k = 0; k < N; k++) {
    for (let i = 0; i < nu; i++) u[i] = U[k * nu + i];
    J += model.runningCost(x, u);
    model.step(xn, x, u);
    const t = x; x = xn; xn = t;
  }
  return J + model.terminalCost(x);
}

/** Gradient of the rollout cost w.r.t. U by the adjoint recursion, at the states X of that rollout. */
export function rolloutGradient(model: RefModel, X: Float64Array, U: Float64Array, N: number): Float64Array {
  const { nx, nu } = model;
  const grad = new Float64Array(N * nu);
  const A = new Float64Array(nx * nx), B = new Float64Array(nx * nu);
  const lx = new Float64Array(nx), lu = new Float64Array(nu);
  const lxx = new Float64Array(nx * nx), luu = new Float64Array(nu * nu), lux = new Float64Array(nu * nx);
  let lam = new Float64Array(nx);
  model.terminalCostDiff(lam, lxx, X.subarray(N * nx, (N + 1) * nx));
  for (let k = N - 1; k >= 0; k--) {
    const x = X.subarray(k * nx, (k + 1) * nx), u = U.subarray(k * nu, (k + 1) * nu);
    model.stepDiff(A, B, x, u);
    model.runningCostDiff(lx, lu, lxx, luu, lux, x, u);
    for (let i = 0; i < nu; i++) {
      let s = lu[i];
      for (let j = 0; j < nx; j++) s += B[j * nu + i] * lam[j];
      grad[k * nu + i] = s;
    }
    const nl = new Float64Array(nx);
    for (let i = 0; i < nx; i++) {
      let s = lx[i];
      for (let j = 0; j < nx; j++) s += A[j * nx + i] * lam[j];
      nl[i] = s;
    }
    lam = nl;
  }
  return grad;
}
