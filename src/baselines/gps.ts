/**
 * Coupled TO imitation (cacto.md section 1, architecture 3; Guided-Policy-Search style): TO and the
 * policy shape each other during training, and TO produces trajectories the policy can represent.
 *
 * This is a simplified, penalty-coupled alternation, NOT the original Guided Policy Search (Levine &
 * Koltun 2013; Levine & Abbeel 2014): there are no linear-Gaussian trajectory distributions, no KL
 * trust regions and no dual variables. The coupling is a quadratic penalty on the controls, which the
 * engine supports as the control-tracking running term 0.5 rho ||u_k - uRef_k||^2 (docs/algorithm.md):
 *
 *   init policy pi (the imitation baseline's Actor and initialisation), dataset D = {}
 *   for iteration i = 0 .. I-1:
 *     sample M starts (x0, k0) exactly as CACTO and imitation do (systems/sampling.ts)
 *     roll pi out from each start (rl/rollout.ts; iteration 0 uses zero controls instead)
 *     TO from each start, warm-started by the rollout's controls, with uRef = those controls and
 *       trackWeight rho_i (rho_0 = 0: iteration 0 is plain TO from zeros, as imitation's data;
 *       rho_i = min(rhoMax, rho1 * rhoGrowth^(i-1)) for i >= 1)
 *     drop non-finite solves (counted); add every node (state, time, TO control) of the kept
 *       solutions to D (D aggregates over iterations)
 *     train pi by regression on D: `epochs` shuffled passes, one Adam regressionStep per minibatch
 *
 * TO is pulled towards what the policy already does and the policy imitates TO. The reported TO cost
 * is the task cost alone (the solver's total minus the tracking term), so iterations stay comparable.
 *
 * Every random draw (initial weights, starts, shuffles) comes from one Rng(seed): the same seed gives
 * the same weights (the worker pool returns exactly what sequential solves return). `actorRollout` has
 * the contract of CactoTrainer.actorRollout, so the evaluation code can use the GPS actor alone and as a
 * TO warm start.
 */
import { sampleStarts, type Start } from "../systems/sampling.js";
import { Engine } from "../wasm/engine.js";
import { normaliseOptions } from "../to/options.js";
import type { Problem, SolveOptions, SolveResult } from "../to/types.js";
import { SYSTEMS } from "../systems/specs.js";
import type { SystemName } from "../systems/layout.js";
import { Rng } from "../rng.js";
import { rolloutCosts, type PolicyRollout } from "../rl/rollout.js";
import { regressionEpoch, regressionLossValue } from "../rl/supervised.js";
import { initTf } from "../rl/backend.js";
import { ImitationTrainer, imitationPreset } from "./imitation.js";
import { RegressionActorTrainer, makeRegressionActor } from "./actor-trainer.js";

export type GpsPresetName = "quick" | "reference";

/** A coupled-imitation run's settings (`gpsPreset` makes one; `GpsTrainer.create` checks every field). */
export interface GpsConfig {
  system: SystemName;
  preset: GpsPresetName | "custom";
  /** outer iterations I */
  iterations: number;
  /** TO problems (starts) per iteration M */
  problemsPerIteration: number;
  actorHidden: number[];
  /** LeakyReLU slope */
  actorAlpha: number;
  actorOutput: "linear" | "tanh";
  lr: number;
  batchSize: number;
  /** passes over the (aggregated) dataset per iteration */
  epochs: number;
  /** weight the regression error of control j by 1/umax_j */
  scaleByUmax: boolean;
  /** tracking weight of iteration 1 (iteration 0 has none) */
  rho1: number;
  /** factor of the tracking weight per iteration (>= 1) */
  rhoGrowth: number;
  /** cap of the tracking weight */
  rhoMax: number;
  /** TO budget per problem; trackWeight is set per iteration and must not be given here */
  to: SolveOptions;
  /** worker threads for TO (0 = solve in the main thread) */
  workers: number;
}

