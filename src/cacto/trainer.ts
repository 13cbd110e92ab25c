/**
 * The CACTO loop (cacto.md section 2), CACTO-SL when wS > 0:
 *   sample states -> warm start (actor rollout; zeros in loop 0) -> TO (engine, worker pool) ->
 *   buffer (every state, its cost, V_x) -> critic / actor / target updates -> next warm start.
 * Every random draw comes from one seeded Rng, so a seed fixes the run; the whole state can be saved
 * after any loop and restored bit for bit.
 */
import { sampleStarts, type Start } from "../systems/sampling.js";
import { Engine } from "../wasm/engine.js";
import { Solver } from "../to/solver.js";
import type { SolverPool } from "../to/pool.js";
import { ModelEvaluator } from "../to/model.js";
import type { Problem, SolveResult } from "../to/types.js";
import type { SystemSpec } from "../systems/specs.js";
import { Rng } from "../rng.js";
import { ActorCritic, createActorCritic, type ActorCriticData } from "../rl/networks.js";
import { ReplayBuffer, tdTargets, type ReplayBufferData } from "../rl/buffer.js";
import { normaliseStates, gradToState } from "../rl/normalise.js";
import { initTf } from "../rl/backend.js";
import { rolloutPolicy, type RolloutStart, type PolicyRollout } from "../rl/rollout.js";
import type { CactoConfig } from "./presets.js";
import { systemFingerprint, validateCheckpoint, validateConfig } from "./validate-checkpoint.js";
import { checkSystem } from "../to/validate.js";
import { normaliseOptions } from "../to/options.js";
import { costToGo, rSquared, saturationShare, slogSkill, MAX_ROWS, type LoopDiagnostics } from "./diagnostics.js";
import { actionGradient, actorUpdate } from "./actor-step.js";
import type { ActorThread } from "./actor-thread.js";
import { rolloutCosts } from "../rl/rollout.js";

const IS_NODE = typeof process !== "undefined" && !!process.versions?.node;

/** wall-clock ms per phase of `updateStep`, accumulated over calls (bench learn) */
export interface UpdatePhases {
  /** minibatch draw from the replay buffer and state normalisation */
  sample: number;
  /** the target critic's bootstrap values and the TD targets */
  targets: number;
  /** the critic's loss, gradient and Adam step (with the Sobolev term when wS > 0) */
  critic: number;
  /** the actor's forward pass, dQ/du (engine model terms and the critic's input gradient), Adam step */
  actor: number;
  /** the soft target-critic update */
  target: number;
}

/** What one CACTO loop did (`CactoTrainer.runLoop` returns it; `CactoTrainer.metrics` keeps them all). */
export interface LoopMetrics {
  loop: number;
  episodes: number;
  /** TO solves dropped (see `storableSolve`: non-finite or overflowing ones; with dropUnconverged also the unconverged) */
  failed: number;
  /** mean TO cost of the loop's episodes (kept ones) */
  meanToCost: number;
  meanToIterations: number;
  /** statuses of the loop's solves */
  statuses: Record<string, number>;
  updates: number;
  criticLoss: number;
  actorLoss: number;
  rolloutSeconds: number;
  toSeconds: number;
  updateSeconds: number;
  /** cumulative */
  totalEpisodes: number;
  totalUpdates: number;
  wallSeconds: number;
  bufferRows: number;
  /** held-out critic fit, solve shares, actor saturation (absent in checkpoints of older versions) */
  diagnostics?: LoopDiagnostics;
}

/** A report to runLoop's `onProgress` callback: the phase, and how far into it the loop is. */
export interface Progress {
  phase: "rollout" | "to" | "updates" | "done";
  loop: number;
  loops: number;
  /** within the phase */
  done: number;
  total: number;
  metrics?: LoopMetrics;
  criticLoss?: number;
  actorLoss?: number;
}

/** The whole training state as JSON-able data (`CactoTrainer.serialize`, `saveCheckpoint`). */
export interface CheckpointData {
  format: "cacto-checkpoint";
  version: 1;
  config: CactoConfig;
  seed: number;
  /** loops completed */
  loop: number;
  updates: number;
  rng: number[];
  learner: ActorCriticData;
  buffer: ReplayBufferData;
  metrics: LoopMetrics[];
  /** a user-defined system's model fingerprint (resuming checks it against the registered definition) */
  modelHash?: string;
}

/**
 * One seeded CACTO / CACTO-SL run; make one with `create()` or `fromCheckpoint()`, and end it with
 * `close()` and `dispose()`.
 */
