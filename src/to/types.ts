/** Public types of the trajectory-optimisation front. */

export const STATUS_NAMES = ["converged", "max-iterations", "time-limit", "regularisation-limit", "non-finite", "acceptable"] as const;
/** How a solve ended (`SolveResult.statusName`); `SolveResult.status` is its index in STATUS_NAMES. */
export type StatusName = (typeof STATUS_NAMES)[number];

/**
 * Options of a solve (`Solver.solve`, `solveBatch`, the pools); unset fields take the defaults given
 * here or the system's `solverDefaults`. An unknown key or a bad value throws an error naming it.
 */
export interface SolveOptions {
  /** iteration budget (default 200) */
  maxIter?: number;
  /** stop when feasible and |dV1 + dV2| < tol (default 1e-9) */
  tol?: number;
  /** wall-clock budget per solve in ms (default Infinity) */
  timeLimitMs?: number;
  /** where regularisation goes: "quu" (default) or "vxx" (Tassa 2012) */
  reg?: "quu" | "vxx";
  muInit?: number;
  muMin?: number;
  /** regularisation cap: mu beyond it ends the solve with regularisation-limit (default 1e20) */
  muMax?: number;
  muFactor?: number;
  /** line-search steps: alpha = 1, 1/2, ... (default 10) */
  lsSteps?: number;
  /** sufficient-decrease fraction (default 0.1) */
  armijo?: number;
  /** control box for Box-DDP: true = [-umax, umax] of the system; or explicit bounds; default none */
  box?: boolean | { lower: ArrayLike<number>; upper: ArrayLike<number> } | null;
  /** also return V_xx of every node (default false) */
  computeVxx?: boolean;
  /**
   * A quadratic terminal model m(x) = value + gradient.(x - xref) + 0.5 (x - xref)^T hessian (x - xref),
   * e.g. a learned value function's local model at the current terminal state (RL -> TO). "replace"
   * uses it instead of the system's terminal cost, "add" on top of it. hessian is row-major nx*nx
   * (symmetrised on entry).
   */
  terminalModel?: TerminalModel | null;
  /**
   * Weight rho >= 0 of the control-tracking running term 0.5 rho ||u_k - uRef_k||^2, k = 0..N-1, added
   * to the cost the solver minimises (every problem then needs `uRef`). Default 0: the term is off and
   * the solve is exactly the one without it; a problem's uRef is then ignored.
   */
  trackWeight?: number;
  /**
   * The local model of each iteration (docs/algorithm.md): "gauss-newton" (iLQR: the dynamics'
   * curvature is dropped), "exact" (DDP: V_x' . f_xx, f_ux, f_uu enter Qxx, Qux, Quu), "auto"
   * (Gauss-Newton, exact DDP from the third accepted step in a row with alpha < 1/4 on) or "hybrid"
   * (every iteration tries the exact model at its own regularisation and takes a Gauss-Newton step
   * when the exact Quu~ is not positive definite there). Systems with linear dynamics give the same
   * iterates under "gauss-newton", "exact" and "auto". Default: the system's `solverDefaults`
   * ("hybrid" on the car, car park and manipulator, "gauss-newton" elsewhere; measured in
   * docs/convergence.md).
   */
  hessian?: "gauss-newton" | "exact" | "auto" | "hybrid";
  /**
   * Stationarity stop: the solve is also converged when feasible and max_k |Q_u,k|_inf <= gradTol
   * (default 0 = off). Q_u is the control gradient of the local model at the current
   * trajectory, in cost units per control unit.
   */
  gradTol?: number;
  /**
   * The acceptable level (default 1e-6): a feasible iterate whose largest control gradient,
   * max_k |dJ/du_k|_inf with the open-loop costate (`SolveResult.stationarity`), is at most
   * acceptTol * max(1, |J|). `SolveResult.acceptable` reports it for the returned trajectory.
   */
  acceptTol?: number;
  /**
   * Stop with status "acceptable" once this many consecutive new iterates meet the acceptable level
   * (IPOPT's acceptable_iter; it uses 15). Default 0: never stop early on it, the iterates and
   * statuses are those of the expected-decrease rule alone. docs/convergence.md, "Stopping rule".
   */
  acceptIter?: number;
  /**
   * The expanding line search (default 8): after a very good full step (its actual decrease at least
   * 0.75 of the model's, from a feasible trajectory) the line search also tries alpha = 2, 4, ...
   * up to alphaMax while the cost keeps falling, and takes the best. 1 = never above a full step.
   * docs/convergence.md, "Very good steps".
   */
  alphaMax?: number;
  /**
   * After such a very good full step mu is divided by muFactor this many times (default 3) instead of
   * once. 1 = the plain schedule.
   */
  goodStepMuDrops?: number;
  /**
   * Hybrid Hessian only: where the exact model's Quu~ is not positive definite, the backward pass
   * continues from that node down to the first as Gauss-Newton at the Gauss-Newton regularisation
   * (the later nodes keep the exact model), instead of discarding the pass and running a whole
   * Gauss-Newton pass. docs/convergence.md, "Split passes".
   */
  hybridSplit?: boolean;
  /**
   * After a backward pass fails at node k (Quu~ not positive definite; not with box), raise mu straight
   * to the first value of its sequence mu -> max(muMin, mu * muFactor) at which node k's Quu~ from that
   * pass is positive definite (an m x m Cholesky per step), instead of one step per failed pass.
   * Default true. docs/convergence.md, "Regularisation jumps".
   */
  muJump?: boolean;
}

