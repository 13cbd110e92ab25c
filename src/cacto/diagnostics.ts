/**
 * Per-loop diagnostics of CACTO (issue 10, item 1), computed on each loop's fresh TO episodes BEFORE
 * they enter the replay buffer, so the critic's fit is a held-out one:
 *   - R^2 of the critic's V(x_k, k) against the episode's true partial cost-to-go sum_{j>=k} c_j, over
 *     the episodes' nodes (strided to at most MAX_ROWS rows) and at their first states only;
 *   - R^2 of the critic's dV/dx against the solver's V_x (the CACTO-SL targets), per state component,
 *     averaged over the components;
 *   - the shares of the loop's solves that converged, stopped (any other finite status), were dropped;
 *   - the actor's warm starts: the share of controls beyond 0.95 umax (tanh saturation) and the mean
 *     cost of its rollouts alone (NaN in loop 0, which starts from zeros).
 * Nothing here draws random numbers or changes the learner: a run with diagnostics trains exactly as
 * one without.
 */
export interface LoopDiagnostics {
  heldOutR2: number;
  heldOutR2First: number;
  heldOutR2Vx: number;
  /** rows the R^2 values were computed on */
  rows: number;
  converged: number;
  stopped: number;
  dropped: number;
  saturation: number;
  actorAloneCost: number;
}

export const MAX_ROWS = 8192;
export const SATURATION = 0.95;

/** coefficient of determination 1 - SS_res / SS_tot (NaN with fewer than 2 values or constant y) */
export function rSquared(y: ArrayLike<number>, yhat: ArrayLike<number>): number {
  const n = y.length;
  if (yhat.length !== n) throw new RangeError(`rSquared: ${n} targets but ${yhat.length} predictions`);
  if (n < 2) return NaN;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i];
  mean /= n;
  let res = 0, tot = 0;
  for (let i = 0; i < n; i++) {
    res += (y[i] - yhat[i]) ** 2;
    tot += (y[i] - mean) ** 2;
  }
  return tot > 0 ? 1 - res / tot : NaN;
}

/** share of controls with |u_j| > SATURATION * umax_j over rollouts of N*nu controls each */
export function saturationShare(Us: readonly ArrayLike<number>[], umax: readonly number[]): number {
  const nu = umax.length;
  let n = 0, sat = 0;
  for (const U of Us) {
    for (let i = 0; i < U.length; i++) {
      n++;
      if (Math.abs(U[i]) > SATURATION * umax[i % nu]) sat++;
    }
  }
  return n ? sat / n : NaN;
}

/** per-node cost-to-go of one episode: out[k] = sum_{j >= k} costs[j] */
export function costToGo(costs: ArrayLike<number>): Float64Array {
  const out = new Float64Array(costs.length);
  let s = 0;
  for (let k = costs.length - 1; k >= 0; k--) { s += costs[k]; out[k] = s; }
  return out;
}