/**
 * Presets, based on the imitation presets (imitation.ts: the same actor, output, lr, batch, scaling
 * and TO budget as its CACTO preset):
 * - quick: 6 iterations of 64 problems (384 TO problems, 1.2 x imitation quick's 320) and 40 epochs
 *   per iteration over the growing dataset (D ends at ~19 k rows on the single integrator; ~6.4 k Adam
 *   steps in all against imitation quick's 18.9 k). Measured: a single-integrator run with workers 0
 *   takes ~20 s on one core (4 iterations of 48 problems and 20 epochs took 4 s and left the actor
 *   visibly underfit: its own rollouts at the evaluation states cost 110 on average against 11).
 *   A demonstration scale, not a tuned one.
 * - reference: 10 iterations of the reference CACTO episodes per loop (200, car 250) and 20 epochs.
 * Tracking schedule: rho 0.1 at iteration 1, x2 per iteration, capped at 10 (in cost units per
 * squared control unit; the integrators' control cost is of the same order, so the early pull is mild
 * and the later one firm).
 */
export function gpsPreset(system: SystemName, name: GpsPresetName): GpsConfig {
  if (name !== "quick" && name !== "reference") throw new RangeError(`gpsPreset: got ${JSON.stringify(name)}, expected "quick" or "reference"`);
  const im = imitationPreset(system, name);
  const quick = name === "quick";
  return {
    system, preset: name,
    iterations: quick ? 6 : 10,
    problemsPerIteration: quick ? 64 : system === "car" ? 250 : 200,
    actorHidden: im.actorHidden.slice(),
    actorAlpha: im.actorAlpha,
    actorOutput: im.actorOutput,
    lr: im.lr,
    batchSize: im.batchSize,
    epochs: quick ? 40 : 20,
    scaleByUmax: im.scaleByUmax,
    rho1: 0.1,
    rhoGrowth: 2,
    rhoMax: 10,
    to: { ...im.to },
    workers: im.workers,
  };
}

export interface GpsIterationMetrics {
  iteration: number;
  /** tracking weight of this iteration's TO (0 at iteration 0) */
  rho: number;
  problems: number;
  /** dropped (non-finite) solves */
  dropped: number;
  statuses: Record<string, number>;
  /** mean task cost of the kept TO solutions (the tracking term excluded) */
  meanToTaskCost: number;
  /** mean tracking term 0.5 rho sum ||u - uRef||^2 of the kept solutions */
  meanTrackingCost: number;
  /** mean rms distance ||U - uRef|| / sqrt(N nu) of the kept solutions to the policy's controls */
  meanTrackingResidual: number;
  /** mean cost of the policy's own rollouts from this iteration's starts (before training; NaN at 0) */
  meanPolicyCost: number;
  /** rollouts that diverged (infinite cost), excluded from meanPolicyCost */
  policyDiverged: number;
  meanToIterations: number;
  /** rows in D after this iteration */
  datasetRows: number;
  /** regression loss on D before and after this iteration's training, and per epoch (minibatch mean) */
  lossBefore: number;
  lossAfter: number;
  lossPerEpoch: number[];
  toSeconds: number;
  trainSeconds: number;
}

