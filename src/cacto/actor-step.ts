/**
 * CACTO's actor update on one minibatch, as a function of the learner, the system's model and the
 * rows: what the trainer runs in its own thread, and what the actor thread (actor-thread.ts) runs in
 * parallel with the critic's updates. Both call this one function, so the two give the same bits.
 */
import type { ActorCritic } from "../rl/networks.js";
import { normaliseStates, gradToState, invNorm } from "../rl/normalise.js";
import type { ModelEvaluator } from "../to/model.js";
import type { SystemSpec } from "../systems/specs.js";

/**
 * dQ/du for Q(s, u) = l(x, u) + V(f(x, u), k + 1): l_u and f_u from the engine (one batched call),
 * dV/dx' from the critic by its analytic input gradient. Rows: xa (nb*nx), ka (nb), u (nb*nu).
 * `quirk` (config.actorGradQuirk): the reference code's extra 1/norm_i on f_u's row i, i.e. the value
 * term's gradient divided once more by the state normalisation (cacto.md section 2 calls it a bug;
 * it shifts the balance toward the effort term l_u).
 * `costate` (config.costateWeight c > 0): dV/dx' is (1 - c) times the critic's plus c times lam, the
 * TO solution's value gradient at the row's next state (nb*nx; the replay batch's vxNext); with c = 1
 * the critic is not evaluated.
 */
export function actionGradient(
  spec: SystemSpec, model: ModelEvaluator, learner: ActorCritic, xa: Float64Array, ka: Int32Array, u: Float64Array,
  quirk = false, costate: Costate | null = null,
): Float32Array {
  const { nx, nu } = spec;
  const nb = ka.length;
  const ev = model.evalBatch(xa, u, nb);
  const c = costate ? costate.weight : 0;
  let dVdx: Float64Array;
  if (c < 1) {
    const kn = Int32Array.from(ka, (k) => k + 1);
    const { dVds } = learner.criticGradInput(normaliseStates(spec, ev.f, kn));
    dVdx = gradToState(spec, dVds);
    if (quirk) {
      const inv = invNorm(spec);
      for (let a = 0; a < nb; a++) for (let i = 0; i < nx; i++) dVdx[a * nx + i] *= inv[i];
    }
    if (c > 0) {
      const lam = costate!.lam;
      for (let j = 0; j < nb * nx; j++) dVdx[j] = (1 - c) * dVdx[j] + c * lam[j];
    }
  } else {
    dVdx = costate!.lam;
  }
  const dQdu = new Float32Array(nb * nu);
  for (let a = 0; a < nb; a++) {
    for (let j = 0; j < nu; j++) {
      let g = ev.lu[a * nu + j];
      for (let i = 0; i < nx; i++) g += ev.fu[a * nx * nu + i * nu + j] * dVdx[a * nx + i];
      dQdu[a * nu + j] = g;
    }
  }
  return dQdu;
}

/**
 * Hausknecht and Stone's inverting gradients for bounded actions (config.actorInvertGradients), in
 * place: a component of dQ/du whose descent step raises u_j is scaled by (umax_j - u_j) / (2 umax_j),
 * one that lowers it by (u_j + umax_j) / (2 umax_j), so the push toward a bound fades as u_j nears it
 * (and reverses beyond it). u (nb*nu) are the controls the gradient was taken at.
 */
export function invertGradients(dQdu: Float32Array, u: ArrayLike<number>, umax: readonly number[]): void {
  const nu = umax.length;
  for (let i = 0; i < dQdu.length; i++) {
    const um = umax[i % nu], g = dQdu[i];
    // minimising Q: a negative dQ/du raises u
    dQdu[i] = g * (g < 0 ? (um - u[i]) / (2 * um) : (u[i] + um) / (2 * um));
  }
}

/** the TO costate blend of actionGradient: weight c in (0, 1] and lam (nb*nx) */
export interface Costate {
  weight: number;
  lam: Float64Array;
}

/**
 * One actor step at the rows (xa, ka) (states that still have a control to choose): one forward pass
 * of the actor, a check that its controls are finite (a diverged run stops with an error naming the
 * update), dQ/du (actionGradient's `quirk` and `costate`; with `invert`, invertGradients on it), the
 * backward pass and Adam. Returns the surrogate before the step.
 */
export function actorUpdate(
  spec: SystemSpec, model: ModelEvaluator, learner: ActorCritic, xa: Float64Array, ka: Int32Array, update: number,
  quirk = false, costate: Costate | null = null, invert = false,
): number {
  const sa = normaliseStates(spec, xa, ka);
  // one actor forward pass: its controls give dQ/du, its kept activations the backward pass
  const pass = learner.actorForward(sa);
  try {
    const u = Float64Array.from(pass.u);
    for (let i = 0; i < u.length; i++) {
      if (!Number.isFinite(u[i])) throw new Error(`CACTO: the actor produced a non-finite control at update ${update}; the run diverged`);
    }
    const dQdu = actionGradient(spec, model, learner, xa, ka, u, quirk, costate);
    if (invert) invertGradients(dQdu, u, spec.umax);
    return learner.actorStepFrom(pass, dQdu);
  } finally {
    pass.dispose();
  }
}
