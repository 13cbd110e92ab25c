/**
 * Trained networks in TensorFlow.js's standard LayersModel format (model.json + weights.bin), so a
 * tfjs user can run the policy without this toolkit: `tf.loadLayersModel(url)` in a browser, or
 * `loadLayersModelFromDir(dir)` in Node (tfjs without tfjs-node has no file:// loader).
 *
 * The exported models take RAW inputs [x_0, ..., x_{nx-1}, k] (state and integer time step): the
 * state normalisation (x_j / norm_j, 2k / NSTEPS - 1) is folded into the first layer's weights.
 * Actor: Dense + LeakyReLU layers, a linear output (or tanh followed by a fixed diagonal Dense with
 * umax). Critic (SIREN): Dense + sine layers; the sine is a custom layer, "CactoSine", that
 * `registerCactoLayers()` registers (call it before loading a critic).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { ActorCritic } from "./networks.js";
import type { SystemSpec } from "../systems/specs.js";
import { invNorm } from "./normalise.js";
import { writeAtomic } from "../cacto/checkpoint.js";

/** sin(w0 x), elementwise: the SIREN activation as a serialisable layer */
export class SineLayer extends tf.layers.Layer {
  static className = "CactoSine";
  readonly w0: number;

  constructor(config: { w0?: number; name?: string } = {}) {
    super(config);
    this.w0 = config.w0 ?? 1;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.sin(this.w0 === 1 ? x : tf.mul(x, this.w0));
    });
  }

  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return shape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), w0: this.w0 };
  }
}

let registered = false;
/** register the custom layers of the exported critic with tfjs (idempotent) */
export function registerCactoLayers(): void {
  if (registered) return;
  tf.serialization.registerClass(SineLayer);
  registered = true;
}

type Spec = Pick<SystemSpec, "name" | "nx" | "nu" | "norm" | "nsteps" | "umax">;

/** the first layer's kernel and bias with the input normalisation folded in */
function foldInput(spec: Spec, W: Float32Array, b: Float32Array, nOut: number): { W: tf.Tensor2D; b: tf.Tensor1D } {
  const nx = spec.nx;
  const inv = invNorm(spec);
  const tScale = 2 / spec.nsteps;
  const W2 = new Float32Array(W.length);
  const b2 = Float32Array.from(b);
  for (let j = 0; j <= nx; j++) {
    const f = j < nx ? inv[j] : tScale;
    for (let o = 0; o < nOut; o++) W2[j * nOut + o] = W[j * nOut + o] * f;
  }
  // the time input is k * tScale - 1: the -1 moves into the bias
  for (let o = 0; o < nOut; o++) b2[o] = b[o] - W[nx * nOut + o];
  return { W: tf.tensor2d(W2, [nx + 1, nOut]), b: tf.tensor1d(b2) };
}

function denseWeights(net: { layers: { W: tf.Variable; b: tf.Variable }[] }) {
  return net.layers.map((l) => ({ W: l.W.dataSync() as Float32Array, b: l.b.dataSync() as Float32Array, nOut: l.b.shape[0] as number }));
}

/**
 * A sequential model of a network's dense layers, the input normalisation folded into the first, with
 * `activation(l)` after every hidden layer l.
 */
function denseStack(name: string, net: { layers: { W: tf.Variable; b: tf.Variable }[] }, spec: Spec, activation: (l: number) => tf.layers.Layer): tf.Sequential {
  const ws = denseWeights(net);
  const m = tf.sequential({ name });
  ws.forEach((w, l) => {
    const { W, b } = l === 0 ? foldInput(spec, w.W, w.b, w.nOut) : { W: tf.tensor2d(w.W, [ws[l - 1].nOut, w.nOut]), b: tf.tensor1d(w.b) };
    m.add(tf.layers.dense({ units: w.nOut, ...(l === 0 ? { inputShape: [spec.nx + 1] } : {}), weights: [W, b], name: `dense_${l}` }));
    W.dispose(); b.dispose();
    if (l + 1 < ws.length) m.add(activation(l));
  });
  return m;
}

