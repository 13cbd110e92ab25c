/**
 * Supervised regression of the CACTO actor onto target controls (the TO -> RL imitation baseline,
 * cacto.md section 1, item 1): minimise
 *
 *   L = mean_{i, j} ( w_j (pi(s_i)_j - u*_ij) )^2
 *
 * over a minibatch of normalised inputs s_i (nb*(nx+1), see normalise.ts) and target controls u*_i
 * (nb*nu, control units), with per-control weights w_j (default 1; pass 1/umax_j so every control
 * channel counts on the same scale). One Adam step of the caller's optimiser (networks.ts Adam, whose
 * state is restorable bit for bit) per call; everything tf allocates is freed inside.
 */
import * as tf from "@tensorflow/tfjs";
import type { Actor, Adam } from "./networks.js";
import type { Rng } from "../rng.js";

function checkBatch(actor: Actor, states: ArrayLike<number>, targets: ArrayLike<number>, what: string): number {
  const ni = actor.config.nIn;
  const nu = actor.config.nu;
  if (states.length === 0 || states.length % ni !== 0) {
    throw new RangeError(`${what}: ${states.length} input values, expected a positive multiple of nx+1 = ${ni}`);
  }
  const nb = states.length / ni;
  if (targets.length !== nb * nu) {
    throw new RangeError(`${what}: ${targets.length} target values for ${nb} rows, expected nb*nu = ${nb * nu}`);
  }
  return nb;
}

function checkScale(actor: Actor, scale: ArrayLike<number> | undefined, what: string): Float32Array | null {
  if (!scale) return null;
  const nu = actor.config.nu;
  if (scale.length !== nu) throw new RangeError(`${what}: scale has ${scale.length} entries, expected nu = ${nu}`);
  for (let j = 0; j < nu; j++) {
    if (!(scale[j] > 0) || !Number.isFinite(scale[j])) throw new RangeError(`${what}: scale[${j}] = ${scale[j]}: expected a positive finite number`);
  }
  return Float32Array.from(scale);
}

/** the loss as a tensor: mean ((pi(s) - y) * w)^2; w is (1, nu) or null */
export function regressionLoss(actor: Actor, s: tf.Tensor2D, y: tf.Tensor2D, w: tf.Tensor2D | null): tf.Scalar {
  return tf.tidy(() => {
    let d: tf.Tensor = tf.sub(actor.forward(s), y);
    if (w) d = tf.mul(d, w);
    return tf.mean(tf.square(d)) as tf.Scalar;
  });
}

/** the loss on a batch without a step (for validation and tests) */
export function regressionLossValue(
  actor: Actor, states: Float32Array, targets: ArrayLike<number>, scale?: ArrayLike<number>,
): number {
  const nb = checkBatch(actor, states, targets, "regressionLossValue");
  const w = checkScale(actor, scale, "regressionLossValue");
  const { nIn, nu } = actor.config;
  return tf.tidy(() => {
    const s = tf.tensor2d(states, [nb, nIn]);
    const y = tf.tensor2d(Float32Array.from(targets), [nb, nu]);
    const wt = w ? tf.tensor2d(w, [1, nu]) : null;
    return regressionLoss(actor, s, y, wt).dataSync()[0];
  });
}

/**
 * One Adam step of `opt` (built over actor.variables(), in that order) on the regression loss of a
 * minibatch. Returns the loss before the step.
 */
export function regressionStep(
  actor: Actor, opt: Adam, states: Float32Array, targets: ArrayLike<number>, scale?: ArrayLike<number>,
): number {
  const nb = checkBatch(actor, states, targets, "regressionStep");
  const w = checkScale(actor, scale, "regressionStep");
  const { nIn, nu } = actor.config;
  const vars = actor.variables();
  return tf.tidy(() => {
    const s = tf.tensor2d(states, [nb, nIn]);
    const y = tf.tensor2d(Float32Array.from(targets), [nb, nu]);
    const wt = w ? tf.tensor2d(w, [1, nu]) : null;
    const { value, grads } = tf.variableGrads(() => regressionLoss(actor, s, y, wt), vars);
    opt.apply(vars.map((x) => grads[x.name]));
    return value.dataSync()[0];
  });
}

/**
 * One shuffled pass over a dataset (rows of actor inputs `states`, targets `targets`) in minibatches of
 * `batchSize` (the last one shorter), one regressionStep each. The permutation is a Fisher-Yates
 * shuffle drawn from `rng`. Returns the row-weighted mean minibatch loss (each before its step) and
 * the number of steps; a non-finite loss throws, naming `who`.
 */
export function regressionEpoch(
  actor: Actor, opt: Adam, states: Float32Array, targets: Float32Array, batchSize: number, rng: Rng,
  scale: ArrayLike<number> | undefined, who: string,
): { loss: number; steps: number } {
  const { nIn: ni, nu } = actor.config;
  const n = targets.length / nu;
  if (!(n >= 1) || states.length !== n * ni) throw new RangeError(`${who}: ${states.length} input values and ${targets.length} targets, expected rows*${ni} and rows*${nu} with rows >= 1`);
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const t = perm[i]; perm[i] = perm[j]; perm[j] = t;
  }
  const bs = Math.min(batchSize, n);
  const sb = new Float32Array(bs * ni), yb = new Float32Array(bs * nu);
  let sum = 0, steps = 0;
  for (let start = 0; start < n; start += bs) {
    const m = Math.min(bs, n - start);
    for (let a = 0; a < m; a++) {
      const r = perm[start + a];
      sb.set(states.subarray(r * ni, (r + 1) * ni), a * ni);
      yb.set(targets.subarray(r * nu, (r + 1) * nu), a * nu);
    }
    const loss = regressionStep(actor, opt, m === bs ? sb : sb.subarray(0, m * ni), m === bs ? yb : yb.subarray(0, m * nu), scale);
    if (!Number.isFinite(loss)) throw new Error(`${who}: non-finite regression loss; training diverged`);
    sum += loss * m; steps++;
  }
  return { loss: sum / n, steps };
}

/** pi(s) for a batch of normalised inputs (nb*(nx+1) float32): nb*nu float32 */
export function actBatch(actor: Actor, states: Float32Array): Float32Array {
  const ni = actor.config.nIn;
  if (states.length === 0 || states.length % ni !== 0) {
    throw new RangeError(`act: ${states.length} input values, expected a positive multiple of nx+1 = ${ni}`);
  }
  const nb = states.length / ni;
  return tf.tidy(() => actor.forward(tf.tensor2d(states, [nb, ni])).dataSync() as Float32Array);
}
