/**
 * Per-loop diagnostics of CACTO (issue 10, item 1), computed on each loop's fresh TO episodes BEFORE
 * they enter the replay buffer, so the critic's fit is a held-out one:
 *   - R^2 of the critic's V(x_k, k) against the episode's true partial cost-to-go sum_{j>=k} c_j, over
 *     the episodes' nodes (strided to at most MAX_ROWS rows) and at their first states only;
 *   - R^2 of the critic's dV/dx against the solver's V_x (the CACTO-SL targets), per state component,
 *     averaged over the components; and the skill of dV/dx in the units CACTO-SL's loss fits,
 *     1 - sum (slog dV/dx - slog V_x)^2 / sum (slog V_x)^2 over all rows and components (> 0: closer
 *     to V_x than a zero gradient; the actor steps along dV/dx, so <= 0 means it follows noise);
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
  /** skill of dV/dx against V_x in slog units, against a zero gradient (see above; NaN without rows) */
  heldOutSlogVx: number;
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

/**
 * 1 - sum_i (slog(pred_i) - slog(target_i))^2 / sum_i slog(target_i)^2, slog(z) = sign(z) log(1 + |z|):
 * the Sobolev loss of a prediction relative to that of predicting 0 (NaN when every target is 0)
 */
export function slogSkill(target: ArrayLike<number>, pred: ArrayLike<number>): number {
  const n = target.length;
  if (pred.length !== n) throw new RangeError(`slogSkill: ${n} targets but ${pred.length} predictions`);
  const sl = (z: number) => Math.sign(z) * Math.log1p(Math.abs(z));
  let res = 0, tot = 0;
  for (let i = 0; i < n; i++) {
    const t = sl(target[i]);
    res += (sl(pred[i]) - t) ** 2;
    tot += t * t;
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
