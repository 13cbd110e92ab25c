/**
 * Plain model-free RL baseline of issue 4: TD3 (Fujimoto et al., ICML 2018), with a `ddpg` mode, on
 * the same systems, costs and actor as CACTO. No model derivatives and no TO: the agent learns from
 * transitions (s, u, c, s', done) of the batched environment (env.ts) only.
 *
 * The algorithm, per environment transition after `startSteps` uniform-random ones:
 *   u = pi(s) + N(0, (explNoise * umax)^2)            exploration (per control component)
 *   store (s, u, c, s', done) in a FIFO replay buffer; then `updatesPerStep` updates, each:
 *     a' = pi'(s') + clip(N(0, (targetNoise * umax)^2), +-noiseClip * umax)    target policy smoothing
 *     y  = costScale * c + gamma (1 - done) min(Q1'(s', a'), Q2'(s', a'))       clipped double Q
 *     critics: one Adam step each on mean (Q_i(s, u) - y)^2
 *     every policyDelay-th update: actor step minimising mean Q1(s, pi(s)); then soft updates
 *       theta' <- tau theta + (1 - tau) theta' of the actor and both critics
 * Cost convention: Q estimates the (scaled) cost-to-go; the actor minimises it.
 * `ddpg` mode: one critic (y = costScale c + gamma (1 - done) Q1'(s', pi'(s')), no smoothing noise),
 * actor and soft target updates after every critic step (the "OurDDPG" variant of the TD3 paper:
 * Gaussian exploration, same network sizes and learning rates as TD3 here).
 *
 * Choices (documented, configurable):
 * - The task is CACTO's: time-indexed episodes from (x0, k0) sampled like CACTO's TO problems, ending at
 *   k = nsteps with the terminal cost in the last transition, done = 1 there (a true terminal: time is
 *   part of the state), undiscounted by default (gamma = 1), exactly the TO objective.
 * - Actor: CACTO's (networks.ts Actor: LeakyReLU(0.3) MLP, linear output, sizes of the CACTO preset).
 *   Critics: ReLU MLP 256-256 on [s, u/umax] (qcritic.ts), TD3's standard critic.
 * - Controls are not clipped (soft bounds, as the reference); `clipActions: true` clips the executed
 *   and the smoothed target controls to +-umax as in the TD3 paper.
 * - Actor output: the tanh * umax variant of CACTO's actor by default. With the linear output the
 *   model-free actor runs away (measured, single_integrator quick: |u| >> umax where the learned Q
 *   extrapolates, rollout cost ~3e5 after 8000 transitions); CACTO's linear actor is held in check by
 *   the model gradient through the (u/umax)^10 soft bound, which a learned Q does not see.
 * - costScale: 0.01 on the systems with the 1e-5-scaled weights (Q targets O(1-50) instead of
 *   thousands inside obstacles), 1 on toy1d.
 * - Measured (single_integrator, quick, 2 busy cores, seed 1): 12000 transitions, 5504 updates, 60 s;
 *   at the 9 evaluation states: actor alone mean 139.8; TO (maxIter 100) warm-started by the TD3
 *   actor mean -47.6, reach 56% (TO from zeros -41.2, 44%; CACTO quick: -83.8, 100%). Seed 2: TO
 *   from the actor -40.5 (44%). DDPG mode, seed 1: 41 s, -56.4 (67%).
 * - Every random draw (weights: actor, Q1, Q2; env resets; exploration; minibatches; target noise)
 *   comes from one seeded Rng in a fixed order, so a seed fixes the run, and serialize()/fromData()
 *   restore it bit for bit (networks, targets, Adam moments, replay buffer, env state, RNG state).
 */
import * as tf from "@tensorflow/tfjs";
import { Engine } from "../wasm/engine.js";
import { ModelEvaluator } from "../to/model.js";
import { SYSTEMS, type SystemSpec } from "../systems/specs.js";
import type { SystemName } from "../systems/layout.js";
import { Rng } from "../rng.js";
import { initTf } from "../rl/backend.js";
import { Actor, Adam, softUpdate, type AdamData, type TensorData } from "../rl/networks.js";
import { QCritic } from "../rl/qcritic.js";
import { normaliseStates } from "../rl/normalise.js";
import { rolloutPolicy, rolloutCosts, type RolloutStart, type PolicyRollout } from "../rl/rollout.js";
import { BatchedEnv, type EnvState, type FinishedEpisode } from "./env.js";

