/**
 * Actor and critic networks of CACTO / CACTO-SL (spec sections 2 and 3) as plain weight lists of
 * tf.Variable with hand-written forward functions (no tf.layers), an Adam optimiser whose whole state
 * is ours (bit-exact checkpoints) and the training steps, each one call per minibatch.
 *
 * Conventions
 * - Inputs are normalised rows s = [x / norm, 2t/T - 1] (see normalise.ts), float32, nb*(nx+1).
 * - Actor: (nx+1) -> hidden... -> nu, LeakyReLU(alpha) hidden layers, linear output (or tanh * umax).
 *   Init: Glorot-uniform kernels (the Keras default of the reference), zero biases.
 * - Critic: SIREN, sine layers sin(w0 (s W + b)) then a linear output of size 1. Init: sine-layer
 *   kernels uniform +-sqrt(6/fan_in)/w0 (first layer too: w0 = 1 in the reference), sine-layer biases
 *   uniform +-1/sqrt(fan_in) (as in the SIREN authors' code), output layer Glorot-uniform, zero bias.
 * - Every initial value is drawn from the caller's seeded Rng, in a fixed order (actor then critic).
 * - The critic's input gradient dV/ds is computed *analytically with tf ops* in the forward function
 *   (reverse recursion through the sine layers), so the Sobolev loss is a first-order-differentiable
 *   graph. (Nested tf.grad also works for SIREN on wasm, but not for LeakyReLU: the gradient of
 *   `Greater` is missing; the analytic form avoids second-order tapes altogether.)
 * - Adam: the update of tf.train.adam (same formula, beta1 0.9, beta2 0.999, epsilon 1e-7), but with
 *   its state (moments, step count) owned here: tf.train.adam's setWeights recomputes beta^t with pow,
 *   which differs in the last bits from the running product, so restored runs would drift.
 *
 * Speed (issue 15; measured with `cacto bench learn`, docs/benchmarks.md)
 * - Sine layers use the kernels of kernels.ts (one sin/cos pass in the engine's WASM instead of tfjs's
 *   slow Sin and Cos; the forward pass keeps cos for the backward one).
 * - The plain critic step and the actor step run a hand-written backward pass with tf ops (the same
 *   products autodiff forms, checked against tf.grad in test/rl-networks.test.ts), so the actor's
 *   forward pass is evaluated once per update: its controls are read, dQ/du is formed outside, and the
 *   backward pass reuses the kept activations (`actorForward` / `actorStepFrom`). The Sobolev loss
 *   keeps autodiff (its gradient runs through the analytic dV/ds).
 * - Adam and the soft target update are single passes over float32 arrays in the engine's WASM
 *   (kernels.ts; one read and one upload per variable instead of a dozen tf kernels); every operation
 *   is a float32 operation in the order of the tf-op formula, so the results are bit-identical to it
 *   (tested).
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../rng.js";
import type { SystemSpec } from "../systems/specs.js";
import { initTf, type TfBackend } from "./backend.js";
import { AdamMoments, biasLeaky, biasSinCos, colSum, leakyReluGrad, lerpStep, sin, sinCos, transpose2d } from "./kernels.js";
import { invNorm } from "./normalise.js";

// ---------------------------------------------------------------------------------------------
// serialisable data

/** a tensor as plain data: shape and row-major values (float32 values held exactly in doubles) */
export interface TensorData {
  shape: number[];
  data: number[];
}

function toData(t: tf.Tensor): TensorData {
  return { shape: t.shape.slice(), data: Array.from(t.dataSync()) };
}

function assignData(v: tf.Variable, d: TensorData, what: string): void {
  if (d.shape.length !== v.shape.length || d.shape.some((n, i) => n !== v.shape[i])) {
    throw new RangeError(`${what}: shape [${d.shape}] does not match [${v.shape}]`);
  }
  if (d.data.length !== v.size) throw new RangeError(`${what}: ${d.data.length} values for size ${v.size}`);
  const t = tf.tensor(Float32Array.from(d.data), v.shape, "float32");
  v.assign(t);
  t.dispose();
}

// ---------------------------------------------------------------------------------------------
// dense layers

export interface Dense {
  W: tf.Variable<tf.Rank.R2>;
  b: tf.Variable<tf.Rank.R1>;
  /** W^T as last computed, and the data of W it belongs to (matMulW) */
  wt?: tf.Tensor2D;
  wtOf?: object;
}

/** n values uniform in [-limit, limit) from rng; zeros without an rng (weights to be overwritten) */
function uniformValues(rng: Rng | null, n: number, limit: number): Float32Array {
  const a = new Float32Array(n);
  if (rng) for (let i = 0; i < n; i++) a[i] = rng.uniform(-limit, limit);
  return a;
}

function makeDense(rng: Rng | null, fanIn: number, fanOut: number, wLimit: number, bLimit: number): Dense {
  const wVals = uniformValues(rng, fanIn * fanOut, wLimit);
  const bVals = bLimit > 0 ? uniformValues(rng, fanOut, bLimit) : new Float32Array(fanOut);
  // inside tidy: the initial-value tensors are freed, the variables survive
  const W = tf.tidy(() => tf.variable(tf.tensor2d(wVals, [fanIn, fanOut]), true));
  const b = tf.tidy(() => tf.variable(tf.tensor1d(bVals), true));
  return { W: W as tf.Variable<tf.Rank.R2>, b: b as tf.Variable<tf.Rank.R1> };
}

const glorot = (fanIn: number, fanOut: number) => Math.sqrt(6 / (fanIn + fanOut));

/**
 * a b with a gradient built from explicit transposes. The wasm backend's BatchMatMul with a
 * transpose flag is ~10x slower than transpose + plain matMul (measured: 128x256 by 256x256, 5.3 ms
 * vs 0.9 ms), and tf.matMul's own gradient uses those flags.
 */
