/**
 * RL -> TO (RL-supported TO, the talk's architecture 2): a trained critic is TO's terminal cost on a
 * shorter horizon (the MPC use), optionally with the actor as warm start.
 *
 * The engine takes a quadratic terminal model m(x) = V + g.(x - xN) + 0.5 (x - xN)^T H (x - xN) built at
 * the current terminal state xN from the critic: V and g = dV/dx by autodiff, H by central differences
 * of g, projected onto the positive semi-definite cone (a SIREN critic's Hessian is indefinite in
 * places; an indefinite terminal Hessian makes the backward pass fail). The model is rebuilt as xN moves
 * (outer iterations), each followed by a few engine iterations from the previous solution.
 */
import type { ActorCritic } from "../rl/networks.js";
import { normaliseStates, gradToState } from "../rl/normalise.js";
import type { SystemSpec } from "../systems/specs.js";
import type { Solver } from "../to/solver.js";
import type { ModelEvaluator } from "../to/model.js";
import type { SolveResult, SolveOptions } from "../to/types.js";

export interface ValueModel {
  value: number;
  gradient: Float64Array;
  /** PSD-projected Hessian, row-major */
  hessian: Float64Array;
  /** the symmetrised finite-difference Hessian before the projection */
  rawHessian: Float64Array;
  xref: Float64Array;
}

/** eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations: A = V diag(w) V^T */
export function symmetricEigen(A: ArrayLike<number>, n: number): { w: Float64Array; V: Float64Array } {
  const a = Float64Array.from(A);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p], vkq = V[k * n + q];
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = a[i * n + i];
  return { w, V };
}

/** nearest PSD matrix in the Frobenius norm: negative eigenvalues set to zero */
export function projectPsd(H: ArrayLike<number>, n: number): Float64Array {
  const { w, V } = symmetricEigen(H, n);
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const l = Math.max(0, w[k]);
    if (l === 0) continue;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] += l * V[i * n + k] * V[j * n + k];
  }
  return out;
}

/**
 * The critic's local quadratic model at state x, step k. h: central-difference step in units of each
 * component's normalisation (the critic is float32: steps much below 1e-2 of the scale drown in noise).
 */
export function criticValueModel(learner: ActorCritic, spec: SystemSpec, x: ArrayLike<number>, k: number, h = 1e-2): ValueModel {
  const n = spec.nx;
  // row 0: x itself; rows 1..2n: x +- h_j e_j
  const X = new Float64Array((2 * n + 1) * n);
  for (let r = 0; r < 2 * n + 1; r++) for (let i = 0; i < n; i++) X[r * n + i] = x[i];
  const steps = spec.norm.map((s) => h * s);
  for (let j = 0; j < n; j++) {
    X[(1 + 2 * j) * n + j] += steps[j];
    X[(2 + 2 * j) * n + j] -= steps[j];
  }
  const { v, dVds } = learner.criticGradInput(normaliseStates(spec, X, k));
  const G = gradToState(spec, dVds);
  const H = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) H[i * n + j] = (G[(1 + 2 * j) * n + i] - G[(2 + 2 * j) * n + i]) / (2 * steps[j]);
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) { const m = 0.5 * (H[i * n + j] + H[j * n + i]); H[i * n + j] = m; H[j * n + i] = m; }
  return { value: v[0], gradient: G.slice(0, n), hessian: projectPsd(H, n), rawHessian: H, xref: Float64Array.from(x) };
}

export interface CriticTerminalOptions {
  /** model refreshes (default 6) */
  outer?: number;
  /** engine iterations per refresh (default 20) */
  inner?: number;
  /** stop refreshing when the terminal state moves less than this (default 1e-6) */
  tol?: number;
  solve?: SolveOptions;
}

/**
 * TO from x0 at step k0 over `horizon` steps with the critic V(., k0 + horizon) as terminal cost
 * (replacing the system's). Returns the final engine result and the number of model refreshes.
 */