export type Td3Mode = "td3" | "ddpg";
export type Td3PresetName = "quick" | "reference";

/** A TD3 / DDPG run's settings (`td3Preset` makes one; `checkTd3Config` names the first bad field). */
export interface Td3Config {
  system: SystemName;
  preset: Td3PresetName | "custom";
  mode: Td3Mode;
  /** parallel environments */
  envs: number;
  /** suggested training length in transitions (runAll); runSteps takes its own count */
  totalSteps: number;
  /** transitions with uniform random controls in +-umax before the actor acts */
  startSteps: number;
  /** transitions collected before the first update */
  updateAfter: number;
  /** gradient updates per collected transition (fractions accumulate) */
  updatesPerStep: number;
  batchSize: number;
  bufferCapacity: number;
  gamma: number;
  tau: number;
  actorLr: number;
  criticLr: number;
  actorHidden: number[];
  actorAlpha: number;
  actorOutput: "linear" | "tanh";
  criticHidden: number[];
  /** exploration noise std, as a fraction of umax */
  explNoise: number;
  /** target policy smoothing noise std and clip, fractions of umax (td3 mode) */
  targetNoise: number;
  noiseClip: number;
  /** actor and target updates every policyDelay critic updates (td3 mode; ddpg: 1) */
  policyDelay: number;
  clipActions: boolean;
  /** sample the start step k0 like CACTO (true) or always start at k0 = 0 */
  randomStartStep: boolean;
  /** costs are multiplied by this before entering the critics (Q is in scaled units) */
  costScale: number;
  /** evaluate the deterministic actor at the evaluation states every this many transitions (0: never) */
  evalEvery: number;
}

/** throws a RangeError naming the first bad field of a TD3/DDPG config */
export function checkTd3Config(c: Td3Config): void {
  if (typeof c !== "object" || c === null) throw new TypeError(`td3: config: got ${String(c)}, expected an object`);
  const bad = (key: string, expected: string): never => {
    throw new RangeError(`td3: ${key} = ${JSON.stringify((c as unknown as Record<string, unknown>)[key])}, expected ${expected}`);
  };
  if (!(c.system in SYSTEMS)) bad("system", `one of ${Object.keys(SYSTEMS).join(", ")}`);
  if (c.mode !== "td3" && c.mode !== "ddpg") bad("mode", '"td3" or "ddpg"');
  for (const key of ["envs", "batchSize", "bufferCapacity", "policyDelay"] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 1) bad(key, "an integer >= 1");
  }
  for (const key of ["totalSteps", "startSteps", "updateAfter", "evalEvery"] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 0) bad(key, "an integer >= 0");
  }
  const num = (key: keyof Td3Config, ok: (v: number) => boolean, expected: string) => {
    const v = c[key];
    if (typeof v !== "number" || !Number.isFinite(v) || !ok(v)) bad(key, expected);
  };
  num("gamma", (v) => v > 0 && v <= 1, "a number in (0, 1]");
  num("tau", (v) => v > 0 && v <= 1, "a number in (0, 1]");
  num("actorLr", (v) => v > 0, "a finite number > 0");
  num("criticLr", (v) => v > 0, "a finite number > 0");
  num("updatesPerStep", (v) => v >= 0, "a finite number >= 0");
  num("costScale", (v) => v > 0, "a finite number > 0");
  num("actorAlpha", (v) => v >= 0 && v <= 1, "a number in [0, 1]");
  for (const key of ["explNoise", "targetNoise", "noiseClip"] as const) num(key, (v) => v >= 0, "a finite number >= 0");
  for (const key of ["actorHidden", "criticHidden"] as const) {
    const h = c[key];
    if (!Array.isArray(h) || h.length === 0 || h.some((n) => !Number.isInteger(n) || n < 1)) bad(key, "a non-empty array of positive integers");
  }
  if (c.actorOutput !== "linear" && c.actorOutput !== "tanh") bad("actorOutput", '"linear" or "tanh"');
  for (const key of ["clipActions", "randomStartStep"] as const) if (typeof c[key] !== "boolean") bad(key, "a boolean");
}

/** the CACTO preset's actor sizes, per system and preset */
function cactoActorHidden(system: SystemName, name: Td3PresetName): number[] {
  if (name === "reference") return [256, 256];
  return system === "toy1d" ? [32, 32] : [64, 64];
}