export class CactoTrainer {
  readonly config: CactoConfig;
  readonly spec: SystemSpec;
  readonly seed: number;
  readonly learner: ActorCritic;
  readonly buffer: ReplayBuffer;
  readonly rng: Rng;
  readonly metrics: LoopMetrics[];
  /** loops completed */
  loop: number;
  updates: number;
  private engine: Engine;
  private solver: Solver;
  private model: ModelEvaluator;
  private pool: SolverPool | null = null;
  private actorThread: ActorThread | null = null;
  /** between beginUpdates and endUpdates with the actor thread: actor steps go to the thread */
  private pipelining = false;
  /** the update of the last actor step queued on the thread, and the update count when the phase began */
  private lastActorStep = -1;
  private phaseStart = 0;

  private constructor(config: CactoConfig, seed: number, learner: ActorCritic, buffer: ReplayBuffer, rng: Rng, engine: Engine) {
    this.config = config;
    this.spec = checkSystem(config.system);
    this.seed = seed;
    this.learner = learner;
    this.buffer = buffer;
    this.rng = rng;
    this.metrics = [];
    this.loop = 0;
    this.updates = 0;
    this.engine = engine;
    this.solver = new Solver(engine, this.spec);
    this.model = new ModelEvaluator(engine, this.spec);
  }

  /**
   * A fresh trainer: the config and seed are validated (the error names the bad field), the tf backend
   * and an engine are set up, and the networks' initial weights are drawn from Rng(seed).
   */
  static async create(config: CactoConfig, seed: number): Promise<CactoTrainer> {
    // validated at the boundary: a bad field fails here, not after a loop of TO
    validateConfig(config, "CactoTrainer.create");
    if (config.actorThread === true && !IS_NODE) {
      throw new RangeError("CactoTrainer.create: actorThread: got true, but the actor thread needs Node's worker_threads (leave it unset or false in browsers)");
    }
    if (typeof seed !== "number" || !Number.isInteger(seed) || seed < -2147483648 || seed > 4294967295) {
      throw new RangeError(`CactoTrainer.create: seed: got ${JSON.stringify(seed)}, expected an integer`);
    }
    const spec = checkSystem(config.system);
    normaliseOptions(config.to, spec.umax, spec.nx, spec.solverDefaults);
    const rng = new Rng(seed);
    const learner = await createActorCritic(spec, rng, {
      actorHidden: config.actorHidden, criticHidden: config.criticHidden, actorOutput: config.actorOutput ?? "linear",
      actorLr: config.actorLr, criticLr: config.criticLr, tau: config.tau,
    });
    return new CactoTrainer(config, seed, learner, new ReplayBuffer(spec.nx, config.bufferCapacity), rng, await Engine.create());
  }

  /**
   * Restore a trainer from `serialize()`'s data, validated first (a RangeError naming the bad field,
   * prefixed by `where`); training continues bit for bit.
   */
  static async fromCheckpoint(d: CheckpointData, where = "checkpoint"): Promise<CactoTrainer> {
    // every field checked against the checkpoint's config and system before anything is built
    validateCheckpoint(d, where);
    await initTf("wasm");
    const learner = ActorCritic.fromData(d.learner);
    const rng = new Rng(0);
    rng.setState(d.rng);
    const t = new CactoTrainer(d.config, d.seed, learner, ReplayBuffer.deserialize(d.buffer), rng, await Engine.create());
    t.loop = d.loop;
    t.updates = d.updates;
    t.metrics.push(...d.metrics);
    return t;
  }

  get loops(): number {
    return this.config.updateLoops.length;
  }

  get finished(): boolean {
    return this.loop >= this.loops;
  }

  /**
   * the whole training state, for `saveCheckpoint` / `fromCheckpoint` (its config and metrics are the
   * trainer's own objects, not copies)
   */
  serialize(): CheckpointData {
    if (this.pipelining) throw new Error("serialize: an update phase is running on the actor thread; call endUpdates() first");
    return {
      format: "cacto-checkpoint", version: 1, config: this.config, seed: this.seed, loop: this.loop, updates: this.updates,
      rng: this.rng.getState(), learner: this.learner.serialize(), buffer: this.buffer.serialize(), metrics: this.metrics,
      ...(this.spec.model ? { modelHash: systemFingerprint(this.spec)! } : {}),
    };
  }

