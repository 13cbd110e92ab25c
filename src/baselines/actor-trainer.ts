/**
 * What the regression-trained actors (imitation, coupled imitation) share: the actor and its Adam
 * optimiser, the engine's solver and batched model, TO on a worker pool loaded on demand, batched
 * actions and rollouts with CactoTrainer.actorRollout's contract, close/dispose.
 */
import { Engine } from "../wasm/engine.js";
import { Solver } from "../to/solver.js";
import type { SolverPool } from "../to/pool.js";
import { ModelEvaluator } from "../to/model.js";
import type { Problem, SolveOptions, SolveResult } from "../to/types.js";
import { SYSTEMS, type SystemSpec } from "../systems/specs.js";
import type { SystemName } from "../systems/layout.js";
import type { Rng } from "../rng.js";
import { Actor, Adam } from "../rl/networks.js";
import { rolloutPolicy, type RolloutStart, type PolicyRollout } from "../rl/rollout.js";
import { actBatch } from "../rl/supervised.js";

export interface RegressionActorConfig {
  system: SystemName;
  actorHidden: number[];
  /** LeakyReLU slope */
  actorAlpha: number;
  actorOutput: "linear" | "tanh";
  lr: number;
  /** weight the regression error of control j by 1/umax_j */
  scaleByUmax: boolean;
  /** worker threads for TO (0 = solve in the main thread) */
  workers: number;
}

/** the actor (weights drawn from rng, or zeros to be overwritten when rng is null) and its optimiser */
export function makeRegressionActor(config: RegressionActorConfig, rng: Rng | null): { actor: Actor; opt: Adam } {
  const spec = SYSTEMS[config.system];
  const actor = new Actor({
    nIn: spec.nx + 1, nu: spec.nu, hidden: config.actorHidden.slice(), alpha: config.actorAlpha,
    output: config.actorOutput, umax: spec.umax.slice(),
  }, rng);
  return { actor, opt: new Adam(actor.variables(), { lr: config.lr }) };
}

export abstract class RegressionActorTrainer<C extends RegressionActorConfig> {
  readonly config: C;
  readonly spec: SystemSpec;
  readonly seed: number;
  readonly actor: Actor;
  readonly opt: Adam;
  readonly rng: Rng;
  protected readonly scale: number[] | undefined;
  protected readonly model: ModelEvaluator;
  private readonly solver: Solver;
  private pool: SolverPool | null = null;

  protected constructor(config: C, seed: number, actor: Actor, opt: Adam, rng: Rng, engine: Engine) {
    this.config = config;
    this.spec = SYSTEMS[config.system];
    this.seed = seed;
    this.actor = actor;
    this.opt = opt;
    this.rng = rng;
    this.scale = config.scaleByUmax ? this.spec.umax.map((u) => 1 / u) : undefined;
    this.solver = new Solver(engine, this.spec.name);
    this.model = new ModelEvaluator(engine, this.spec.name);
  }

  /** solve the problems on the worker pool (started on first use) when workers > 0, else in this thread */
  protected async solveAll(problems: Problem[], options: SolveOptions): Promise<SolveResult[]> {
    if (this.config.workers > 0) {
      // loaded on demand: the pool needs Node's worker_threads, which browsers lack (they use workers: 0)
      this.pool ??= await (await import("../to/pool.js")).SolverPool.create({ workers: this.config.workers });
      return this.pool.solveBatch(this.spec.name, problems, options);
    }
    return this.solver.solveBatch(problems, options);
  }

  /** pi(s) for a batch of normalised inputs: nb*nu float32 */
  act(states: Float32Array): Float32Array {
    return actBatch(this.actor, states);
  }

  /**
   * Roll the actor out from each (x0, k0) for its own horizon nsteps - k0, all problems together: one
   * network call per time step for the problems still running, dynamics stepped in WASM (the contract
   * of CactoTrainer.actorRollout). Returns the controls of each problem (N*nu) and its states ((N+1)*nx).
   */
  actorRollout(starts: RolloutStart[]): PolicyRollout[] {
    return rolloutPolicy(this.spec, this.model, (s) => this.act(s), starts);
  }

  /** stop the TO worker pool if one was started, so its threads do not keep Node running */
  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = null;
  }

  /** free the actor's and its optimiser's tensors; the trainer cannot be used afterwards */
  dispose(): void {
    this.actor.dispose();
    this.opt.dispose();
  }
}