/**
 * Presets. `reference`: the TD3 paper's hyper-parameters (batch 256, lr 3e-4, tau 5e-3, noise 0.1,
 * smoothing 0.2 clipped at 0.5, delay 2, 25k random steps, one update per transition, 1e6 buffer)
 * with CACTO's actor (256-256) and 10^6 transitions. `quick`: the same algorithm scaled down to run in
 * about 1-2 minutes on 2 cores (batch 128, lr 1e-3, tau 1e-2, 8 envs, one update per 2 transitions).
 */
export function td3Preset(system: SystemName, name: Td3PresetName = "quick", mode: Td3Mode = "td3"): Td3Config {
  const spec = SYSTEMS[system];
  if (!spec) throw new RangeError(`td3Preset: system = ${JSON.stringify(system)}, expected one of ${Object.keys(SYSTEMS).join(", ")}`);
  if (mode !== "td3" && mode !== "ddpg") throw new RangeError(`td3Preset: mode = ${JSON.stringify(mode)}, expected "td3" or "ddpg"`);
  const ddpg = mode === "ddpg";
  const common = {
    system, mode, actorAlpha: 0.3, actorOutput: "tanh" as const, criticHidden: [256, 256],
    costScale: system === "toy1d" ? 1 : 0.01,
    explNoise: 0.1, targetNoise: ddpg ? 0 : 0.2, noiseClip: ddpg ? 0 : 0.5, policyDelay: ddpg ? 1 : 2,
    gamma: 1, clipActions: false, randomStartStep: true, actorHidden: cactoActorHidden(system, name),
  };
  if (name === "reference") {
    return {
      ...common, preset: name, envs: 1, totalSteps: 1_000_000, startSteps: 25_000, updateAfter: 25_000,
      updatesPerStep: 1, batchSize: 256, bufferCapacity: 1_000_000, tau: 5e-3, actorLr: 3e-4, criticLr: 3e-4,
      evalEvery: 20 * spec.nsteps * 10,
    };
  }
  if (name === "quick") {
    const toy = system === "toy1d";
    return {
      ...common, preset: name, envs: 8, totalSteps: toy ? 4000 : 12_000, startSteps: toy ? 400 : 2000,
      updateAfter: toy ? 256 : 1000, updatesPerStep: 0.5, batchSize: 128, bufferCapacity: 1 << 17,
      tau: 1e-2, actorLr: 1e-3, criticLr: 1e-3, evalEvery: toy ? 1000 : 2000,
    };
  }
  throw new RangeError(`td3Preset: got ${JSON.stringify(name)}, expected "quick" or "reference"`);
}

// ---------------------------------------------------------------------------------------------
// replay buffer of transitions

/** a batch of transitions as plain rows (s, s2: nb*(nx+1) normalised; u: nb*nu; c, done: nb) */
export interface Transitions {
  s: Float32Array;
  u: Float32Array;
  c: Float32Array;
  s2: Float32Array;
  done: Float32Array;
}

export interface TransitionBufferData {
  capacity: number;
  nIn: number;
  nu: number;
  size: number;
  next: number;
  s: number[];
  u: number[];
  c: number[];
  s2: number[];
  done: number[];
}

/** FIFO replay of transitions, float32 rows */
export class TransitionBuffer {
  readonly s: Float32Array;
  readonly u: Float32Array;
  readonly c: Float32Array;
  readonly s2: Float32Array;
  readonly done: Float32Array;
  size = 0;
  next = 0;

