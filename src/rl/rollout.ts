/**
 * Batched policy rollouts: every problem from its own (x0, k0) for its own horizon nsteps - k0, all
 * together: one policy call per time step for the problems still running, dynamics stepped in WASM.
 * Shared by every learner that offers a warm start (CACTO, imitation, TD3).
 */
import type { SystemSpec } from "../systems/specs.js";
import type { ModelEvaluator } from "../to/model.js";
import { normaliseStates } from "./normalise.js";

export interface RolloutStart {
  x0: ArrayLike<number>;
  k0: number;
}

export interface PolicyRollout {
  /** controls, N*nu */
  U: Float64Array;
  /** states, (N+1)*nx */
  X: Float64Array;
}

/** act: normalised states (nb*(nx+1), float32) -> controls (nb*nu); non-finite outputs become 0 */
export function rolloutPolicy(
  spec: SystemSpec, model: ModelEvaluator, act: (s: Float32Array) => ArrayLike<number>, starts: RolloutStart[],
): PolicyRollout[] {
  const { nx, nu, nsteps } = spec;
  const Ns = starts.map((s) => nsteps - s.k0);
  const maxN = Math.max(0, ...Ns);
  const res = starts.map((s, i) => {
    const X = new Float64Array((Ns[i] + 1) * nx);
    for (let j = 0; j < nx; j++) X[j] = s.x0[j];
    return { U: new Float64Array(Ns[i] * nu), X };
  });
  // a rollout whose state stops being finite (unstable dynamics under a bad policy) is frozen there:
  // its later states are NaN, its later controls 0
  const dead = new Uint8Array(starts.length);
  for (let j = 0; j < maxN; j++) {
    const active: number[] = [];
    for (let i = 0; i < starts.length; i++) {
      if (Ns[i] <= j || dead[i]) continue;
      if (!res[i].X.subarray(j * nx, (j + 1) * nx).every(Number.isFinite)) {
        dead[i] = 1;
        res[i].X.fill(NaN, j * nx);
        continue;
      }
      active.push(i);
    }
    if (!active.length) break;
    const xb = new Float64Array(active.length * nx);
    const kb = new Int32Array(active.length);
    active.forEach((p, a) => { xb.set(res[p].X.subarray(j * nx, (j + 1) * nx), a * nx); kb[a] = starts[p].k0 + j; });
    const u = act(normaliseStates(spec, xb, kb));
    const ub = Float64Array.from(u, (v) => (Number.isFinite(v) ? v : 0));
    const xn = model.stepBatch(xb, ub, active.length);
    active.forEach((p, a) => {
      res[p].U.set(ub.subarray(a * nu, (a + 1) * nu), j * nu);
      res[p].X.set(xn.subarray(a * nx, (a + 1) * nx), (j + 1) * nx);
    });
  }
  return res;
}

/**
 * cost of each rollout: running costs of (x_k, u_k), k < N, plus the terminal cost of x_N; Infinity
 * for a rollout that diverged (non-finite states)
 */
export function rolloutCosts(model: ModelEvaluator, rollouts: PolicyRollout[]): number[] {
  const { nx, nu } = model.spec;
  const ok = rollouts.map((r) => r.X.every(Number.isFinite));
  let rows = 0;
  rollouts.forEach((r, i) => { if (ok[i]) rows += r.X.length / nx; });
  const X = new Float64Array(rows * nx);
  const U = new Float64Array(rows * nu);
  const term = new Uint8Array(rows);
  let o = 0;
  rollouts.forEach((r, i) => {
    if (!ok[i]) return;
    const n1 = r.X.length / nx;
    X.set(r.X, o * nx);
    U.set(r.U, o * nu);
    term[o + n1 - 1] = 1;
    o += n1;
  });
  const c = rows ? model.costBatch(X, U, term, rows) : new Float64Array(0);
  o = 0;
  return rollouts.map((r, i) => {
    if (!ok[i]) return Infinity;
    const n1 = r.X.length / nx;
    let s = 0;
    for (let k = 0; k < n1; k++) s += c[o + k];
    o += n1;
    return s;
  });
}
