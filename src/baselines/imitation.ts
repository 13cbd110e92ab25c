/**
 * The TO -> RL (imitation) baseline (cacto.md section 1, item 1): a policy trained by regression on TO
 * solutions, with no online optimisation at deployment; by construction it cannot improve on the TO
 * that taught it (here: TO from zero warm starts).
 *
 *   1. sample `problems` initial states and start steps exactly as CACTO samples its episodes
 *      (uniform over SystemSpec.sampleRanges, k0 uniform over k0Range, horizon nsteps - k0);
 *   2. solve each by TO from a zero warm start (the engine's Solver in this thread, or the worker
 *      pool when workers > 0, loaded on demand as in cacto/trainer.ts); non-finite solves are dropped
 *      and counted;
 *   3. dataset: every node k < N of every kept solution gives one row (input normalise.ts
 *      [x_k / norm, 2 (k0 + k) / nsteps - 1], target U_k);
 *   4. `epochs` passes over the dataset in shuffled minibatches, one Adam regression step each
 *      (rl/supervised.ts), loss mean ((pi(s) - u*) / umax)^2 (or unscaled).
 *
 * The actor is the CACTO actor (rl/networks.ts Actor: LeakyReLU hidden layers, the output layer of the CACTO preset), and with
 * the same seed its initial weights equal a CactoTrainer's (the actor is the first thing drawn in
 * both). Every random draw (weights, starts, shuffles) comes from one seeded Rng; serialize() after
 * any epoch and fromData() continue bit for bit.
 *
 * `actorRollout` has the contract of CactoTrainer.actorRollout, so the evaluation protocol can use the
 * imitation actor alone and as a TO warm start.
 */
import { sampleStarts, type Start } from "../systems/sampling.js";
import { Engine } from "../wasm/engine.js";
import type { Problem, SolveOptions, SolveResult } from "../to/types.js";
import { normaliseOptions } from "../to/options.js";
import { SYSTEMS, type SystemSpec } from "../systems/specs.js";
import type { SystemName } from "../systems/layout.js";
import { Rng } from "../rng.js";
import { Actor, Adam, type AdamData, type TensorData } from "../rl/networks.js";
import { normaliseStates } from "../rl/normalise.js";
import { regressionEpoch, regressionLossValue } from "../rl/supervised.js";
import { initTf } from "../rl/backend.js";
import { preset as cactoPreset } from "../cacto/presets.js";
import { RegressionActorTrainer, makeRegressionActor } from "./actor-trainer.js";

export type ImitationPresetName = "quick" | "reference";

/** An imitation run's settings (`imitationPreset` makes one; `create` and `fromData` check every field). */
export interface ImitationConfig {
  system: SystemName;
  preset: ImitationPresetName | "custom";
  /** TO problems (initial states) in the dataset */
  problems: number;
  actorHidden: number[];
  /** LeakyReLU slope */
  actorAlpha: number;
  actorOutput: "linear" | "tanh";
  lr: number;
  batchSize: number;
  /** passes over the dataset */
  epochs: number;
  /** weight the regression error of control j by 1/umax_j */
  scaleByUmax: boolean;
  /** TO budget per problem (zero warm start) */
  to: SolveOptions;
  /** worker threads for TO (0 = solve in the main thread) */
  workers: number;
}

/**
 * Presets sized against CACTO's (cacto/presets.ts) so the comparison is per TO problem:
 * - quick: as many TO problems as CACTO's quick run (episodesPerLoop x loops: 64 x 5 = 320; toy1d
 *   64 x 3), CACTO quick's actor (64-64; toy1d 32-32) and batch, 150 epochs (single integrator: 16 k
 *   rows, 18.9 k steps, ~40 s on 2 cores; at 40 epochs the actor is visibly underfit and averages
 *   the TO modes);
 * - reference: the reference actor 256-256 and as many problems as the reference CACTO schedule
 *   (200 x loops, car 250 x loops), batch as CACTO's, 100 epochs.
 * TO options are CACTO's for the same preset.
 */