/** throws a RangeError naming the first bad field (exported for tests) */
export function checkGpsConfig(c: GpsConfig): void {
  if (typeof c !== "object" || c === null) throw new TypeError(`gps: config got ${String(c)}, expected an object`);
  if (!(c.system in SYSTEMS)) throw new RangeError(`gps: system = ${JSON.stringify(c.system)}, expected one of ${Object.keys(SYSTEMS).join(", ")}`);
  const int = (v: number, what: string, min: number) => {
    if (!Number.isInteger(v) || v < min) throw new RangeError(`gps: ${what} = ${v}, expected an integer >= ${min}`);
  };
  int(c.iterations, "iterations", 1);
  int(c.problemsPerIteration, "problemsPerIteration", 1);
  int(c.batchSize, "batchSize", 1);
  int(c.epochs, "epochs", 0);
  int(c.workers, "workers", 0);
  const num = (v: number, what: string, ok: boolean, expected: string) => {
    if (typeof v !== "number" || !Number.isFinite(v) || !ok) throw new RangeError(`gps: ${what} = ${v}, expected ${expected}`);
  };
  num(c.lr, "lr", c.lr > 0, "a finite number > 0");
  num(c.actorAlpha, "actorAlpha", c.actorAlpha >= 0, "a finite number >= 0");
  num(c.rho1, "rho1", c.rho1 >= 0, "a finite number >= 0");
  num(c.rhoGrowth, "rhoGrowth", c.rhoGrowth >= 1, "a finite number >= 1");
  num(c.rhoMax, "rhoMax", c.rhoMax >= c.rho1, `a finite number >= rho1 = ${c.rho1}`);
  if (!Array.isArray(c.actorHidden) || !c.actorHidden.length || c.actorHidden.some((h) => !Number.isInteger(h) || h < 1)) {
    throw new RangeError(`gps: actorHidden = [${c.actorHidden}], expected a non-empty array of positive integers`);
  }
  if (c.actorOutput !== "linear" && c.actorOutput !== "tanh") throw new RangeError(`gps: actorOutput = ${JSON.stringify(c.actorOutput)}, expected "linear" or "tanh"`);
  if (c.to && "trackWeight" in c.to) throw new RangeError(`gps: to.trackWeight = ${c.to.trackWeight}, expected none (the trainer sets it from rho1, rhoGrowth, rhoMax)`);
  const spec = SYSTEMS[c.system];
  normaliseOptions(c.to, spec.umax, spec.nx, spec.solverDefaults);
}

/** The coupled TO imitation baseline; make one with `create()`, run it with `runAll()`. */
export class GpsTrainer extends RegressionActorTrainer<GpsConfig> {
  /** metrics of the iterations run so far */
  readonly history: GpsIterationMetrics[] = [];
  /** D: inputs (rows*(nx+1)) and targets (rows*nu), float32, grown by every iteration */
  states: Float32Array = new Float32Array(0);
  targets: Float32Array = new Float32Array(0);

  /** a fresh trainer: the actor's initial weights are the first draws of Rng(seed), as imitation's */
  static async create(config: GpsConfig, seed: number): Promise<GpsTrainer> {
    checkGpsConfig(config);
    if (!Number.isInteger(seed)) throw new RangeError(`gps: seed = ${seed}, expected an integer`);
    await initTf("wasm");
    const cfg = structuredClone(config);
    const rng = new Rng(seed);
    const { actor, opt } = makeRegressionActor(cfg, rng);
    return new GpsTrainer(cfg, seed, actor, opt, rng, await Engine.create());
  }

  get datasetRows(): number {
    return this.targets.length / this.spec.nu;
  }

  get iteration(): number {
    return this.history.length;
  }

  get finished(): boolean {
    return this.history.length >= this.config.iterations;
  }

  /** the tracking weight of iteration i */
  rhoAt(i: number): number {
    const c = this.config;
    return i === 0 ? 0 : Math.min(c.rhoMax, c.rho1 * Math.pow(c.rhoGrowth, i - 1));
  }