  constructor(readonly capacity: number, readonly nIn: number, readonly nu: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`buffer capacity: got ${capacity}, expected an integer >= 1`);
    this.s = new Float32Array(capacity * nIn);
    this.u = new Float32Array(capacity * nu);
    this.c = new Float32Array(capacity);
    this.s2 = new Float32Array(capacity * nIn);
    this.done = new Float32Array(capacity);
  }

  /** add nb transitions (rows as in Transitions; c may be float64) */
  add(s: ArrayLike<number>, u: ArrayLike<number>, c: ArrayLike<number>, s2: ArrayLike<number>, done: ArrayLike<number>): void {
    const { nIn, nu } = this;
    for (let i = 0; i < c.length; i++) {
      const r = this.next;
      for (let j = 0; j < nIn; j++) { this.s[r * nIn + j] = s[i * nIn + j]; this.s2[r * nIn + j] = s2[i * nIn + j]; }
      for (let j = 0; j < nu; j++) this.u[r * nu + j] = u[i * nu + j];
      this.c[r] = c[i];
      this.done[r] = done[i] ? 1 : 0;
      this.next = (r + 1) % this.capacity;
      if (this.size < this.capacity) this.size++;
    }
  }

  /** nb rows drawn uniformly with replacement */
  sample(nb: number, rng: Rng): Transitions {
    if (this.size === 0) throw new Error("sample: the buffer is empty");
    const { nIn, nu } = this;
    const out: Transitions = {
      s: new Float32Array(nb * nIn), u: new Float32Array(nb * nu), c: new Float32Array(nb),
      s2: new Float32Array(nb * nIn), done: new Float32Array(nb),
    };
    for (let i = 0; i < nb; i++) {
      const r = rng.int(0, this.size - 1);
      out.s.set(this.s.subarray(r * nIn, (r + 1) * nIn), i * nIn);
      out.s2.set(this.s2.subarray(r * nIn, (r + 1) * nIn), i * nIn);
      out.u.set(this.u.subarray(r * nu, (r + 1) * nu), i * nu);
      out.c[i] = this.c[r];
      out.done[i] = this.done[r];
    }
    return out;
  }

  serialize(): TransitionBufferData {
    const n = this.size;
    const { nIn, nu } = this;
    return {
      capacity: this.capacity, nIn, nu, size: n, next: this.next,
      s: Array.from(this.s.subarray(0, n * nIn)), u: Array.from(this.u.subarray(0, n * nu)), c: Array.from(this.c.subarray(0, n)),
      s2: Array.from(this.s2.subarray(0, n * nIn)), done: Array.from(this.done.subarray(0, n)),
    };
  }

  static deserialize(d: TransitionBufferData): TransitionBuffer {
    const b = new TransitionBuffer(d.capacity, d.nIn, d.nu);
    if (d.size > d.capacity || d.c.length !== d.size || d.s.length !== d.size * d.nIn) throw new RangeError("transition buffer: inconsistent sizes");
    b.s.set(d.s); b.u.set(d.u); b.c.set(d.c); b.s2.set(d.s2); b.done.set(d.done);
    b.size = d.size;
    b.next = d.next;
    return b;
  }
}

// ---------------------------------------------------------------------------------------------
// trainer

export interface Td3Metrics {
  /** transitions collected so far */
  steps: number;
  updates: number;
  /** training episodes finished so far */
  episodes: number;
  /** mean total cost of the training episodes finished since the previous record (with noise, random k0) */
  meanEpisodeCost: number;
  /** mean cost of the deterministic actor's rollouts from the evaluation states (k0 = 0) */
  evalCost: number;
  criticLoss: number;
  actorLoss: number;
  /** training wall time so far (evaluations excluded) */
  wallSeconds: number;
}

export interface Td3Progress {
  steps: number;
  target: number;
  updates: number;
  metrics?: Td3Metrics;
}

export interface Td3Data {
  format: "cacto-td3";
  version: 1;
  config: Td3Config;
  seed: number;
  steps: number;
  updates: number;
  episodes: number;
  /** fractional updates owed */
  owed: number;
  /** transitions at which the next metrics record is due (-1: never) */
  nextEval: number;
  wallSeconds: number;
  recent: { sum: number; n: number };
  last: { critic: number; actor: number };
  rng: number[];
  actor: TensorData[];
  actorTarget: TensorData[];
  q1: TensorData[];
  q2: TensorData[];
  q1Target: TensorData[];
  q2Target: TensorData[];
  actorOpt: AdamData;
  q1Opt: AdamData;
  /** null in ddpg mode (q2, q2Target: empty lists) */
  q2Opt: AdamData | null;
  buffer: TransitionBufferData;
  env: EnvState;
  metrics: Td3Metrics[];
}

/** The TD3 / DDPG model-free baseline; make one with `create()` or `fromData()`. */
export class Td3Trainer {
  readonly config: Td3Config;
  readonly spec: SystemSpec;
  readonly seed: number;
  readonly rng: Rng;
  readonly actor: Actor;
  readonly actorTarget: Actor;
  readonly q1: QCritic;
  readonly q2: QCritic | null;
  readonly q1Target: QCritic;
  readonly q2Target: QCritic | null;
  readonly actorOpt: Adam;
  readonly q1Opt: Adam;
  readonly q2Opt: Adam | null;
  readonly buffer: TransitionBuffer;
  readonly env: BatchedEnv;
  readonly model: ModelEvaluator;
  readonly metrics: Td3Metrics[] = [];
  steps = 0;
  updates = 0;
  episodes = 0;
  private owed = 0;
  private nextEval: number;
  private wallSeconds = 0;
  private recent = { sum: 0, n: 0 };
  private last = { critic: NaN, actor: NaN };
  private readonly umaxT: tf.Tensor2D;