  /** initial states and start steps of one loop (uniform over the system's ranges) */
  sampleStarts(count: number): Start[] {
    return sampleStarts(this.spec, this.rng, count);
  }

  /**
   * Roll the actor out from each (x0, k0) for its own horizon nsteps - k0, all problems together: one
   * network call per time step for the problems still running, dynamics stepped in WASM.
   * Returns the controls of each problem (N*nu) and its states ((N+1)*nx).
   */
  actorRollout(starts: RolloutStart[]): PolicyRollout[] {
    const { nx, nsteps } = this.spec;
    if (!Array.isArray(starts)) throw new TypeError(`actorRollout: starts: got ${typeof starts}, expected an array of { x0, k0 }`);
    starts.forEach((s, i) => {
      if (typeof s !== "object" || s === null) throw new TypeError(`actorRollout: starts[${i}]: got ${JSON.stringify(s)}, expected { x0, k0 }`);
      const x0 = s.x0 as ArrayLike<number> | undefined;
      if (!x0 || typeof x0.length !== "number" || x0.length !== nx) {
        throw new RangeError(`actorRollout: starts[${i}].x0: got ${x0 && typeof x0.length === "number" ? `${x0.length} values` : JSON.stringify(x0)}, expected ${nx} (the state of ${this.spec.name})`);
      }
      for (let j = 0; j < nx; j++) {
        if (typeof x0[j] !== "number" || !Number.isFinite(x0[j])) throw new RangeError(`actorRollout: starts[${i}].x0[${j}]: got ${x0[j]}, expected a finite number`);
      }
      if (!Number.isInteger(s.k0) || s.k0 < 0 || s.k0 > nsteps) throw new RangeError(`actorRollout: starts[${i}].k0: got ${JSON.stringify(s.k0)}, expected an integer in 0..${nsteps}`);
    });
    return rolloutPolicy(this.spec, this.model, (s) => this.learner.act(s), starts);
  }

  private async solveAll(problems: Problem[]): Promise<SolveResult[]> {
    if (this.config.workers > 0) {
      // loaded on demand: the pool needs Node's worker_threads, which browsers lack (they use workers: 0)
      this.pool ??= await (await import("../to/pool.js")).SolverPool.create({ workers: this.config.workers });
      return this.pool.solveBatch(this.spec, problems, this.config.to);
    }
    return this.solver.solveBatch(problems, this.config.to);
  }

  /** one CACTO loop: episodes, TO, buffer, updates */
  async runLoop(onProgress?: (p: Progress) => void): Promise<LoopMetrics> {
    if (this.finished) throw new Error(`runLoop: all ${this.loops} loops are done`);
    const l = this.loop;
    const cfg = this.config;
    const t0 = performance.now();
    const starts = this.sampleStarts(cfg.episodesPerLoop);
    onProgress?.({ phase: "rollout", loop: l, loops: this.loops, done: 0, total: starts.length });
    const warm = l === 0 ? null : this.actorRollout(starts);
    const t1 = performance.now();
    onProgress?.({ phase: "to", loop: l, loops: this.loops, done: 0, total: starts.length });
    const problems: Problem[] = starts.map((s, i) => ({
      x0: s.x0, horizon: this.spec.nsteps - s.k0, warmStart: warm ? { U: warm[i].U } : "zeros",
    }));
    const results = await this.solveAll(problems);
    const t2 = performance.now();
    let failed = 0, costSum = 0, itSum = 0, kept = 0;
    const statuses: Record<string, number> = {};
    // the buffer's rule, decided once per solve (diagnose and the storing loop both ask)
    const storable = new Map(results.map((r) => [r, storableSolve(r, !!cfg.dropUnconverged)]));
    const keep = (r: SolveResult) => storable.get(r)!;
    // before the episodes enter the buffer: the critic's fit on them is a held-out one
    const diagnostics = this.diagnose(starts, results, warm, keep);
    results.forEach((r, i) => {
      statuses[r.statusName] = (statuses[r.statusName] ?? 0) + 1;
      if (!keep(r)) { failed++; return; }
      this.buffer.addEpisode(r.X, r.costs, r.Vx, starts[i].k0);
      costSum += r.cost; itSum += r.iterations; kept++;
    });
    const nUp = cfg.updateLoops[l];
    let cl = 0, al = 0;
    const report = Math.max(1, Math.floor(nUp / 50));
    await this.beginUpdates();
    try {
      for (let u = 0; u < nUp; u++) {
        // with the actor thread, the actor loss shown is that of the last finished step
        const losses = this.updateStep();
        cl = losses.critic; al = losses.actor;
        if (onProgress && (u % report === 0 || u === nUp - 1)) {
          onProgress({ phase: "updates", loop: l, loops: this.loops, done: u + 1, total: nUp, criticLoss: cl, actorLoss: al });
        }
      }
    } finally {
      const last = await this.endUpdates();
      if (last !== null) al = last;
    }
    // a diverged optimiser (e.g. v = Infinity once a gradient passes float32's range) stops the run
    // here, before its state could replace the last good checkpoint
    const bad = nUp > 0 ? this.learner.nonFinite() : null;
    if (bad) throw new Error(`CACTO: the run diverged in loop ${l + 1} (after update ${this.updates}): ${bad}; the trainer's state is not valid for a checkpoint`);
    const t3 = performance.now();
    const prev = this.metrics[this.metrics.length - 1];
    const m: LoopMetrics = {
      loop: l, episodes: results.length, failed, meanToCost: kept ? costSum / kept : NaN, meanToIterations: kept ? itSum / kept : NaN,
      statuses, updates: nUp, criticLoss: cl, actorLoss: al,
      rolloutSeconds: (t1 - t0) / 1000, toSeconds: (t2 - t1) / 1000, updateSeconds: (t3 - t2) / 1000,
      totalEpisodes: (prev?.totalEpisodes ?? 0) + results.length, totalUpdates: this.updates,
      wallSeconds: (prev?.wallSeconds ?? 0) + (t3 - t0) / 1000, bufferRows: this.buffer.size,
      diagnostics,
    };
    this.metrics.push(m);
    this.loop++;
    onProgress?.({ phase: "done", loop: l, loops: this.loops, done: nUp, total: nUp, metrics: m });
    return m;
  }