  /** one outer iteration: rollouts, tracked TO, dataset aggregation, regression; returns its metrics */
  async runIteration(): Promise<GpsIterationMetrics> {
    if (this.finished) throw new Error(`gps: all ${this.config.iterations} iterations have run`);
    const cfg = this.config, spec = this.spec;
    const i = this.history.length;
    const rho = this.rhoAt(i);
    const t0 = performance.now();
    const starts: Start[] = sampleStarts(spec, this.rng, cfg.problemsPerIteration);
    let rollouts: PolicyRollout[] | null = null;
    let meanPolicyCost = NaN, policyDiverged = 0;
    if (i > 0) {
      rollouts = this.actorRollout(starts);
      const costs = rolloutCosts(this.model, rollouts);
      const fin = costs.filter(Number.isFinite);
      policyDiverged = costs.length - fin.length;
      meanPolicyCost = fin.length ? fin.reduce((a, b) => a + b, 0) / fin.length : NaN;
    }
    const problems: Problem[] = starts.map((s, j) => {
      const horizon = spec.nsteps - s.k0;
      if (!rollouts) return { x0: s.x0, horizon, warmStart: "zeros" };
      const U = rollouts[j].U;
      return { x0: s.x0, horizon, warmStart: { U }, uRef: U };
    });
    const options: SolveOptions = rho > 0 ? { ...cfg.to, trackWeight: rho } : { ...cfg.to };
    const results = await this.solveAll(problems, options);
    const statuses: Record<string, number> = {};
    const kept: SolveResult[] = [];
    const k0: number[] = [];
    let taskSum = 0, trackSum = 0, residSum = 0, itSum = 0;
    results.forEach((r, j) => {
      statuses[r.statusName] = (statuses[r.statusName] ?? 0) + 1;
      if (r.statusName === "non-finite" || !Number.isFinite(r.cost)) return;
      kept.push(r); k0.push(starts[j].k0);
      taskSum += r.cost - r.trackingCost;
      trackSum += r.trackingCost;
      itSum += r.iterations;
      if (rollouts) {
        const ref = rollouts[j].U;
        let d = 0;
        for (let q = 0; q < ref.length; q++) d += (r.U[q] - ref[q]) ** 2;
        residSum += Math.sqrt(d / ref.length);
      }
    });
    const nk = kept.length;
    if (nk > 0) {
      const add = ImitationTrainer.buildDataset(spec, kept, k0);
      this.states = concat(this.states, add.states);
      this.targets = concat(this.targets, add.targets);
    }
    if (this.datasetRows === 0) throw new Error(`gps: no usable TO solution after iteration ${i} (statuses ${JSON.stringify(statuses)})`);
    const t1 = performance.now();
    const lossBefore = this.datasetLoss();
    const lossPerEpoch: number[] = [];
    for (let e = 0; e < cfg.epochs; e++) lossPerEpoch.push(this.trainEpoch());
    const lossAfter = this.datasetLoss();
    const m: GpsIterationMetrics = {
      iteration: i, rho, problems: results.length, dropped: results.length - nk, statuses,
      meanToTaskCost: nk ? taskSum / nk : NaN,
      meanTrackingCost: nk ? trackSum / nk : NaN,
      meanTrackingResidual: nk && rollouts ? residSum / nk : NaN,
      meanPolicyCost, policyDiverged,
      meanToIterations: nk ? itSum / nk : NaN,
      datasetRows: this.datasetRows,
      lossBefore, lossAfter, lossPerEpoch,
      toSeconds: (t1 - t0) / 1000,
      trainSeconds: (performance.now() - t1) / 1000,
    };
    this.history.push(m);
    return m;
  }

  /** run the remaining iterations; returns every iteration's metrics */
  async runAll(onIteration?: (m: GpsIterationMetrics) => void): Promise<GpsIterationMetrics[]> {
    while (!this.finished) {
      // (not `onIteration?.(await ...)`: an absent callback would skip the argument, and the iteration)
      const m = await this.runIteration();
      onIteration?.(m);
    }
    return this.history;
  }

  /** one shuffled pass over D in minibatches; returns the mean minibatch loss (before each step) */
  private trainEpoch(): number {
    return regressionEpoch(this.actor, this.opt, this.states, this.targets, this.config.batchSize, this.rng, this.scale, `gps iteration ${this.history.length}`).loss;
  }

  /** the regression loss over D (or given rows), no step */
  datasetLoss(states: Float32Array = this.states, targets: Float32Array = this.targets): number {
    if (targets.length === 0) throw new Error("datasetLoss: the dataset is empty");
    return regressionLossValue(this.actor, states, targets, this.scale);
  }
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