export function imitationPreset(system: SystemName, name: ImitationPresetName): ImitationConfig {
  const c = cactoPreset(system, name);
  return {
    system, preset: name,
    problems: c.episodesPerLoop * c.updateLoops.length,
    actorHidden: c.actorHidden.slice(),
    actorAlpha: 0.3,
    // CACTO's output layer, so the comparison is about how the actor is trained, not its output: a
    // linear output extrapolates far beyond umax, and the soft bound (u/umax)^10 then makes TO from its
    // warm start useless (measured in E1 on the car park: mean cost 8e5 with linear, quick preset)
    actorOutput: c.actorOutput ?? "linear",
    lr: c.actorLr,
    batchSize: c.batchSize,
    epochs: name === "quick" ? 150 : 100,
    scaleByUmax: true,
    to: { ...c.to },
    workers: c.workers,
  };
}

export interface ImitationMetrics {
  /** TO problems solved */
  problems: number;
  /** dropped (non-finite) */
  failed: number;
  statuses: Record<string, number>;
  meanToCost: number;
  meanToIterations: number;
  /** dataset rows (nodes with a control) */
  datasetRows: number;
  toSeconds: number;
  trainSeconds: number;
  /** epochs and Adam steps completed */
  epochs: number;
  steps: number;
  /** mean minibatch loss (before each step) per epoch */
  lossPerEpoch: number[];
}

export interface ImitationData {
  format: "imitation-checkpoint";
  version: 1;
  config: ImitationConfig;
  seed: number;
  rng: number[];
  actor: TensorData[];
  actorOpt: AdamData;
  /** the TO problems' starts (null before collection) */
  starts: { x0: number[]; k0: number }[] | null;
  /** dataset rows: inputs nb*(nx+1), targets nb*nu (float32 values) */
  dataset: { rows: number; states: number[]; targets: number[] } | null;
  metrics: ImitationMetrics;
}

export interface ImitationProgress {
  phase: "to" | "epoch" | "done";
  /** epochs completed */
  epoch: number;
  epochs: number;
  loss?: number;
  metrics: ImitationMetrics;
}

function emptyMetrics(): ImitationMetrics {
  return {
    problems: 0, failed: 0, statuses: {}, meanToCost: NaN, meanToIterations: NaN, datasetRows: 0,
    toSeconds: 0, trainSeconds: 0, epochs: 0, steps: 0, lossPerEpoch: [],
  };
}

function checkConfig(c: ImitationConfig): void {
  if (typeof c !== "object" || c === null) throw new TypeError(`imitation: config: got ${String(c)}, expected an object`);
  if (!(c.system in SYSTEMS)) throw new RangeError(`imitation: system ${JSON.stringify(c.system)} is not one of ${Object.keys(SYSTEMS).join(", ")}`);
  const posInt = (n: number, what: string, min = 1) => {
    if (!Number.isInteger(n) || n < min) throw new RangeError(`imitation: ${what} = ${n}, expected an integer >= ${min}`);
  };
  posInt(c.problems, "problems");
  posInt(c.batchSize, "batchSize");
  posInt(c.epochs, "epochs", 0);
  posInt(c.workers, "workers", 0);
  if (!(typeof c.lr === "number" && Number.isFinite(c.lr) && c.lr > 0)) throw new RangeError(`imitation: lr = ${c.lr}, expected a finite number > 0`);
  if (!(typeof c.actorAlpha === "number" && c.actorAlpha >= 0 && c.actorAlpha <= 1)) throw new RangeError(`imitation: actorAlpha = ${c.actorAlpha}, expected a number in [0, 1]`);
  if (c.actorOutput !== "linear" && c.actorOutput !== "tanh") throw new RangeError(`imitation: actorOutput = ${JSON.stringify(c.actorOutput)}, expected "linear" or "tanh"`);
  if (!c.actorHidden.length || c.actorHidden.some((h) => !Number.isInteger(h) || h < 1)) {
    throw new RangeError(`imitation: actorHidden = [${c.actorHidden}], expected positive integers`);
  }
  const spec = SYSTEMS[c.system];
  normaliseOptions(c.to, spec.umax, spec.nx, spec.solverDefaults);
}