export function solveWithCriticTerminal(
  solver: Solver, learner: ActorCritic, x0: ArrayLike<number>, k0: number, horizon: number, U0: Float64Array | null,
  opts: CriticTerminalOptions = {},
): { result: SolveResult; refreshes: number } {
  const spec = solver.spec;
  const n = spec.nx;
  const kN = k0 + horizon;
  let U = U0 ?? new Float64Array(horizon * spec.nu);
  let xN: Float64Array | null = null;
  let result: SolveResult | null = null;
  const outer = opts.outer ?? 6;
  let refreshes = 0;
  for (let o = 0; o < outer; o++) {
    if (!xN) {
      // terminal state of the warm start: one solve with no iterations rolls it out
      xN = solver.solve({ x0, horizon, warmStart: { U } }, { maxIter: 0 }).X.slice(horizon * n);
    }
    const m = criticValueModel(learner, spec, xN, kN);
    refreshes++;
    result = solver.solve({ x0, horizon, warmStart: { U } }, {
      ...opts.solve, maxIter: opts.inner ?? 20,
      terminalModel: { mode: "replace", value: m.value, gradient: m.gradient, hessian: m.hessian, xref: m.xref },
    });
    U = result.U;
    const xNew = result.X.slice(horizon * n);
    let move = 0;
    for (let i = 0; i < n; i++) move = Math.max(move, Math.abs(xNew[i] - xN[i]));
    xN = xNew;
    if (move < (opts.tol ?? 1e-6) && result.statusName === "converged") break;
  }
  return { result: result!, refreshes };
}

export interface MpcOptions extends CriticTerminalOptions {
  /** planning horizon in steps (default nsteps/4) */
  horizon?: number;
  /** steps executed between re-plans (default horizon/4) */
  replan?: number;
  /** warm start of each plan: the actor's rollout, or the previous plan shifted (zeros at first) */
  warm?: "actor" | "shift";
  /** terminal cost of each plan: the critic's model, or the system's own terminal cost */
  terminal?: "critic" | "system";
  /** actor rollouts for "actor" warm starts (CactoTrainer.actorRollout contract) */
  actorRollout?: (starts: { x0: ArrayLike<number>; k0: number }[]) => { U: Float64Array; X: Float64Array }[];
}

/**
 * Receding-horizon control over a whole episode (k = 0 .. nsteps): plan, execute `replan` steps,
 * re-plan. Returns the executed trajectory and its true cost (the system's running and terminal costs).
 */
export function mpcEpisode(
  solver: Solver, model: ModelEvaluator, learner: ActorCritic | null, x0: ArrayLike<number>, opts: MpcOptions = {},
): { X: Float64Array; U: Float64Array; cost: number; plans: number } {
  const spec = solver.spec;
  const { nx: n, nu: m, nsteps } = spec;
  const H = Math.max(1, opts.horizon ?? Math.round(nsteps / 4));
  const every = Math.max(1, opts.replan ?? Math.max(1, Math.round(H / 4)));
  const X = new Float64Array((nsteps + 1) * n);
  const U = new Float64Array(nsteps * m);
  X.set(Array.from(x0).slice(0, n));
  let prev: Float64Array | null = null;
  let plans = 0;
  let k = 0;
  while (k < nsteps) {
    const h = Math.min(H, nsteps - k);
    const xk = X.slice(k * n, (k + 1) * n);
    let U0: Float64Array;
    if (opts.warm === "actor" && opts.actorRollout) U0 = opts.actorRollout([{ x0: xk, k0: k }])[0].U.slice(0, h * m);
    else {
      U0 = new Float64Array(h * m);
      if (prev) U0.set(prev.subarray(every * m, Math.min(prev.length, every * m + h * m)));
    }
    let plan: SolveResult;
    const atEnd = k + h === nsteps;
    if (opts.terminal === "critic" && learner && !atEnd) {
      plan = solveWithCriticTerminal(solver, learner, xk, k, h, U0, opts).result;
    } else {
      // the last plan reaches the episode's end: the system's own terminal cost is the right one
      plan = solver.solve({ x0: xk, horizon: h, warmStart: { U: U0 } }, { ...opts.solve, maxIter: (opts.inner ?? 20) * (opts.outer ?? 6) });
    }
    plans++;
    prev = plan.U;
    const run = Math.min(every, h);
    for (let j = 0; j < run; j++) {
      const u = plan.U.subarray(j * m, (j + 1) * m);
      U.set(u, (k + j) * m);
      X.set(model.step(X.subarray((k + j) * n, (k + j + 1) * n), u), (k + j + 1) * n);
    }
    k += run;
  }
  let cost = 0;
  for (let j = 0; j < nsteps; j++) cost += model.running(X.subarray(j * n, (j + 1) * n), U.subarray(j * m, (j + 1) * m));
  cost += model.terminal(X.subarray(nsteps * n));
  return { X, U, cost, plans };
}