  /** rng null: zero weights, no draws (restoring) */
  private constructor(config: Td3Config, seed: number, rng: Rng, init: boolean, model: ModelEvaluator) {
    const spec = SYSTEMS[config.system];
    if (!spec) throw new RangeError(`td3: unknown system ${JSON.stringify(config.system)}`);
    if (config.mode !== "td3" && config.mode !== "ddpg") throw new RangeError(`td3: mode ${JSON.stringify(config.mode)}, expected "td3" or "ddpg"`);
    checkTd3Config(config);
    if (!Number.isInteger(seed)) throw new RangeError(`td3: seed = ${JSON.stringify(seed)}, expected an integer`);
    this.config = structuredClone(config);
    this.spec = spec;
    this.seed = seed;
    this.rng = rng;
    this.model = model;
    const nIn = spec.nx + 1;
    const r = init ? rng : null;
    this.actor = new Actor({
      nIn, nu: spec.nu, hidden: config.actorHidden, alpha: config.actorAlpha, output: config.actorOutput, umax: spec.umax.slice(),
    }, r);
    const qc = { nIn, nu: spec.nu, umax: spec.umax.slice(), hidden: config.criticHidden };
    this.q1 = new QCritic(qc, r);
    this.q2 = config.mode === "td3" ? new QCritic(qc, r) : null;
    this.actorTarget = new Actor(this.actor.config, null);
    this.actorTarget.copyFrom(this.actor);
    this.q1Target = new QCritic(qc, null);
    this.q1Target.copyFrom(this.q1);
    if (this.q2) {
      this.q2Target = new QCritic(qc, null);
      this.q2Target.copyFrom(this.q2);
    } else {
      this.q2Target = null;
    }
    this.actorOpt = new Adam(this.actor.variables(), { lr: config.actorLr });
    this.q1Opt = new Adam(this.q1.variables(), { lr: config.criticLr });
    this.q2Opt = this.q2 ? new Adam(this.q2.variables(), { lr: config.criticLr }) : null;
    this.buffer = new TransitionBuffer(config.bufferCapacity, nIn, spec.nu);
    // env resets draw from rng after the weights (a restore overwrites the env state)
    this.env = new BatchedEnv(model, rng, { envs: config.envs, clipActions: config.clipActions, randomStartStep: config.randomStartStep });
    this.umaxT = tf.keep(tf.tensor2d(spec.umax, [1, spec.nu]));
    this.nextEval = config.evalEvery > 0 ? config.evalEvery : Infinity;
  }

  /**
   * A new trainer. `config`: a preset name (default "quick") or a full config (its system must be
   * `system`). The tf backend (wasm) and an engine instance are set up here.
   */
  static async create(system: SystemName, config: Td3Config | Td3PresetName = "quick", seed = 1): Promise<Td3Trainer> {
    const cfg = typeof config === "string" ? td3Preset(system, config) : config;
    checkTd3Config(cfg);
    if (cfg.system !== system) throw new RangeError(`td3: the config is for ${cfg.system}, not ${system}`);
    await initTf("wasm");
    const engine = await Engine.create();
    return new Td3Trainer(cfg, seed, new Rng(seed), true, new ModelEvaluator(engine, SYSTEMS[system]));
  }

  /** a trainer restored from serialize() (no random draws) */
  static async fromData(d: Td3Data): Promise<Td3Trainer> {
    if (d?.format !== "cacto-td3" || d.version !== 1) {
      throw new RangeError(`td3 checkpoint: got format ${JSON.stringify(d?.format)} version ${d?.version}, expected "cacto-td3" version 1`);
    }
    await initTf("wasm");
    const engine = await Engine.create();
    const rng = new Rng(0);
    const t = new Td3Trainer(d.config, d.seed, rng, false, new ModelEvaluator(engine, SYSTEMS[d.config.system]));
    t.actor.setWeights(d.actor);
    t.actorTarget.setWeights(d.actorTarget);
    t.q1.setWeights(d.q1);
    t.q1Target.setWeights(d.q1Target);
    if (t.q2 && t.q2Target && t.q2Opt && d.q2Opt) {
      t.q2.setWeights(d.q2);
      t.q2Target.setWeights(d.q2Target);
      t.q2Opt.setState(d.q2Opt);
    }
    t.actorOpt.setState(d.actorOpt);
    t.q1Opt.setState(d.q1Opt);
    const b = TransitionBuffer.deserialize(d.buffer);
    t.buffer.s.set(b.s); t.buffer.u.set(b.u); t.buffer.c.set(b.c); t.buffer.s2.set(b.s2); t.buffer.done.set(b.done);
    t.buffer.size = b.size; t.buffer.next = b.next;
    t.env.setState(d.env);
    rng.setState(d.rng);
    t.steps = d.steps; t.updates = d.updates; t.episodes = d.episodes; t.owed = d.owed;
    t.nextEval = d.nextEval >= 0 ? d.nextEval : Infinity; t.wallSeconds = d.wallSeconds;
    t.recent = { ...d.recent }; t.last = { ...d.last };
    t.metrics.push(...d.metrics.map((m) => ({ ...m })));
    return t;
  }