export const matMulT = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const a = args[0] as tf.Tensor2D;
  const b = args[1] as tf.Tensor2D;
  (args[2] as tf.GradSaveFunc)([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
      matMulBT(dy as tf.Tensor2D, saved[1] as tf.Tensor2D),
      matMulTA(saved[0] as tf.Tensor2D, dy as tf.Tensor2D),
    ],
  };
}) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/**
 * a b^T (a: n x k, b: m x k) in whichever orientation costs less on the wasm backend. Its BatchMatMul
 * (XNNPACK) repacks the right operand on every call with a new tensor, which costs ~5 ns per element
 * of it (a 256 x 256 weight: ~0.36 ms, as much as the product itself at batch 64): when b is larger
 * than a and the result together, (b a^T)^T packs the small a^T instead. Both orientations sum each
 * entry over k in the same order, so they give the same bits (test/rl-kernels.test.ts).
 */
export function matMulBT(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const [n, k] = a.shape;
  const m = b.shape[0];
  if (m * k > n * k + n * m) return transpose2d(tf.matMul(b, transpose2d(a)));
  return tf.matMul(a, transpose2d(b));
}

/**
 * a^T b (a: n x k, b: n x m; the weight gradient h^T dz) in the orientation that packs less: the
 * direct product packs b (n x m); (b^T a)^T packs a (n x k) and transposes b and the k x m result.
 * For a first layer (k = nx + 1 inputs) the swapped one packs a few hundred values instead of
 * n x m. Same bits (the sum over n runs in the same order; tested).
 */
export function matMulTA(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const [n, k] = a.shape;
  const m = b.shape[1];
  if (n * m > 2 * (n * k + k * m)) return transpose2d(tf.matMul(transpose2d(b), a));
  return tf.matMul(transpose2d(a), b);
}

/**
 * h W for a dense layer, in the orientation that packs less (see matMulBT): for a weight larger than
 * h and the result together, (W^T h^T)^T, with W^T cached on the layer until W's data changes (an
 * Adam step, a restore). Same bits as tf.matMul(h, W) (test/rl-kernels.test.ts).
 */
export function matMulW(h: tf.Tensor2D, layer: Dense): tf.Tensor2D {
  const W = layer.W;
  const [n, k] = h.shape;
  const m = W.shape[1];
  if (k * m <= n * k + n * m || tf.getBackend() !== "wasm") return tf.matMul(h, W);
  if (layer.wtOf !== W.dataId || !layer.wt || layer.wt.isDisposed) {
    layer.wt?.dispose();
    layer.wt = tf.keep(transpose2d(W));
    layer.wtOf = W.dataId;
  }
  return transpose2d(tf.matMul(layer.wt, transpose2d(h)));
}

/** sin and cos of w0 (h W + b) with differentiable tf ops (under a tape) */
function sineLayerTape(h: tf.Tensor2D, W: tf.Tensor2D, b: tf.Tensor1D, w0: number, mm: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
  let z = tf.add(mm(h, W), b) as tf.Tensor2D;
  if (w0 !== 1) z = tf.mul(z, w0);
  return sinCos(z);
}

/** the same values outside a tape: with w0 = 1, bias, sine and cosine in one kernel */
function sineLayer(h: tf.Tensor2D, W: tf.Tensor2D, b: tf.Tensor1D, w0: number, mm: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
  if (w0 !== 1) return sineLayerTape(h, W, b, w0, mm);
  const [s, c] = biasSinCos(mm(h, W), b, true);
  return [s, c!];
}

/** base class: an ordered list of dense layers */
export abstract class Network {
  readonly layers: Dense[];

  protected constructor(layers: Dense[]) {
    this.layers = layers;
  }

  /** the trainable variables in a fixed order: W0, b0, W1, b1, ... */
  variables(): tf.Variable[] {
    const out: tf.Variable[] = [];
    for (const l of this.layers) out.push(l.W, l.b);
    return out;
  }

  /** number of scalar parameters */
  get size(): number {
    return this.variables().reduce((s, v) => s + v.size, 0);
  }

  /** copy the weights of a network of the same shape, in place */
  copyFrom(other: Network): void {
    const a = this.variables();
    const b = other.variables();
    if (a.length !== b.length) throw new RangeError("copyFrom: networks differ in depth");
    a.forEach((v, i) => {
      if (v.size !== b[i].size) throw new RangeError(`copyFrom: variable ${i} differs in shape`);
      v.assign(b[i]);
    });
  }

  getWeights(): TensorData[] {
    return this.variables().map(toData);
  }

  /** the weights as float32 arrays, in variables() order (copies: the wasm backend's dataSync copies
   * already; other backends may hand out their own array) */
  weightArrays(): Float32Array[] {
    const own = tf.getBackend() === "wasm";
    return this.variables().map((v) => (own ? v.dataSync() as Float32Array : Float32Array.from(v.dataSync() as Float32Array)));
  }

  /** set the weights from float32 arrays in variables() order (sizes must match) */
  setWeightArrays(arrays: ArrayLike<number>[]): void {
    const vs = this.variables();
    if (arrays.length !== vs.length) throw new RangeError(`setWeightArrays: ${arrays.length} arrays for ${vs.length} variables`);
    vs.forEach((v, i) => {
      if (arrays[i].length !== v.size) throw new RangeError(`setWeightArrays: array ${i} has ${arrays[i].length} values for size ${v.size}`);
    });
    vs.forEach((v, i) => assignValues(v, arrays[i] instanceof Float32Array ? arrays[i] as Float32Array : Float32Array.from(arrays[i])));
  }

  setWeights(ws: TensorData[]): void {
    const vs = this.variables();
    if (ws.length !== vs.length) throw new RangeError(`setWeights: ${ws.length} tensors for ${vs.length} variables`);
    vs.forEach((v, i) => assignData(v, ws[i], `weight ${i}`));
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
    for (const l of this.layers) { l.wt?.dispose(); l.wt = undefined; l.wtOf = undefined; }
  }
}