export interface TerminalModel {
  mode: "replace" | "add";
  value: number;
  gradient: ArrayLike<number>;
  hessian: ArrayLike<number>;
  xref: ArrayLike<number>;
}

/** A generated warm start: "zeros", "ics" (every state = x0, controls 0) or "random" (uniform in +-umax). */
export type WarmStartKind = "zeros" | "ics" | "random";

/** An explicit warm start: controls and, optionally, states. */
export interface WarmStart {
  /** controls, horizon*nu values */
  U: ArrayLike<number>;
  /** states, (horizon+1)*nx values; may be infeasible (FDDP keeps the gaps); X[0] is replaced by x0 */
  X?: ArrayLike<number> | null;
}

/**
 * One TO problem: initial state, horizon, warm start and tracking reference. An unknown key or a bad
 * value throws a RangeError (or TypeError) naming the field.
 */
export interface Problem {
  x0: ArrayLike<number>;
  /** number of control steps N (default: the system's NSTEPS) */
  horizon?: number;
  /** "zeros" (default), "ics" (every state = x0, controls 0), "random" (uniform in +-umax), or arrays */
  warmStart?: WarmStartKind | WarmStart;
  /** seed of the "random" warm start (default 1) */
  seed?: number;
  /** control reference of the tracking term (horizon*nu values); used when options.trackWeight > 0 */
  uRef?: ArrayLike<number> | null;
}

/**
 * The outcome of one solve: status, cost, trajectory, the final backward pass's gains and value
 * gradients, and diagnostics. Arrays are copies, not views of engine memory.
 */
export interface SolveResult {
  status: number;
  statusName: StatusName;
  iterations: number;
  /** total cost of the returned trajectory (including the tracking term when trackWeight > 0) */
  cost: number;
  /** the tracking term 0.5 rho sum_k ||u_k - uRef_k||^2 of the returned controls (0 when off) */
  trackingCost: number;
  /** (N+1)*nx states, row per node */
  X: Float64Array;
  /** N*nu controls */
  U: Float64Array;
  /** per-node costs: running 0..N-1 (with their tracking term), terminal N */
  costs: Float64Array;
  /** feedback gains of the final backward pass, N*nu*nx */
  K: Float64Array;
  /** feed-forward terms of the final backward pass, N*nu */
  k: Float64Array;
  /** value gradient of the final backward pass, (N+1)*nx (the CACTO-SL targets) */
  Vx: Float64Array;
  /** value Hessians, (N+1)*nx*nx, when computeVxx */
  Vxx?: Float64Array;
  /**
   * max_k |dJ/du_k|_inf at the returned trajectory, with the open-loop costate lam_N = l_N,x,
   * lam_k = l_x + A^T lam_{k+1} (NaN when the derivatives there are not finite). Small means a
   * stationary point: a "max-iterations" solve with a small value stopped near one.
   */
  stationarity: number;
  /**
   * The returned trajectory is converged, or feasible with stationarity <= acceptTol * max(1, |cost|)
   * (the acceptable level; false when stationarity is NaN).
   */
  acceptable: boolean;
  /** the first iteration that used the exact Hessian (-1: none; 0 with hessian "exact") */
  exactFrom: number;
  /** accepted steps taken with the exact Hessian */
  exactSteps: number;
  /** accepted steps whose pass was split (`hybridSplit`): exact from the last node down to one, Gauss-Newton below */
  splitSteps: number;
  /** whether K, k, Vx belong to the returned trajectory (false only if the last backward pass failed) */
  gainsValid: boolean;
  mu: number;
  /** the returned states satisfy the dynamics (no gaps); false whenever X holds a non-finite value or the status is "non-finite" */
  feasible: boolean;
  /** largest |x_{k+1} - f(x_k, u_k)| over the horizon; NaN when X holds a non-finite value */
  maxGap: number;
  timeMs: number;
  /**
   * where the solve's time went (wall clock inside the engine), how many forward passes ran and how
   * many backward passes (failed ones included: a pass fails where Quu~ is not positive definite)
   */
  profile: { derivativesMs: number; backwardMs: number; forwardMs: number; forwardPasses: number; backwardPasses: number };
  /** J after initialisation and after each accepted step (first 1024 entries) */
  costHistory: number[];
  horizon: number;
  nx: number;
  nu: number;
}