  /** the whole state (networks, targets, Adam moments, buffer, env, RNG, counters, metrics) for `fromData` */
  serialize(): Td3Data {
    const none: TensorData[] = [];
    return {
      format: "cacto-td3", version: 1, config: structuredClone(this.config), seed: this.seed,
      steps: this.steps, updates: this.updates, episodes: this.episodes, owed: this.owed,
      nextEval: Number.isFinite(this.nextEval) ? this.nextEval : -1,
      wallSeconds: this.wallSeconds, recent: { ...this.recent }, last: { ...this.last },
      rng: this.rng.getState(),
      actor: this.actor.getWeights(), actorTarget: this.actorTarget.getWeights(),
      q1: this.q1.getWeights(), q2: this.q2?.getWeights() ?? none,
      q1Target: this.q1Target.getWeights(), q2Target: this.q2Target?.getWeights() ?? none,
      actorOpt: this.actorOpt.getState(), q1Opt: this.q1Opt.getState(),
      q2Opt: this.q2Opt?.getState() ?? null,
      buffer: this.buffer.serialize(), env: this.env.getState(), metrics: this.metrics.map((m) => ({ ...m })),
    };
  }

  get nIn(): number {
    return this.spec.nx + 1;
  }

  // ------------------------------------------------------------------ networks on plain rows

  /** pi(s) of the actor (or its target) for rows of normalised states: nb*nu */
  act(states: Float32Array, which: "actor" | "target" = "actor"): Float32Array {
    const nb = states.length / this.nIn;
    const net = which === "target" ? this.actorTarget : this.actor;
    return tf.tidy(() => net.forward(tf.tensor2d(states, [nb, this.nIn])).dataSync() as Float32Array);
  }

  /** Q of one of the four critics for rows (s, u): nb values (in scaled cost units) */
  qValues(which: "q1" | "q2" | "q1Target" | "q2Target", states: Float32Array, controls: ArrayLike<number>): Float32Array {
    const net = this[which];
    if (!net) throw new RangeError(`qValues: ${which} does not exist in ${this.config.mode} mode`);
    return net.values(states, controls);
  }

  /** target-policy smoothing noise (nb*nu): clip(N(0, (targetNoise umax)^2), +-noiseClip umax); zeros in ddpg mode */
  drawTargetNoise(nb: number): Float32Array {
    const { nu, umax } = this.spec;
    const { targetNoise, noiseClip, mode } = this.config;
    const out = new Float32Array(nb * nu);
    if (mode === "ddpg" || targetNoise <= 0) return out;
    for (let i = 0; i < nb * nu; i++) {
      const m = umax[i % nu];
      out[i] = Math.min(noiseClip * m, Math.max(-noiseClip * m, this.rng.normal() * targetNoise * m));
    }
    return out;
  }