/** the actor as a tf.LayersModel on raw [x, k] inputs (the caller disposes it) */
export function actorLayersModel(ac: ActorCritic, spec: Spec): tf.LayersModel {
  const cfg = ac.config;
  const m = denseStack(`cacto_actor_${spec.name}`, ac.actor, spec, (l) => tf.layers.leakyReLU({ alpha: cfg.actorAlpha, name: `leaky_${l}` }));
  if (cfg.actorOutput === "tanh") {
    m.add(tf.layers.activation({ activation: "tanh", name: "tanh" }));
    const D = new Float32Array(spec.nu * spec.nu);
    for (let i = 0; i < spec.nu; i++) D[i * spec.nu + i] = spec.umax[i];
    const Dt = tf.tensor2d(D, [spec.nu, spec.nu]);
    m.add(tf.layers.dense({ units: spec.nu, useBias: false, trainable: false, weights: [Dt], name: "umax" }));
    Dt.dispose();
  }
  return m;
}

/** the critic (SIREN) as a tf.LayersModel on raw [x, k] inputs (needs registerCactoLayers to load) */
export function criticLayersModel(ac: ActorCritic, spec: Spec): tf.LayersModel {
  registerCactoLayers();
  const m = denseStack(`cacto_critic_${spec.name}`, ac.critic, spec, (l) => new SineLayer({ w0: ac.config.w0, name: `sine_${l}` }));
  return m;
}

function concat(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  const parts = Array.isArray(data) ? data : [data];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
  let o = 0;
  for (const p of parts) { out.set(new Uint8Array(p), o); o += p.byteLength; }
  return out;
}

/**
 * Write a model as dir/model.json + dir/weights.bin (tfjs's LayersModel format, one weights shard),
 * each file atomically. `metadata` goes to model.json's userDefinedMetadata.
 */
export async function saveLayersModel(model: tf.LayersModel, dir: string, metadata: Record<string, unknown> = {}): Promise<void> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: "JSON" } };
  }));
  const a = artifacts as unknown as tf.io.ModelArtifacts;
  const json = {
    format: "layers-model",
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: "cacto-wasm",
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: ["weights.bin"], weights: a.weightSpecs }],
    userDefinedMetadata: metadata,
  };
  writeAtomic(path.join(dir, "weights.bin"), concat(a.weightData as ArrayBuffer | ArrayBuffer[]));
  writeAtomic(path.join(dir, "model.json"), JSON.stringify(json));
}

/** load dir/model.json + its weights in Node (registers the critic's custom layer first) */
export async function loadLayersModelFromDir(dir: string): Promise<tf.LayersModel> {
  registerCactoLayers();
  const json = JSON.parse(readFileSync(path.join(dir, "model.json"), "utf8"));
  const manifest = json.weightsManifest as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  const buffers = manifest.flatMap((g) => g.paths.map((p) => readFileSync(path.join(dir, p))));
  const data = concat(buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer));
  return tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: manifest.flatMap((g) => g.weights),
    weightData: data.buffer as ArrayBuffer,
  }));
}

/** write the actor and the critic next to a checkpoint: runDir/actor/, runDir/critic/ */
export async function exportNetworks(ac: ActorCritic, spec: Spec, runDir: string, meta: Record<string, unknown> = {}): Promise<{ actor: string; critic: string }> {
  const input = `[x_0..x_${spec.nx - 1}, k]: raw state and integer time step k in 0..${spec.nsteps} (normalisation folded into the first layer)`;
  const actor = actorLayersModel(ac, spec);
  const critic = criticLayersModel(ac, spec);
  try {
    const a = path.join(runDir, "actor"), c = path.join(runDir, "critic");
    await saveLayersModel(actor, a, { ...meta, system: spec.name, role: "actor", input, output: `controls u (${spec.nu})` });
    await saveLayersModel(critic, c, { ...meta, system: spec.name, role: "critic", input, output: "value V(x, k) (cost-to-go)", customLayers: ["CactoSine (sin(w0 x); registerCactoLayers() from cacto-wasm/learn)"] });
    return { actor: a, critic: c };
  } finally {
    actor.dispose();
    critic.dispose();
  }
}