/** The TO -> RL imitation baseline; make one with `create()` or `fromData()`, run it with `train()`. */
export class ImitationTrainer extends RegressionActorTrainer<ImitationConfig> {
  metrics: ImitationMetrics;
  starts: { x0: number[]; k0: number }[] | null = null;
  /** dataset inputs (rows*(nx+1)) and targets (rows*nu), float32 */
  states: Float32Array | null = null;
  targets: Float32Array | null = null;

  private constructor(config: ImitationConfig, seed: number, actor: Actor, opt: Adam, rng: Rng, engine: Engine) {
    super(config, seed, actor, opt, rng, engine);
    this.metrics = emptyMetrics();
  }

  /** a fresh trainer: the actor's initial weights are the first draws of Rng(seed) */
  static async create(config: ImitationConfig, seed: number): Promise<ImitationTrainer> {
    checkConfig(config);
    if (!Number.isInteger(seed)) throw new RangeError(`imitation: seed = ${JSON.stringify(seed)}, expected an integer`);
    await initTf("wasm");
    const cfg = structuredClone(config);
    const rng = new Rng(seed);
    const { actor, opt } = makeRegressionActor(cfg, rng);
    return new ImitationTrainer(cfg, seed, actor, opt, rng, await Engine.create());
  }

  /** restore a serialized trainer (no random draws); training continues bit for bit */
  static async fromData(d: ImitationData): Promise<ImitationTrainer> {
    if (d?.format !== "imitation-checkpoint" || d.version !== 1) {
      throw new RangeError(`imitation checkpoint: got format ${JSON.stringify(d?.format)} version ${d?.version}, expected "imitation-checkpoint" version 1`);
    }
    checkConfig(d.config);
    await initTf("wasm");
    const cfg = structuredClone(d.config);
    const { actor, opt } = makeRegressionActor(cfg, null);
    actor.setWeights(d.actor);
    opt.setState(d.actorOpt);
    const rng = new Rng(0);
    rng.setState(d.rng);
    const t = new ImitationTrainer(cfg, d.seed, actor, opt, rng, await Engine.create());
    t.metrics = structuredClone(d.metrics);
    t.starts = d.starts ? structuredClone(d.starts) : null;
    if (d.dataset) {
      const { nx, nu } = t.spec;
      const { rows, states, targets } = d.dataset;
      if (states.length !== rows * (nx + 1) || targets.length !== rows * nu) {
        throw new RangeError(`imitation checkpoint: dataset of ${rows} rows has ${states.length} inputs and ${targets.length} targets`);
      }
      t.states = Float32Array.from(states);
      t.targets = Float32Array.from(targets);
    }
    return t;
  }

  /** the whole state (config, RNG, actor, optimiser, starts, dataset, metrics) as copies, for `fromData` */
  serialize(): ImitationData {
    return {
      format: "imitation-checkpoint", version: 1,
      config: structuredClone(this.config), seed: this.seed, rng: this.rng.getState(),
      actor: this.actor.getWeights(), actorOpt: this.opt.getState(),
      starts: this.starts ? structuredClone(this.starts) : null,
      dataset: this.states && this.targets
        ? { rows: this.datasetRows, states: Array.from(this.states), targets: Array.from(this.targets) }
        : null,
      metrics: structuredClone(this.metrics),
    };
  }

  get datasetRows(): number {
    return this.targets ? this.targets.length / this.spec.nu : 0;
  }

  get collected(): boolean {
    return this.states !== null;
  }

  get finished(): boolean {
    return this.collected && this.metrics.epochs >= this.config.epochs;
  }

  /** initial states and start steps, drawn as CactoTrainer.sampleStarts draws them */
  sampleStarts(count: number): Start[] {
    return sampleStarts(this.spec, this.rng, count);
  }