const fr = Math.fround;

/**
 * assign float32 values to a variable (the variable's old data is freed). The wasm backend copies the
 * values into its heap; other backends keep the array itself, so they get a copy.
 */
function assignValues(v: tf.Variable, values: Float32Array): void {
  const t = tf.tensor(tf.getBackend() === "wasm" ? values : Float32Array.from(values), v.shape, "float32");
  v.assign(t);
  t.dispose();
}

/**
 * target <- tau * source + (1 - tau) * target, in place, for networks of the same shape. Each value is
 * fround(fround(s tau) + fround(t fround(1 - tau))): what tf.add(tf.mul(s, tau), tf.mul(t, 1 - tau))
 * gives, in one pass per variable.
 */
export function softUpdate(target: Network, source: Network, tau: number): void {
  const t = target.variables();
  const s = source.variables();
  if (t.length !== s.length) throw new RangeError("softUpdate: networks differ in depth");
  t.forEach((v, i) => {
    if (v.size !== s[i].size) throw new RangeError(`softUpdate: variable ${i} differs in shape`);
  });
  const a = fr(tau), b = fr(1 - tau);
  t.forEach((v, i) => {
    const tv = Float32Array.from(v.dataSync() as Float32Array);
    lerpStep(tv, s[i].dataSync() as Float32Array, a, b);
    assignValues(v, tv);
  });
}

// ---------------------------------------------------------------------------------------------
// actor

export interface ActorConfig {
  nIn: number;
  nu: number;
  hidden: number[];
  /** LeakyReLU slope for negative inputs */
  alpha: number;
  output: "linear" | "tanh";
  /** output scale of the tanh variant */
  umax: number[] | null;
}

export class Actor extends Network {
  readonly config: ActorConfig;
  private scale: tf.Tensor1D | null;

  /** rng null: zero weights (to be overwritten by setWeights/copyFrom), no draws */
  constructor(config: ActorConfig, rng: Rng | null) {
    const sizes = [config.nIn, ...config.hidden, config.nu];
    const layers: Dense[] = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      layers.push(makeDense(rng, sizes[l], sizes[l + 1], glorot(sizes[l], sizes[l + 1]), 0));
    }
    super(layers);
    this.config = config;
    if (config.output === "tanh") {
      if (!config.umax || config.umax.length !== config.nu) throw new RangeError("actor: the tanh output needs umax (nu entries)");
      this.scale = tf.keep(tf.tensor1d(config.umax));
    } else {
      this.scale = null;
    }
  }

  /** pi(s): (nb, nIn) -> (nb, nu), differentiable (for tf.grad / variableGrads) */
  forward(s: tf.Tensor2D): tf.Tensor2D {
    return this.run(s, false);
  }

  /**
   * pi(s) for inference: the same values as forward, bit for bit, faster for large layers (matMulW's
   * cached W^T), but not differentiable with respect to the weights: never call it under a tape.
   */
  predict(s: tf.Tensor2D): tf.Tensor2D {
    return this.run(s, true);
  }

  private run(s: tf.Tensor2D, cached: boolean): tf.Tensor2D {
    return tf.tidy(() => {
      let h: tf.Tensor2D = s;
      const n = this.layers.length;
      for (let l = 0; l < n; l++) {
        const layer = this.layers[l];
        if (cached && l + 1 < n) {
          // inference: bias and LeakyReLU in one kernel (the same bits)
          h = biasLeaky(matMulW(h, layer), layer.b, this.config.alpha)[1];
          continue;
        }
        const z = tf.add(cached ? matMulW(h, layer) : matMulT(h, layer.W), layer.b) as tf.Tensor2D;
        h = l + 1 < n ? tf.leakyRelu(z, this.config.alpha) : z;
      }
      if (this.scale) h = tf.mul(tf.tanh(h), this.scale);
      return h;
    });
  }

  /**
   * pi(s) with the activations the backward pass needs (kept: the caller disposes `pass.keep`):
   * inputs h_l of every layer, pre-activations z_l of the hidden layers, tanh(z) of a tanh output.
   */
  forwardKeep(s: tf.Tensor2D): { out: tf.Tensor2D; keep: tf.Tensor[]; hs: tf.Tensor2D[]; zs: tf.Tensor2D[]; th: tf.Tensor2D | null } {
    const hs: tf.Tensor2D[] = [];
    const zs: tf.Tensor2D[] = [];
    let th: tf.Tensor2D | null = null;
    const out = tf.tidy(() => {
      let h: tf.Tensor2D = s;
      const n = this.layers.length;
      for (let l = 0; l < n; l++) {
        const layer = this.layers[l];
        hs.push(tf.keep(h));
        if (l + 1 < n) {
          const [z, a] = biasLeaky(matMulW(h, layer), layer.b, this.config.alpha);
          zs.push(tf.keep(z));
          h = a;
        } else {
          h = tf.add(matMulW(h, layer), layer.b) as tf.Tensor2D;
        }
      }
      if (this.scale) {
        th = tf.keep(tf.tanh(h));
        h = tf.mul(th, this.scale);
      }
      return h;
    });
    const keep: tf.Tensor[] = [...hs.slice(1), ...zs];
    if (th) keep.push(th);
    return { out, keep, hs, zs, th };
  }

  /**
   * Gradients of sum(dOut * pi(s)) with respect to W0, b0, W1, b1, ... from a forwardKeep pass: the
   * products autodiff forms (dW = h^T dz, db = sum_rows dz, dh = dz W^T, LeakyReLU' = 1 if z > 0 else
   * alpha), with explicit transposes (see matMulT).
   */
  backward(pass: { hs: tf.Tensor2D[]; zs: tf.Tensor2D[]; th: tf.Tensor2D | null }, dOut: tf.Tensor2D): tf.Tensor[] {
    return tf.tidy(() => {
      const n = this.layers.length;
      let dz: tf.Tensor2D = dOut;
      if (this.scale && pass.th) {
        // d(tanh(z) * scale) = dOut * scale * (1 - tanh^2)
        dz = tf.mul(tf.mul(dOut, this.scale), tf.sub(1, tf.square(pass.th))) as tf.Tensor2D;
      }
      const grads: tf.Tensor[] = new Array(2 * n);
      for (let l = n - 1; l >= 0; l--) {
        grads[2 * l] = matMulTA(pass.hs[l], dz);
        grads[2 * l + 1] = colSum(dz);
        if (l > 0) {
          const dh = matMulBT(dz, this.layers[l].W);
          const z = pass.zs[l - 1];
          dz = leakyReluGrad(dh, z, this.config.alpha);
        }
      }
      return grads;
    });
  }

  override dispose(): void {
    super.dispose();
    this.scale?.dispose();
    this.scale = null;
  }
}