  /**
   * The loop's diagnostics (src/cacto/diagnostics.ts) on its fresh solves, with the critic as it is
   * before this loop's updates; `keep` is the buffer's rule (the R^2 values use the kept episodes).
   */
  private diagnose(starts: Start[], results: SolveResult[], warm: PolicyRollout[] | null, keep: (r: SolveResult) => boolean): LoopDiagnostics {
    const { nx, umax } = this.spec;
    const n = results.length;
    const kept = results.map((r, i) => ({ r, k0: starts[i].k0 })).filter(({ r }) => keep(r));
    let total = 0;
    for (const { r } of kept) total += r.costs.length;
    const stride = Math.max(1, Math.ceil(total / MAX_ROWS));
    const xs: number[] = [], ks: number[] = [], ys: number[] = [], vxs: number[] = [], first: number[] = [];
    for (const { r, k0 } of kept) {
      const ctg = costToGo(r.costs);
      for (let j = 0; j < r.costs.length; j += stride) {
        if (j === 0) first.push(ks.length);
        for (let d = 0; d < nx; d++) { xs.push(r.X[j * nx + d]); vxs.push(r.Vx[j * nx + d]); }
        ks.push(k0 + j);
        ys.push(ctg[j]);
      }
    }
    const rows = ks.length;
    let r2 = NaN, r2First = NaN, r2Vx = NaN, slogVx = NaN;
    if (rows >= 2) {
      const { v, dVds } = this.learner.criticGradInput(normaliseStates(this.spec, Float64Array.from(xs), Int32Array.from(ks)));
      const dVdx = gradToState(this.spec, dVds);
      r2 = rSquared(ys, v);
      r2First = rSquared(first.map((q) => ys[q]), first.map((q) => v[q]));
      let acc = 0, cnt = 0;
      const a = new Float64Array(rows), b = new Float64Array(rows);
      for (let d = 0; d < nx; d++) {
        for (let q = 0; q < rows; q++) { a[q] = vxs[q * nx + d]; b[q] = dVdx[q * nx + d]; }
        const c = rSquared(a, b);
        if (Number.isFinite(c)) { acc += c; cnt++; }
      }
      r2Vx = cnt ? acc / cnt : NaN;
      slogVx = slogSkill(vxs, dVdx);
    }
    const conv = results.filter(finishedSolve).length;
    const nKept = results.filter(keep).length;
    const keptConverged = results.filter((r) => keep(r) && finishedSolve(r)).length;
    const alone = warm ? rolloutCosts(this.model, warm) : null;
    return {
      heldOutR2: r2, heldOutR2First: r2First, heldOutR2Vx: r2Vx, heldOutSlogVx: slogVx, rows,
      converged: conv / n, stopped: (nKept - keptConverged) / n,
      dropped: (n - nKept) / n,
      saturation: warm ? saturationShare(warm.map((w) => w.U), umax) : NaN,
      actorAloneCost: alone ? alone.reduce((s, c) => s + c, 0) / alone.length : NaN,
    };
  }

