/**
 * A learned action-value network Q(s, u) for the model-free baselines (DDPG / TD3, issue 4), in the
 * style of networks.ts: plain weight lists of tf.Variable, a hand-written forward function, float32,
 * weights drawn from the caller's seeded Rng, the own Adam of networks.ts (bit-exact checkpoints) and
 * softUpdate for target networks.
 *
 * - Input: the row [s, u / umax] with s = [x / norm, 2t/T - 1] the CACTO network input (normalise.ts)
 *   and the control divided by the system's soft bound umax (so both parts are O(1)).
 * - Architecture: a ReLU MLP, by default 256-256 hidden units then a linear output of size 1: the
 *   standard critic of TD3 (Fujimoto et al. 2018; their code uses 256-256 ReLU), not CACTO's SIREN
 *   value critic (a V(s) network cannot drive a model-free actor: the baseline has no model
 *   gradient f_u, so it needs dQ/du from a learned Q).
 * - Init: PyTorch's nn.Linear default, which the TD3 reference code relies on: kernels and biases
 *   uniform in +-1/sqrt(fan_in), drawn from rng in the order W0, b0, W1, b1, ...
 * - Products use the same explicit-transpose matMul gradient as networks.ts (the wasm backend's
 *   transposed BatchMatMul is ~10x slower than transpose + matMul).
 * - Cost convention: Q estimates the cost-to-go (lower is better); the actor minimises Q.
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../rng.js";
import { Network, type Dense, matMulT } from "./networks.js";

export interface QCriticConfig {
  /** size of the state part of the input: nx + 1 (normalised state and time) */
  nIn: number;
  nu: number;
  /** soft control bounds: the control enters the network as u / umax */
  umax: number[];
  /** hidden sizes (default 256-256, TD3's) */
  hidden: number[];
}

/** a dense layer with kernel and bias uniform in +-1/sqrt(fanIn); zeros without an rng */
function linearLayer(rng: Rng | null, fanIn: number, fanOut: number): Dense {
  const lim = 1 / Math.sqrt(fanIn);
  const w = new Float32Array(fanIn * fanOut);
  const b = new Float32Array(fanOut);
  if (rng) {
    for (let i = 0; i < w.length; i++) w[i] = rng.uniform(-lim, lim);
    for (let i = 0; i < b.length; i++) b[i] = rng.uniform(-lim, lim);
  }
  const W = tf.tidy(() => tf.variable(tf.tensor2d(w, [fanIn, fanOut]), true)) as tf.Variable<tf.Rank.R2>;
  const B = tf.tidy(() => tf.variable(tf.tensor1d(b), true)) as tf.Variable<tf.Rank.R1>;
  return { W, b: B };
}

export class QCritic extends Network {
  readonly config: QCriticConfig;
  private invUmax: tf.Tensor2D | null;

  /** rng null: zero weights (to be overwritten by setWeights/copyFrom), no draws */
  constructor(config: QCriticConfig, rng: Rng | null) {
    const cfg: QCriticConfig = { ...config, umax: config.umax.slice(), hidden: (config.hidden ?? [256, 256]).slice() };
    if (cfg.umax.length !== cfg.nu) throw new RangeError(`QCritic: umax has ${cfg.umax.length} entries, expected nu = ${cfg.nu}`);
    if (cfg.umax.some((v) => !(v > 0) || !Number.isFinite(v))) throw new RangeError(`QCritic: umax [${cfg.umax}] must be positive and finite`);
    if (cfg.hidden.length < 1) throw new RangeError("QCritic: at least one hidden layer");
    const sizes = [cfg.nIn + cfg.nu, ...cfg.hidden, 1];
    const layers: Dense[] = [];
    for (let l = 0; l + 1 < sizes.length; l++) layers.push(linearLayer(rng, sizes[l], sizes[l + 1]));
    super(layers);
    this.config = cfg;
    this.invUmax = tf.keep(tf.tensor2d(cfg.umax.map((v) => 1 / v), [1, cfg.nu]));
  }

  /** Q(s, u): s (nb, nIn) normalised states, u (nb, nu) controls in system units -> (nb, 1) */
  forward(s: tf.Tensor2D, u: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let h = tf.concat([s, tf.mul(u, this.invUmax!) as tf.Tensor2D], 1) as tf.Tensor2D;
      const n = this.layers.length;
      for (let l = 0; l < n; l++) {
        const { W, b } = this.layers[l];
        const z = tf.add(matMulT(h, W), b) as tf.Tensor2D;
        h = l + 1 < n ? tf.relu(z) : z;
      }
      return h;
    });
  }

  /** Q for a batch of plain rows: states nb*nIn, controls nb*nu -> nb values */
  values(states: Float32Array, controls: ArrayLike<number>): Float32Array {
    const { nIn, nu } = this.config;
    const nb = states.length / nIn;
    if (!Number.isInteger(nb) || nb === 0) throw new RangeError(`QCritic.values: ${states.length} state values, expected a positive multiple of ${nIn}`);
    if (controls.length !== nb * nu) throw new RangeError(`QCritic.values: ${controls.length} control values, expected nb*nu = ${nb * nu}`);
    return tf.tidy(() => this.forward(tf.tensor2d(states, [nb, nIn]), tf.tensor2d(Float32Array.from(controls), [nb, nu])).dataSync() as Float32Array);
  }

  override dispose(): void {
    super.dispose();
    this.invUmax?.dispose();
    this.invUmax = null;
  }
}
