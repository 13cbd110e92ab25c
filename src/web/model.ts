/**
 * A compact model file for the web page: the actor and critic weights of a CACTO checkpoint as
 * base64 float32 (bit-exact: the networks are float32), the training config and metrics, and nothing
 * else (no replay buffer, no Adam moments, no target critic). `modelToCheckpoint` expands it back into
 * a CheckpointData that `CactoTrainer.fromCheckpoint` accepts: target critic = critic, Adam moments
 * zero, an empty buffer. Works in Node and in browsers (btoa/atob, no Buffer).
 */
import type { CheckpointData, LoopMetrics } from "../cacto/trainer.js";
import type { CactoConfig } from "../cacto/presets.js";
import type { ActorCriticConfig, AdamConfig, AdamData, TensorData } from "../rl/networks.js";
import { unpackCheckpoint } from "../cacto/packed.js";

export interface PackedTensor {
  shape: number[];
  /** little-endian float32 values, base64 */
  f32: string;
}

export interface WebModel {
  format: "cacto-web-model";
  version: 1;
  /** how the model was produced */
  note: string;
  config: CactoConfig;
  seed: number;
  /** loops completed when it was packed */
  loop: number;
  updates: number;
  rng: number[];
  learner: ActorCriticConfig;
  actorOpt: AdamConfig;
  criticOpt: AdamConfig;
  actor: PackedTensor[];
  critic: PackedTensor[];
  metrics: LoopMetrics[];
}

function toBase64(bytes: Uint8Array): string {
  let s = "";
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) s += String.fromCharCode(...bytes.subarray(i, i + step));
  return btoa(s);
}

function fromBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

const littleEndian = new Uint8Array(new Float32Array([1]).buffer)[3] === 0x3f;

export function packTensor(t: TensorData): PackedTensor {
  if (!littleEndian) throw new Error("packTensor: big-endian hosts are not supported");
  const f = Float32Array.from(t.data);
  return { shape: t.shape.slice(), f32: toBase64(new Uint8Array(f.buffer)) };
}

export function unpackTensor(p: PackedTensor): TensorData {
  if (!littleEndian) throw new Error("unpackTensor: big-endian hosts are not supported");
  const bytes = fromBase64(p.f32);
  const size = p.shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== 4 * size) throw new RangeError(`model tensor: ${bytes.length} bytes for shape [${p.shape}]`);
  return { shape: p.shape.slice(), data: Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, size)) };
}

function adamConfig(d: AdamData): AdamConfig {
  return { lr: d.lr, beta1: d.beta1, beta2: d.beta2, epsilon: d.epsilon };
}

/** the compact model of a checkpoint */
export function packModel(ck: CheckpointData, note = ""): WebModel {
  if (ck?.format !== "cacto-checkpoint") throw new RangeError("packModel: not a cacto checkpoint");
  return {
    format: "cacto-web-model", version: 1, note,
    config: ck.config, seed: ck.seed, loop: ck.loop, updates: ck.updates, rng: ck.rng.slice(),
    learner: ck.learner.config,
    actorOpt: adamConfig(ck.learner.actorOpt), criticOpt: adamConfig(ck.learner.criticOpt),
    actor: ck.learner.actor.map(packTensor),
    critic: ck.learner.critic.map(packTensor),
    metrics: ck.metrics,
  };
}

function zeroState(cfg: AdamConfig, tensors: TensorData[]): AdamData {
  const zeros = () => tensors.map((t) => ({ shape: t.shape.slice(), data: new Array<number>(t.data.length).fill(0) }));
  return { ...cfg, t: 0, m: zeros(), v: zeros() };
}

/** a checkpoint from a compact model: target critic = critic, fresh Adam state, empty replay buffer */
export function modelToCheckpoint(m: WebModel): CheckpointData {
  if (m?.format !== "cacto-web-model" || m.version !== 1) {
    throw new RangeError(`model: got format ${JSON.stringify(m?.format)} version ${m?.version}, expected "cacto-web-model" version 1`);
  }
  const actor = m.actor.map(unpackTensor);
  const critic = m.critic.map(unpackTensor);
  return {
    format: "cacto-checkpoint", version: 1, config: m.config, seed: m.seed, loop: m.loop, updates: m.updates, rng: m.rng.slice(),
    learner: {
      format: "cacto-actor-critic", version: 1, config: m.learner,
      actor, critic, target: critic.map((t) => ({ shape: t.shape.slice(), data: t.data.slice() })),
      actorOpt: zeroState(m.actorOpt, actor), criticOpt: zeroState(m.criticOpt, critic),
    },
    buffer: {
      format: "cacto-replay-buffer", version: 1, nx: m.learner.nx, capacity: m.config.bufferCapacity,
      head: 0, count: 0, nextEpisode: 0, x: [], vx: [], cost: [], k: [], episode: [], index: [], length: [],
    },
    metrics: m.metrics,
  };
}

/** a checkpoint from either file kind (full checkpoint or compact model) */
export function asCheckpoint(data: unknown): CheckpointData {
  const d = data as { format?: string };
  if (d?.format === "cacto-checkpoint") return unpackCheckpoint(data);
  if (d?.format === "cacto-web-model") return modelToCheckpoint(data as WebModel);
  throw new RangeError(`expected a cacto checkpoint or a cacto web model, got format ${JSON.stringify(d?.format)}`);
}