  /** one critic step, one actor step, one soft target update on a fresh minibatch */
  /**
   * One network update (critic step, actor step, target update). `phases`, when given, accumulates the
   * wall-clock ms of each phase (sample, targets, critic, actor, target) for `cacto bench learn`; it does
   * not change what is computed.
   */
  updateStep(phases?: UpdatePhases): { critic: number; actor: number } {
    const cfg = this.config;
    const spec = this.spec;
    const { nx, nsteps } = spec;
    const clock = phases ? () => performance.now() : () => 0;
    let t = clock();
    const lap = (k: keyof UpdatePhases) => { if (phases) { const n = clock(); phases[k] += n - t; t = n; } };
    const halvings = cfg.lrHalvings.filter((h) => h === this.updates).length;
    if (halvings) {
      this.learner.actorOpt.learningRate /= 2;
      this.learner.criticOpt.learningRate /= 2;
    }
    // a buffer still smaller than a minibatch (a tiny first loop) trains on all its rows
    if (this.buffer.size === 0) throw new Error("CACTO update: the replay buffer is empty (every TO solve so far failed); nothing to train on");
    const b = this.buffer.sample(Math.min(cfg.batchSize, this.buffer.size), this.rng, cfg.nStep);
    const nb = b.k.length;
    const s = normaliseStates(spec, b.x, b.k);
    lap("sample");
    const vBoot = this.learner.targetValue(normaliseStates(spec, b.xBoot, b.kBoot));
    const y = tdTargets(b, vBoot);
    lap("targets");
    const critic = this.learner.criticStep(s, y, cfg.wS > 0 ? { wS: cfg.wS, vx: b.vx, valueScale: cfg.wSScale === "variance" ? targetVariance(y) : 1 } : {});
    lap("critic");
    // actor: states that still have a control to choose (k < nsteps)
    const rows: number[] = [];
    for (let i = 0; i < nb; i++) if (b.k[i] < nsteps) rows.push(i);
    let actor = 0;
    if (rows.length) {
      const xa = new Float64Array(rows.length * nx);
      const ka = new Int32Array(rows.length);
      rows.forEach((r, a) => { xa.set(b.x.subarray(r * nx, (r + 1) * nx), a * nx); ka[a] = b.k[r]; });
      const c = cfg.costateWeight ?? 0;
      let lam: Float64Array | null = null;
      if (c > 0) {
        lam = new Float64Array(rows.length * nx);
        rows.forEach((r, a) => lam!.set(b.vxNext.subarray(r * nx, (r + 1) * nx), a * nx));
      }
      if (this.pipelining) {
        // the actor thread runs this step with the critic as it is now (a copy goes with the rows)
        this.actorThread!.step(this.updates, this.learner.actorOpt.learningRate, xa, ka, this.learner, lam);
        actor = this.actorThread!.lastLoss;
        this.lastActorStep = this.updates;
      } else {
        actor = actorUpdate(spec, this.model, this.learner, xa, ka, this.updates, !!cfg.actorGradQuirk, lam ? { weight: c, lam } : null, !!cfg.actorInvertGradients);
      }
    }
    lap("actor");
    this.learner.updateTarget();
    lap("target");
    this.updates++;
    return { critic, actor };
  }

  /**
   * dQ/du for Q(s, u) = l(x, u) + V(f(x, u), k + 1): l_u and f_u from the engine (one batched call),
   * dV/dx' from the critic by autodiff. Rows: xa (nb*nx), ka (nb), u (nb*nu).
   */
  actionGradient(xa: Float64Array, ka: Int32Array, u: Float64Array): Float32Array {
    return actionGradient(this.spec, this.model, this.learner, xa, ka, u, !!this.config.actorGradQuirk);
  }

  /** whether update phases run the actor's steps on a second thread (config.actorThread; see there) */
  get usesActorThread(): boolean {
    return (this.config.actorThread ?? this.config.workers > 0) && IS_NODE;
  }