// ---------------------------------------------------------------------------------------------
// critic (SIREN)

export interface CriticConfig {
  nIn: number;
  hidden: number[];
  w0: number;
}

export class Critic extends Network {
  readonly config: CriticConfig;

  /** rng null: zero weights (to be overwritten by setWeights/copyFrom), no draws */
  constructor(config: CriticConfig, rng: Rng | null) {
    const sizes = [config.nIn, ...config.hidden];
    const layers: Dense[] = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const fanIn = sizes[l];
      layers.push(makeDense(rng, fanIn, sizes[l + 1], Math.sqrt(6 / fanIn) / config.w0, 1 / Math.sqrt(fanIn)));
    }
    const last = sizes[sizes.length - 1];
    layers.push(makeDense(rng, last, 1, glorot(last, 1), 0));
    super(layers);
    this.config = config;
  }

  /** V(s): (nb, nIn) -> (nb, 1), differentiable */
  forward(s: tf.Tensor2D): tf.Tensor2D {
    return this.run(s, true);
  }

  /** V(s) for inference: forward's values without customGrad's bookkeeping (not for a tape) */
  predict(s: tf.Tensor2D): tf.Tensor2D {
    return this.run(s, false);
  }

  private run(s: tf.Tensor2D, differentiable: boolean): tf.Tensor2D {
    return tf.tidy(() => {
      let h: tf.Tensor2D = s;
      const n = this.layers.length;
      const w0 = this.config.w0;
      for (let l = 0; l < n; l++) {
        const { W, b } = this.layers[l];
        if (!differentiable && w0 === 1 && l + 1 < n) {
          // inference: bias and sine in one kernel (the same bits)
          h = biasSinCos(tf.matMul(h, W), b, false)[0];
          continue;
        }
        const z = tf.add(differentiable ? matMulT(h, W) : tf.matMul(h, W), b) as tf.Tensor2D;
        h = l + 1 < n ? sin(w0 === 1 ? z : (tf.mul(z, w0) as tf.Tensor2D)) : z;
      }
      return h;
    });
  }

  /**
   * V(s) and the parameter gradients of sum(dV * V(s)) for a dV computed from V: `dv(v)` gets the
   * values (a tensor) and returns dV (nb, 1). The hand-written backward pass of the sine layers:
   * dz_l = dh_l * w0 cos(w0 z_l), dW_l = h_l^T dz_l, db_l = sum_rows dz_l, dh_{l-1} = dz_l W_l^T.
   */
  valueAndGrads(s: tf.Tensor2D, dv: (v: tf.Tensor2D) => tf.Tensor2D): { v: tf.Tensor2D; grads: tf.Tensor[] } {
    const out = tf.tidy(() => {
      const n = this.layers.length;
      const w0 = this.config.w0;
      const hs: tf.Tensor2D[] = [];
      const derivs: tf.Tensor2D[] = [];
      let h: tf.Tensor2D = s;
      for (let l = 0; l + 1 < n; l++) {
        const { W, b } = this.layers[l];
        hs.push(h);
        const [sz, cz] = sineLayer(h, W, b, w0, tf.matMul);
        h = sz;
        derivs.push(w0 === 1 ? cz : tf.mul(cz, w0));
      }
      hs.push(h);
      const last = this.layers[n - 1];
      const v = tf.add(tf.matMul(h, last.W), last.b) as tf.Tensor2D;
      let dz = dv(v);
      const grads: tf.Tensor[] = new Array(2 * n);
      for (let l = n - 1; l >= 0; l--) {
        grads[2 * l] = matMulTA(hs[l], dz);
        grads[2 * l + 1] = colSum(dz);
        if (l > 0) dz = tf.mul(matMulBT(dz, this.layers[l].W), derivs[l - 1]) as tf.Tensor2D;
      }
      return { v, grads };
    });
    return out;
  }

  /**
   * V(s) and dV/ds (nb, nIn) by the analytic reverse recursion, built from differentiable tf ops:
   * g_L = W_out^T; g_{l} = (g_{l+1} * w0 cos(w0 z_l)) W_l^T.
   */
  forwardWithGrad(s: tf.Tensor2D, differentiable = true): { v: tf.Tensor2D; g: tf.Tensor2D } {
    // outside a tape, plain products: the same values without customGrad's bookkeeping
    const mm: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D = differentiable ? matMulT : (a, b) => tf.matMul(a, b);
    return tf.tidy(() => {
      const n = this.layers.length;
      const w0 = this.config.w0;
      const derivs: tf.Tensor2D[] = [];
      let h: tf.Tensor2D = s;
      for (let l = 0; l + 1 < n; l++) {
        const { W, b } = this.layers[l];
        const [sz, cz] = differentiable ? sineLayerTape(h, W, b, w0, mm) : sineLayer(h, W, b, w0, mm);
        h = sz;
        derivs.push(w0 === 1 ? cz : tf.mul(cz, w0));
      }
      const out = this.layers[n - 1];
      const v = tf.add(mm(h, out.W), out.b) as tf.Tensor2D;
      // dV/dh_{n-2} = W_out^T broadcast over the batch: (nb, H) = cos-derivative * W_out^T row
      let g: tf.Tensor2D = tf.mul(derivs[n - 2], tf.reshape(out.W, [1, -1])) as tf.Tensor2D;
      for (let l = n - 2; l >= 0; l--) {
        // g is dV/dz_l (pre-activation, including the w0 factor); back through W_l
        const back = mm(g, transpose2d(this.layers[l].W));
        g = l > 0 ? (tf.mul(back, derivs[l - 1]) as tf.Tensor2D) : back;
      }
      return { v, g };
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Adam

export interface AdamConfig {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export interface AdamData extends AdamConfig {
  /** completed steps */
  t: number;
  m: TensorData[];
  v: TensorData[];
}

/**
 * Adam with the update of tf.train.adam; the state (t, moments) is plain and restorable bit-exactly.
 * The moments live in the kernel engine's memory (kernels.ts AdamMoments) and the update is one pass
 * per variable, each operation a float32 operation in the order of the tf-op formula
 *   m = m b1 + g (1 - b1); v = v b2 + g^2 (1 - b2); x = (m / c1) / (sqrt(v / c2) + eps) (-lr) + x
 * (c1 = 1 - b1^t, c2 = 1 - b2^t), so it gives the bits the tf kernels give (test/rl-networks.test.ts).
 */
export class Adam {
  readonly config: AdamConfig;
  private readonly vars: tf.Variable[];
  /** m, v and a copy of x per variable (in the kernel engine's memory when it is loaded) */
  private readonly moments: AdamMoments[];
  /** each variable's data after this optimiser's last step: another data means it was set elsewhere */
  private readonly synced: (object | null)[];
  private t = 0;

  constructor(vars: tf.Variable[], config: Partial<AdamConfig> & { lr: number }) {
    this.config = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, ...config };
    this.vars = vars;
    this.moments = vars.map((x) => new AdamMoments(x.size));
    this.synced = vars.map(() => null);
  }

  get iterations(): number {
    return this.t;
  }

  get learningRate(): number {
    return this.config.lr;
  }

  set learningRate(lr: number) {
    if (!(lr > 0)) throw new RangeError(`learning rate ${lr}: expected > 0`);
    this.config.lr = lr;
  }

  /** one update with the gradients of `vars` (same order); the caller disposes the gradients */
  apply(grads: tf.Tensor[]): void {
    if (grads.length !== this.vars.length) throw new RangeError(`adam: ${grads.length} gradients for ${this.vars.length} variables`);
    grads.forEach((g, i) => {
      if (g.size !== this.vars[i].size) throw new RangeError(`adam: gradient ${i} has ${g.size} values for a variable of ${this.vars[i].size}`);
    });
    const { beta1, beta2, epsilon, lr } = this.config;
    const t = this.t + 1;
    const k = {
      b1: fr(beta1), ob1: fr(1 - beta1), b2: fr(beta2), ob2: fr(1 - beta2),
      c1: fr(1 - Math.pow(beta1, t)), c2: fr(1 - Math.pow(beta2, t)), eps: fr(epsilon), nlr: fr(-lr),
    };
    this.vars.forEach((x, i) => {
      const mo = this.moments[i];
      // the kept copy of x is current unless the variable was assigned elsewhere (restore, copyFrom)
      if (this.synced[i] !== x.dataId) mo.setX(x.dataSync() as Float32Array);
      // the new values are a view into the kernels' memory: uploaded at once
      assignValues(x, mo.step(grads[i].dataSync() as Float32Array, k));
      this.synced[i] = x.dataId;
    });
    this.t = t;
  }

  getState(): AdamData {
    const data = (a: Float32Array, x: tf.Variable): TensorData => ({ shape: x.shape.slice(), data: Array.from(a) });
    const mv = this.moments.map((mo) => mo.get());
    return { ...this.config, t: this.t, m: mv.map(([m], i) => data(m, this.vars[i])), v: mv.map(([, v], i) => data(v, this.vars[i])) };
  }

  setState(d: AdamData): void {
    if (d.m.length !== this.moments.length || d.v.length !== this.moments.length) {
      throw new RangeError(`adam state: ${d.m.length} moments for ${this.moments.length} variables`);
    }
    const check = (td: TensorData, x: tf.Variable, what: string) => {
      if (td.shape.length !== x.shape.length || td.shape.some((n, k) => n !== x.shape[k])) {
        throw new RangeError(`${what}: shape [${td.shape}] does not match [${x.shape}]`);
      }
      if (td.data.length !== x.size) throw new RangeError(`${what}: ${td.data.length} values for size ${x.size}`);
    };
    d.m.forEach((td, i) => check(td, this.vars[i], `adam m ${i}`));
    d.v.forEach((td, i) => check(td, this.vars[i], `adam v ${i}`));
    if (!Number.isInteger(d.t) || d.t < 0) throw new RangeError(`adam state: t = ${d.t}`);
    this.moments.forEach((mo, i) => mo.set(d.m[i].data, d.v[i].data));
    this.t = d.t;
    this.config.lr = d.lr;
    this.config.beta1 = d.beta1;
    this.config.beta2 = d.beta2;
    this.config.epsilon = d.epsilon;
  }

  dispose(): void {
    for (const mo of this.moments) mo.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// actor + critic + target critic + optimisers

export interface ActorCriticOptions {
  /** actor hidden sizes (reference 256-256) */
  actorHidden?: number[];
  /** LeakyReLU slope (reference 0.3) */
  actorAlpha?: number;
  /** actor output: linear (reference) or tanh * umax */
  actorOutput?: "linear" | "tanh";
  /** critic sine-layer sizes (reference 64-64-128-128) */
  criticHidden?: number[];
  /** SIREN frequency factor (reference 1) */
  w0?: number;
  /** Adam learning rates (reference critic 5e-4, actor 1e-3) */
  criticLr?: number;
  actorLr?: number;
  /** target critic update rate (reference 1e-3) */
  tau?: number;
}

export interface ActorCriticConfig {
  nx: number;
  nu: number;
  norm: number[];
  umax: number[];
  actorHidden: number[];
  actorAlpha: number;
  actorOutput: "linear" | "tanh";
  criticHidden: number[];
  w0: number;
  criticLr: number;
  actorLr: number;
  tau: number;
}

export interface CriticStepOptions {
  /** Sobolev weight w_S: > 0 switches to the CACTO-SL loss (needs vx) */
  wS?: number;
  /** value-gradient targets dV/dx (nb*nx, state units) for the Sobolev loss */
  vx?: ArrayLike<number>;
  /** the Sobolev loss's value term is divided by this (default 1: the paper's loss) */
  valueScale?: number;
}

export interface ActorCriticData {
  format: "cacto-actor-critic";
  version: 1;
  config: ActorCriticConfig;
  actor: TensorData[];
  critic: TensorData[];
  target: TensorData[];
  actorOpt: AdamData;
  criticOpt: AdamData;
}

/** slog(z) = sign(z) log(1 + |z|) */
export function slog(z: number): number {
  return Math.sign(z) * Math.log1p(Math.abs(z));
}

function slogT(z: tf.Tensor): tf.Tensor {
  return tf.mul(tf.sign(z), tf.log1p(tf.abs(z)));
}

/** An actor forward pass kept for one actor step (`ActorCritic.actorForward`). */
export class ActorPass {
  disposed = false;
  constructor(
    readonly nb: number,
    /** the controls pi(s), nb*nu */
    readonly u: Float32Array,
    /** @internal */
    readonly fwd: { hs: tf.Tensor2D[]; zs: tf.Tensor2D[]; th: tf.Tensor2D | null },
    private readonly tensors: tf.Tensor[],
  ) {}

  /** free the kept tensors (idempotent) */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose(this.tensors);
  }
}

/**
 * The CACTO learner: actor pi, critic V, target critic V', two Adam optimisers. The tf backend must
 * be initialised first (`await initTf()`, or use `createActorCritic`). rng draws the initial weights
 * (actor first, then critic); null gives zero weights (for restoring a checkpoint).
 */
export class ActorCritic {
  readonly config: ActorCriticConfig;
  readonly actor: Actor;
  readonly critic: Critic;
  readonly target: Critic;
  readonly actorOpt: Adam;
  readonly criticOpt: Adam;
  /** [1/norm_0, ..., 1/norm_{nx-1}, 0] (1, nx+1): the chain factor, time column masked out */
  private readonly chain: tf.Tensor2D;

  constructor(
    spec: Pick<SystemSpec, "nx" | "nu" | "norm" | "umax">, rng: Rng | null, opts: ActorCriticOptions = {},
  ) {
    const cfg: ActorCriticConfig = {
      nx: spec.nx, nu: spec.nu, norm: spec.norm.slice(), umax: spec.umax.slice(),
      actorHidden: opts.actorHidden ?? [256, 256],
      actorAlpha: opts.actorAlpha ?? 0.3,
      actorOutput: opts.actorOutput ?? "linear",
      criticHidden: opts.criticHidden ?? [64, 64, 128, 128],
      w0: opts.w0 ?? 1,
      criticLr: opts.criticLr ?? 5e-4,
      actorLr: opts.actorLr ?? 1e-3,
      tau: opts.tau ?? 1e-3,
    };
    if (cfg.criticHidden.length < 1) throw new RangeError("criticHidden: at least one sine layer");
    if (cfg.umax.length !== cfg.nu) throw new RangeError(`umax has ${cfg.umax.length} entries, expected nu = ${cfg.nu}`);
    this.config = cfg;
    const inv = invNorm(spec);
    const nIn = cfg.nx + 1;
    this.actor = new Actor({
      nIn, nu: cfg.nu, hidden: cfg.actorHidden, alpha: cfg.actorAlpha, output: cfg.actorOutput, umax: cfg.umax,
    }, rng);
    this.critic = new Critic({ nIn, hidden: cfg.criticHidden, w0: cfg.w0 }, rng);
    // the target starts as a copy (no draws)
    this.target = new Critic(this.critic.config, null);
    this.target.copyFrom(this.critic);
    this.actorOpt = new Adam(this.actor.variables(), { lr: cfg.actorLr });
    this.criticOpt = new Adam(this.critic.variables(), { lr: cfg.criticLr });
    const c = new Float32Array(nIn);
    for (let j = 0; j < cfg.nx; j++) c[j] = inv[j];
    this.chain = tf.keep(tf.tensor2d(c, [1, nIn]));
  }

  get nIn(): number {
    return this.config.nx + 1;
  }

  private rows(states: Float32Array, what: string): number {
    const ni = this.nIn;
    if (states.length % ni !== 0 || states.length === 0) {
      throw new RangeError(`${what}: ${states.length} input values, expected a positive multiple of nx+1 = ${ni}`);
    }
    return states.length / ni;
  }

  /** pi(s) for a batch: nb*nu float32 */
  act(states: Float32Array): Float32Array {
    const nb = this.rows(states, "act");
    return tf.tidy(() => this.actor.predict(tf.tensor2d(states, [nb, this.nIn])).dataSync() as Float32Array);
  }

  /** V(s) for a batch (nb) */
  criticValue(states: Float32Array): Float32Array {
    const nb = this.rows(states, "criticValue");
    return tf.tidy(() => this.critic.predict(tf.tensor2d(states, [nb, this.nIn])).dataSync() as Float32Array);
  }

  /** V'(s) of the target critic for a batch (nb): the bootstrap values of the TD(n) targets */
  targetValue(states: Float32Array): Float32Array {
    const nb = this.rows(states, "targetValue");
    return tf.tidy(() => this.target.predict(tf.tensor2d(states, [nb, this.nIn])).dataSync() as Float32Array);
  }

  /**
   * V(s) and dV/ds (nb*(nx+1), w.r.t. the normalised input; see normalise.gradToState for state
   * units). `which` picks the critic or the target critic.
   */
  criticGradInput(states: Float32Array, which: "critic" | "target" = "critic"): { v: Float32Array; dVds: Float32Array } {
    const nb = this.rows(states, "criticGradInput");
    const net = which === "target" ? this.target : this.critic;
    return tf.tidy(() => {
      const { v, g } = net.forwardWithGrad(tf.tensor2d(states, [nb, this.nIn]), false);
      return { v: v.dataSync() as Float32Array, dVds: g.dataSync() as Float32Array };
    });
  }

  /**
   * The critic loss as a tensor (for steps and tests). Plain: mean (y - V)^2. Sobolev (wS > 0):
   * mean_ij (slog(dV/dx_j) - slog(Vx_j))^2 + (wS / valueScale) mean (y - V)^2, over the nx state components.
   */
  criticLoss(s: tf.Tensor2D, y: tf.Tensor2D, slogVx: tf.Tensor2D | null, wS: number, valueScale = 1): tf.Scalar {
    return tf.tidy(() => {
      if (slogVx && wS > 0) {
        const nb = s.shape[0];
        const { v, g } = this.critic.forwardWithGrad(s);
        const dVdx = tf.mul(g, this.chain); // time column -> 0, and slogVx has 0 there too
        const eg = tf.div(tf.sum(tf.square(tf.sub(slogT(dVdx), slogVx))), nb * this.config.nx);
        const ev = tf.mean(tf.square(tf.sub(y, v)));
        return tf.add(eg, tf.mul(ev, valueScale === 1 ? wS : wS / valueScale)) as tf.Scalar;
      }
      return tf.mean(tf.square(tf.sub(y, this.critic.forward(s)))) as tf.Scalar;
    });
  }

  /** slog of value-gradient targets, padded with a zero time column: (nb, nx+1) float32 */
  slogTargets(vx: ArrayLike<number>, nb: number): Float32Array {
    const nx = this.config.nx;
    if (vx.length !== nb * nx) throw new RangeError(`vx: ${vx.length} values, expected nb*nx = ${nb * nx}`);
    const out = new Float32Array(nb * (nx + 1));
    for (let i = 0; i < nb; i++) for (let j = 0; j < nx; j++) out[i * (nx + 1) + j] = slog(vx[i * nx + j]);
    return out;
  }

  /** one Adam step of the critic on a minibatch; returns the loss before the step */
  criticStep(states: Float32Array, targets: ArrayLike<number>, opts: CriticStepOptions = {}): number {
    const nb = this.rows(states, "criticStep");
    if (targets.length !== nb) throw new RangeError(`criticStep: ${targets.length} targets for ${nb} rows`);
    const wS = opts.wS ?? 0;
    if (wS > 0 && !opts.vx) throw new RangeError("criticStep: the Sobolev loss (wS > 0) needs vx");
    const valueScale = opts.valueScale ?? 1;
    if (!(valueScale > 0 && Number.isFinite(valueScale))) throw new RangeError(`criticStep: valueScale: got ${valueScale}, expected a finite number > 0`);
    const vars = this.critic.variables();
    if (wS > 0) {
      // CACTO-SL: autodiff through the analytic dV/ds
      return tf.tidy(() => {
        const s = tf.tensor2d(states, [nb, this.nIn]);
        const y = tf.tensor2d(Float32Array.from(targets), [nb, 1]);
        const sv = tf.tensor2d(this.slogTargets(opts.vx!, nb), [nb, this.nIn]);
        const { value, grads } = tf.variableGrads(() => this.criticLoss(s, y, sv, wS, valueScale), vars);
        this.criticOpt.apply(vars.map((x) => grads[x.name]));
        return value.dataSync()[0];
      });
    }
    // plain loss mean (y - V)^2: dLoss/dV = 2 (V - y) / nb, then the hand-written backward pass
    const y32 = Float32Array.from(targets);
    return tf.tidy(() => {
      const s = tf.tensor2d(states, [nb, this.nIn]);
      const y = tf.tensor2d(y32, [nb, 1]);
      const { v, grads } = this.critic.valueAndGrads(s, (v) => tf.mul(tf.sub(v, y), 2 / nb) as tf.Tensor2D);
      const vv = v.dataSync();
      let loss = 0;
      for (let i = 0; i < nb; i++) loss += (y32[i] - vv[i]) ** 2;
      this.criticOpt.apply(grads);
      return loss / nb;
    });
  }

  /** the actor surrogate mean_i sum_j dQdu_ij pi(s_i)_j (dQdu held constant) */
  actorSurrogate(s: tf.Tensor2D, dQdu: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => tf.div(tf.sum(tf.mul(this.actor.forward(s), dQdu)), s.shape[0]) as tf.Scalar);
  }

  /**
   * pi(s) for an actor step: the controls (`pass.u`, nb*nu) and the kept activations, so that
   * `actorStepFrom(pass, dQdu)` needs no second forward pass. Dispose the pass if no step follows.
   */
  actorForward(states: Float32Array): ActorPass {
    const nb = this.rows(states, "actorForward");
    const s = tf.tensor2d(states, [nb, this.nIn]);
    const f = this.actor.forwardKeep(s);
    const u = f.out.dataSync() as Float32Array;
    return new ActorPass(nb, u, f, [s, f.out, ...f.keep]);
  }

  /**
   * One Adam step of the actor given dQ/du per row (nb*nu, computed outside from l_u + (dV/dx') f_u) at
   * the states of `pass`: the gradient of the surrogate mean_i dQdu_i . pi(s_i) is
   * mean_i (dpi/dtheta)^T dQ/du_i. Returns the surrogate before the step; disposes the pass.
   */
  actorStepFrom(pass: ActorPass, dQdu: ArrayLike<number>): number {
    try {
      const nb = pass.nb, nu = this.config.nu;
      if (pass.disposed) throw new Error("actorStepFrom: this actor pass was already used or disposed");
      if (dQdu.length !== nb * nu) throw new RangeError(`actorStep: dQdu has ${dQdu.length} values, expected nb*nu = ${nb * nu}`);
      const q32 = Float32Array.from(dQdu);
      let sur = 0;
      for (let i = 0; i < q32.length; i++) sur += q32[i] * pass.u[i];
      tf.tidy(() => {
        const dOut = tf.mul(tf.tensor2d(q32, [nb, nu]), 1 / nb) as tf.Tensor2D;
        const grads = this.actor.backward(pass.fwd, dOut);
        this.actorOpt.apply(grads);
      });
      return sur / nb;
    } finally {
      pass.dispose();
    }
  }

  /** one actor step: actorForward then actorStepFrom (see there) */
  actorStep(states: Float32Array, dQdu: ArrayLike<number>): number {
    const nb = this.rows(states, "actorStep");
    if (dQdu.length !== nb * this.config.nu) throw new RangeError(`actorStep: dQdu has ${dQdu.length} values, expected nb*nu = ${nb * this.config.nu}`);
    return this.actorStepFrom(this.actorForward(states), dQdu);
  }

  /** V' <- tau V + (1 - tau) V' (tau from the config unless given) */
  updateTarget(tau: number = this.config.tau): void {
    softUpdate(this.target, this.critic, tau);
  }

  /**
   * Where the learner holds a non-finite value, if anywhere (weights of the three networks, both
   * optimisers' moments), e.g. "actor optimiser v[0][520] = Infinity"; null when all are finite. A
   * diverged run (gradients beyond float32) shows here before its controls do.
   */
  nonFinite(): string | null {
    const scan = (what: string, arrays: ArrayLike<number>[]): string | null => {
      for (let i = 0; i < arrays.length; i++) {
        const a = arrays[i];
        for (let j = 0; j < a.length; j++) if (!Number.isFinite(a[j])) return `${what}[${i}][${j}] = ${a[j]}`;
      }
      return null;
    };
    const nets: [string, Network][] = [["actor weights", this.actor], ["critic weights", this.critic], ["target critic weights", this.target]];
    for (const [what, net] of nets) {
      const r = scan(what, net.variables().map((v) => v.dataSync() as Float32Array));
      if (r) return r;
    }
    for (const [what, opt] of [["actor optimiser", this.actorOpt], ["critic optimiser", this.criticOpt]] as const) {
      const st = opt.getState();
      const r = scan(`${what} m`, st.m.map((t) => t.data)) ?? scan(`${what} v`, st.v.map((t) => t.data));
      if (r) return r;
    }
    return null;
  }

  /** all weights and optimiser state as JSON-able data */
  serialize(): ActorCriticData {
    return {
      format: "cacto-actor-critic",
      version: 1,
      config: structuredClone(this.config),
      actor: this.actor.getWeights(),
      critic: this.critic.getWeights(),
      target: this.target.getWeights(),
      actorOpt: this.actorOpt.getState(),
      criticOpt: this.criticOpt.getState(),
    };
  }

  /** restore weights and optimiser state in place (the architecture must match) */
  deserialize(d: ActorCriticData): void {
    if (d.format !== "cacto-actor-critic" || d.version !== 1) throw new RangeError("deserialize: not a cacto-actor-critic v1 checkpoint");
    const a = d.config;
    const b = this.config;
    const same = a.nx === b.nx && a.nu === b.nu && a.actorOutput === b.actorOutput && a.w0 === b.w0
      && a.actorAlpha === b.actorAlpha && a.actorHidden.join() === b.actorHidden.join()
      && a.criticHidden.join() === b.criticHidden.join() && a.norm.join() === b.norm.join();
    if (!same) throw new RangeError("deserialize: the checkpoint's architecture differs from this learner's");
    this.actor.setWeights(d.actor);
    this.critic.setWeights(d.critic);
    this.target.setWeights(d.target);
    this.actorOpt.setState(d.actorOpt);
    this.criticOpt.setState(d.criticOpt);
    b.actorLr = d.actorOpt.lr;
    b.criticLr = d.criticOpt.lr;
    b.tau = a.tau;
  }

  /** a new learner from a checkpoint (no random draws) */
  static fromData(d: ActorCriticData): ActorCritic {
    const c = d.config;
    const ac = new ActorCritic({ nx: c.nx, nu: c.nu, norm: c.norm, umax: c.umax }, null, c);
    ac.deserialize(d);
    return ac;
  }

  /** free the tensors of all networks and optimisers; the learner cannot be used afterwards */
  dispose(): void {
    this.actor.dispose();
    this.critic.dispose();
    this.target.dispose();
    this.actorOpt.dispose();
    this.criticOpt.dispose();
    this.chain.dispose();
  }
}

/** initialise the tf backend, then build a learner */
export async function createActorCritic(
  spec: Pick<SystemSpec, "nx" | "nu" | "norm" | "umax">, rng: Rng,
  opts: ActorCriticOptions & { backend?: TfBackend } = {},
): Promise<ActorCritic> {
  await initTf(opts.backend ?? "wasm");
  return new ActorCritic(spec, rng, opts);
}