  /**
   * The dataset rows of TO solutions: for each result i (start k0[i], horizon N = U.length/nu), nodes
   * k = 0..N-1 give input normalise(X_k, k0 + k) and target U_k. Exposed for tests.
   */
  static buildDataset(spec: SystemSpec, results: Pick<SolveResult, "X" | "U">[], k0: number[]): { states: Float32Array; targets: Float32Array } {
    const { nx, nu } = spec;
    let rows = 0;
    for (const r of results) rows += r.U.length / nu;
    const states = new Float32Array(rows * (nx + 1));
    const targets = new Float32Array(rows * nu);
    let o = 0;
    results.forEach((r, i) => {
      const N = r.U.length / nu;
      const ks = new Int32Array(N);
      for (let k = 0; k < N; k++) ks[k] = k0[i] + k;
      normaliseStates(spec, r.X.subarray(0, N * nx), ks, states.subarray(o * (nx + 1), (o + N) * (nx + 1)));
      targets.set(r.U.subarray(0, N * nu), o * nu);
      o += N;
    });
    return { states, targets };
  }

  /** steps 1-3: sample the problems, solve them from zeros, build the dataset (once) */
  async collect(onProgress?: (p: ImitationProgress) => void): Promise<void> {
    if (this.collected) throw new Error("collect: the dataset is already built");
    const cfg = this.config;
    onProgress?.({ phase: "to", epoch: 0, epochs: cfg.epochs, metrics: this.metrics });
    const t0 = performance.now();
    const starts = this.sampleStarts(cfg.problems);
    const problems: Problem[] = starts.map((s) => ({ x0: s.x0, horizon: this.spec.nsteps - s.k0, warmStart: "zeros" }));
    const results = await this.solveAll(problems, this.config.to);
    const statuses: Record<string, number> = {};
    const kept: SolveResult[] = [];
    const k0: number[] = [];
    let costSum = 0, itSum = 0;
    results.forEach((r, i) => {
      statuses[r.statusName] = (statuses[r.statusName] ?? 0) + 1;
      if (r.statusName === "non-finite" || !Number.isFinite(r.cost)) return;
      kept.push(r); k0.push(starts[i].k0);
      costSum += r.cost; itSum += r.iterations;
    });
    const { states, targets } = ImitationTrainer.buildDataset(this.spec, kept, k0);
    if (targets.length === 0) throw new Error(`imitation: no usable TO solution among ${results.length} problems (statuses ${JSON.stringify(statuses)})`);
    this.starts = starts;
    this.states = states;
    this.targets = targets;
    const m = this.metrics;
    m.problems = results.length;
    m.failed = results.length - kept.length;
    m.statuses = statuses;
    m.meanToCost = kept.length ? costSum / kept.length : NaN;
    m.meanToIterations = kept.length ? itSum / kept.length : NaN;
    m.datasetRows = this.datasetRows;
    m.toSeconds = (performance.now() - t0) / 1000;
  }

  /** one pass over the dataset in shuffled minibatches; returns the mean minibatch loss */
  trainEpoch(): number {
    if (!this.states || !this.targets) throw new Error("trainEpoch: collect() first");
    const t0 = performance.now();
    const { loss: mean, steps } = regressionEpoch(this.actor, this.opt, this.states, this.targets, this.config.batchSize, this.rng, this.scale, "imitation");
    this.metrics.steps += steps;
    this.metrics.lossPerEpoch.push(mean);
    this.metrics.epochs++;
    this.metrics.trainSeconds += (performance.now() - t0) / 1000;
    return mean;
  }

  /** collect (if not yet) and train the remaining epochs; returns the metrics */
  async train(onProgress?: (p: ImitationProgress) => void): Promise<ImitationMetrics> {
    if (!this.collected) await this.collect(onProgress);
    const E = this.config.epochs;
    while (this.metrics.epochs < E) {
      const loss = this.trainEpoch();
      onProgress?.({ phase: "epoch", epoch: this.metrics.epochs, epochs: E, loss, metrics: this.metrics });
    }
    onProgress?.({ phase: "done", epoch: this.metrics.epochs, epochs: E, metrics: this.metrics });
    return this.metrics;
  }

  /** the regression loss over the whole dataset (or given rows), no step */
  datasetLoss(states: Float32Array | null = this.states, targets: Float32Array | null = this.targets): number {
    if (!states || !targets) throw new Error("datasetLoss: no dataset");
    return regressionLossValue(this.actor, states, targets, this.scale);
  }
}