  /**
   * Start an update phase: with the actor thread (usesActorThread), start it on first use and hand it
   * the actor and its Adam state; until endUpdates, updateStep queues the actor's steps there and
   * returns the last finished step's actor loss. runLoop calls both; call them around your own
   * updateStep calls to get the same overlap. Without the thread, nothing happens.
   */
  async beginUpdates(): Promise<void> {
    if (this.pipelining || !this.usesActorThread) return;
    this.actorThread ??= await (await import("./actor-thread.js")).ActorThread.create(this.spec, this.learner, !!this.config.actorGradQuirk, this.config.costateWeight ?? 0, !!this.config.actorInvertGradients);
    this.actorThread.load(this.learner);
    this.phaseStart = this.updates;
    this.pipelining = true;
  }

  /**
   * End an update phase: wait for the actor thread's steps and take its actor and Adam state back;
   * returns the last actor step's loss (null without the thread). Throws the thread's error if a step
   * failed (e.g. a diverged actor).
   */
  async endUpdates(): Promise<number | null> {
    if (!this.pipelining) return null;
    this.pipelining = false;
    const lr = this.learner.actorOpt.learningRate;
    let loss = await this.actorThread!.finish(this.learner);
    // as without the thread: a phase without updates, or whose last update had no actor rows, reports 0
    if (this.updates === this.phaseStart || this.lastActorStep !== this.updates - 1) loss = 0;
    // a halving at an update without actor rows reached this thread's optimiser only
    this.learner.actorOpt.learningRate = lr;
    return loss;
  }

  /** stop the TO worker pool if one was started (workers > 0), so its threads do not keep Node running */
  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = null;
    this.pipelining = false;
    await this.actorThread?.close();
    this.actorThread = null;
  }

  /** free the networks' tensors; the trainer cannot be used afterwards (call `close()` too) */
  dispose(): void {
    this.learner.dispose();
  }
}

/**
 * The variance of a minibatch's value targets (for `wSScale: "variance"`), floored at 1e-12 of their
 * mean square (and at 1e-30) so that a batch of equal targets does not divide by zero.
 */
export function targetVariance(y: ArrayLike<number>): number {
  const n = y.length;
  let m = 0, q = 0;
  for (let i = 0; i < n; i++) { m += y[i]; q += y[i] * y[i]; }
  m /= n;
  q /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (y[i] - m) ** 2;
  v /= n;
  return Math.max(v, 1e-12 * q, 1e-30);
}

/** the largest value whose square is a finite float32: the critic's losses square targets and errors */
const F32_SQRT_MAX = Math.sqrt(3.4028234663852886e38);

/**
 * Whether a TO solve's episode may enter the replay buffer. Dropped: a solve whose status is
 * "non-finite", any solve with a value the critic's float32 losses cannot square (the cost, a state, a
 * V_x entry, or the sum of |costs| not finite or beyond sqrt of float32's largest value, 1.8e19), and with
 * `dropUnconverged` (the reference's success rule) every solve that did not meet a stopping rule.
 * Why the overflow check: an actor warm start saturated at the torque bounds can make the
 * manipulator's explicit-Euler rollout blow up to states of 1e110 and a finite cost of 1e220 (the solve
 * then ends with regularisation-limit); stored, its TD target became Infinity in float32 and the
 * networks NaN in one update (quick preset, seeds 3 and 9). Other regularisation-limit solves are
 * kept, as before: on the car park they are 12% of the quick preset's solves, and dropping them all was
 * measured to change its learning (docs/results.md).
 */
export function storableSolve(r: SolveResult, dropUnconverged = false): boolean {
  if (r.statusName === "non-finite") return false;
  if (dropUnconverged && !finishedSolve(r)) return false;
  if (!(Math.abs(r.cost) <= F32_SQRT_MAX)) return false;
  let sum = 0;
  for (let i = 0; i < r.costs.length; i++) sum += Math.abs(r.costs[i]);
  if (!(sum <= F32_SQRT_MAX)) return false;
  for (let i = 0; i < r.X.length; i++) if (!(Math.abs(r.X[i]) <= F32_SQRT_MAX)) return false;
  for (let i = 0; i < r.Vx.length; i++) if (!(Math.abs(r.Vx[i]) <= F32_SQRT_MAX)) return false;
  return true;
}

/**
 * A TO solve that met a stopping rule: converged, or stopped at the acceptable level (only when the
 * config's `to.acceptIter` > 0). What dropUnconverged keeps and the diagnostics count as converged.
 */
function finishedSolve(r: SolveResult): boolean {
  return r.statusName === "converged" || r.statusName === "acceptable";
}