  /** the smoothed target control a' = pi'(s') + noise (clipped to +-umax with clipActions) as a tensor */
  private targetAction(s2: tf.Tensor2D, noise: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let a = tf.add(this.actorTarget.forward(s2), noise) as tf.Tensor2D;
      if (this.config.clipActions) a = tf.minimum(tf.maximum(a, tf.neg(this.umaxT)), this.umaxT) as tf.Tensor2D;
      return a;
    });
  }

  private targetTensor(s2: tf.Tensor2D, c: tf.Tensor2D, done: tf.Tensor2D, noise: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const a2 = this.targetAction(s2, noise);
      let q = this.q1Target.forward(s2, a2);
      if (this.q2Target) q = tf.minimum(q, this.q2Target.forward(s2, a2)) as tf.Tensor2D;
      const boot = tf.mul(tf.mul(tf.sub(1, done), this.config.gamma), q);
      return tf.add(tf.mul(c, this.config.costScale), boot) as tf.Tensor2D;
    });
  }

  /**
   * The critics' regression targets y for a batch (nb): costScale c + gamma (1 - done) min_i Q_i'(s', a')
   * with a' = pi'(s') + noise; noise (nb*nu) defaults to fresh target-policy smoothing noise.
   */
  targets(b: Transitions, noise?: Float32Array): Float32Array {
    const nb = b.c.length;
    const nz = noise ?? this.drawTargetNoise(nb);
    return tf.tidy(() => this.targetTensor(
      tf.tensor2d(b.s2, [nb, this.nIn]), tf.tensor2d(b.c, [nb, 1]), tf.tensor2d(b.done, [nb, 1]), tf.tensor2d(nz, [nb, this.spec.nu]),
    ).dataSync() as Float32Array);
  }

  /**
   * One TD3 (or DDPG) update on a batch: critic step(s) towards the targets; on every policyDelay-th
   * update an actor step on mean Q1(s, pi(s)) and soft target updates. `noise` fixes the target
   * smoothing noise (tests). Returns the critic loss (sum over critics) before the step, and the actor
   * loss (mean Q1, scaled units) when the actor moved.
   */
  update(b: Transitions, noise?: Float32Array): { critic: number; actor: number | null } {
    const nb = b.c.length;
    const { nu } = this.spec;
    const nz = noise ?? this.drawTargetNoise(nb);
    const critic = tf.tidy(() => {
      const s = tf.tensor2d(b.s, [nb, this.nIn]);
      const u = tf.tensor2d(b.u, [nb, nu]);
      const y = this.targetTensor(tf.tensor2d(b.s2, [nb, this.nIn]), tf.tensor2d(b.c, [nb, 1]), tf.tensor2d(b.done, [nb, 1]), tf.tensor2d(nz, [nb, nu]));
      const v1 = this.q1.variables();
      const v2 = this.q2?.variables() ?? [];
      const { value, grads } = tf.variableGrads(() => {
        let loss = tf.mean(tf.square(tf.sub(this.q1.forward(s, u), y)));
        if (this.q2) loss = tf.add(loss, tf.mean(tf.square(tf.sub(this.q2.forward(s, u), y))));
        return loss as tf.Scalar;
      }, [...v1, ...v2]);
      this.q1Opt.apply(v1.map((x) => grads[x.name]));
      if (this.q2Opt) this.q2Opt.apply(v2.map((x) => grads[x.name]));
      return value.dataSync()[0];
    });
    this.updates++;
    let actor: number | null = null;
    const delay = this.config.mode === "ddpg" ? 1 : this.config.policyDelay;
    if (this.updates % delay === 0) {
      actor = tf.tidy(() => {
        const s = tf.tensor2d(b.s, [nb, this.nIn]);
        const vars = this.actor.variables();
        const { value, grads } = tf.variableGrads(() => tf.mean(this.q1.forward(s, this.actor.forward(s))) as tf.Scalar, vars);
        this.actorOpt.apply(vars.map((x) => grads[x.name]));
        return value.dataSync()[0];
      });
      const tau = this.config.tau;
      softUpdate(this.actorTarget, this.actor, tau);
      softUpdate(this.q1Target, this.q1, tau);
      if (this.q2Target && this.q2) softUpdate(this.q2Target, this.q2, tau);
    }
    if (!Number.isFinite(critic) || (actor !== null && !Number.isFinite(actor))) {
      throw new Error(`td3: non-finite loss at update ${this.updates} (critic ${critic}, actor ${actor}); the run diverged`);
    }
    this.last.critic = critic;
    if (actor !== null) this.last.actor = actor;
    return { critic, actor };
  }

  // ------------------------------------------------------------------ interaction

  /** exploration controls for the current observations (E*nu) */
  private explore(obs: Float32Array): Float64Array {
    const { nu, umax } = this.spec;
    const E = this.config.envs;
    const u = new Float64Array(E * nu);
    if (this.steps < this.config.startSteps) {
      for (let i = 0; i < E * nu; i++) { const m = umax[i % nu]; u[i] = this.rng.uniform(-m, m); }
      return u;
    }
    const a = this.act(obs);
    for (let i = 0; i < E * nu; i++) {
      if (!Number.isFinite(a[i])) throw new Error(`td3: the actor produced a non-finite control at step ${this.steps}; the run diverged`);
      u[i] = a[i] + this.rng.normal() * this.config.explNoise * umax[i % nu];
    }
    return u;
  }

  /**
   * Collect n more transitions (rounded up to a multiple of envs), with the updates they owe.
   * onProgress is called after each metrics record and at the end.
   */
  runSteps(n: number, onProgress?: (p: Td3Progress) => void): Td3Metrics[] {
    const E = this.config.envs;
    const vsteps = Math.ceil(n / E);
    const target = this.steps + vsteps * E;
    const out: Td3Metrics[] = [];
    let t0 = performance.now();
    for (let v = 0; v < vsteps; v++) {
      const obs = this.env.observe();
      const u = this.explore(obs);
      const st = this.env.step(u);
      this.buffer.add(st.obs, st.u, st.cost, st.nextObs, st.done);
      this.steps += E;
      this.noteEpisodes(st.finished);
      if (this.steps >= this.config.updateAfter) {
        this.owed += E * this.config.updatesPerStep;
        while (this.owed >= 1) {
          this.update(this.buffer.sample(this.config.batchSize, this.rng));
          this.owed -= 1;
        }
      }
      if (this.steps >= this.nextEval) {
        this.wallSeconds += (performance.now() - t0) / 1000;
        const m = this.record();
        out.push(m);
        onProgress?.({ steps: this.steps, target, updates: this.updates, metrics: m });
        while (this.nextEval <= this.steps) this.nextEval += this.config.evalEvery;
        t0 = performance.now();
      }
    }
    this.wallSeconds += (performance.now() - t0) / 1000;
    onProgress?.({ steps: this.steps, target, updates: this.updates });
    return out;
  }

  /** run to config.totalSteps */
  runAll(onProgress?: (p: Td3Progress) => void): Td3Metrics[] {
    return this.runSteps(Math.max(0, this.config.totalSteps - this.steps), onProgress);
  }

  private noteEpisodes(f: FinishedEpisode[]): void {
    for (const e of f) { this.recent.sum += e.cost; this.recent.n++; this.episodes++; }
  }

  /** a metrics record now (evaluates the deterministic actor at the evaluation states) */
  record(): Td3Metrics {
    const evalCost = mean(this.rolloutCosts(this.spec.evalStates.map((x0) => ({ x0, k0: 0 }))));
    const m: Td3Metrics = {
      steps: this.steps, updates: this.updates, episodes: this.episodes,
      meanEpisodeCost: this.recent.n ? this.recent.sum / this.recent.n : NaN, evalCost,
      criticLoss: this.last.critic, actorLoss: this.last.actor, wallSeconds: this.wallSeconds,
    };
    this.recent = { sum: 0, n: 0 };
    this.metrics.push(m);
    return m;
  }

  /** training wall time so far, in seconds (metrics records excluded) */
  get trainSeconds(): number {
    return this.wallSeconds;
  }

  // ------------------------------------------------------------------ deterministic rollouts

  /**
   * Roll the deterministic actor (no noise) out from each (x0, k0) for nsteps - k0 steps, all starts
   * together (one network call per time step), dynamics in WASM. Same contract as
   * CactoTrainer.actorRollout: per start, the controls U (N*nu) and states X ((N+1)*nx); usable as TO
   * warm start { U }. Non-finite controls become 0; with clipActions the controls are clipped.
   */
  actorRollout(starts: RolloutStart[]): PolicyRollout[] {
    const { nu, umax } = this.spec;
    const clip = this.config.clipActions;
    return rolloutPolicy(this.spec, this.model, (s) => {
      const u = clip ? Float32Array.from(this.act(s)) : this.act(s);
      if (clip) for (let i = 0; i < u.length; i++) u[i] = Math.min(umax[i % nu], Math.max(-umax[i % nu], u[i]));
      return u;
    }, starts);
  }

  /** total cost (running + terminal, engine kernels) of the deterministic actor's rollout from each start */
  rolloutCosts(starts: RolloutStart[]): number[] {
    return rolloutCosts(this.model, this.actorRollout(starts));
  }

  /** free every network's and optimiser's tensors; the trainer cannot be used afterwards */
  dispose(): void {
    for (const n of [this.actor, this.actorTarget, this.q1, this.q2, this.q1Target, this.q2Target]) n?.dispose();
    for (const o of [this.actorOpt, this.q1Opt, this.q2Opt]) o?.dispose();
    this.umaxT.dispose();
  }
}

function mean(a: number[]): number {
  return a.length ? a.reduce((s, v) => s + v, 0) / a.length : NaN;
}
