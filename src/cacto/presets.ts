/**
 * Training presets per system. `reference` is the published configuration (cacto.md section 2);
 * `quick` is the same loop scaled down so a run finishes in a few minutes on 2 cores and still learns.
 */
import type { SystemSpec } from "../systems/specs.js";
import type { SystemName } from "../systems/layout.js";
import { checkSystem, registerSystem } from "../to/validate.js";
import type { SolveOptions } from "../to/types.js";

/** "reference" (the published configuration) or "quick" (scaled down to a few minutes). */
export type PresetName = "quick" | "reference";

/** Everything a CACTO run uses besides its seed (`CactoTrainer.create` validates every field). */
export interface CactoConfig {
  /** a built-in system's name, or a registered user-defined system's (`preset(system)` registers it) */
  system: SystemName | (string & {});
  preset: PresetName;
  /** TO problems per loop (EP_UPDATE) */
  episodesPerLoop: number;
  /** updates after each loop's TO batch: UPDATE_LOOPS[l] */
  updateLoops: number[];
  batchSize: number;
  /** TD(n) horizon, or "mc" for Monte-Carlo returns */
  nStep: number | "mc";
  actorHidden: number[];
  /** actor output: linear (the reference) or tanh * umax (bounded controls) */
  actorOutput?: "linear" | "tanh";
  criticHidden: number[];
  actorLr: number;
  criticLr: number;
  tau: number;
  /** Sobolev weight w_S (0 = plain CACTO) */
  wS: number;
  bufferCapacity: number;
  /** TO budget per problem */
  to: SolveOptions;
  /** manipulator: learning rates halve at these update counts */
  lrHalvings: number[];
  /** worker threads for TO (0 = solve in the main thread) */
  workers: number;
  /**
   * Run the actor's steps on a second thread, overlapped with the critic's (Node only; the results are
   * the same bit for bit). Default: on when `workers` > 0 in Node, off otherwise; true outside Node
   * is an error.
   */
  actorThread?: boolean;
  /**
   * The reference's success rule: keep only converged TO solves (or, with `to.acceptIter` > 0, those stopped at the acceptable level) in the replay buffer (the others are
   * counted as dropped). Default false: every finite solve is kept.
   */
  dropUnconverged?: boolean;
  /**
   * CACTO-SL's value term: "none" (default, the paper's loss: w_S mean (y - V)^2) or "variance"
   * (w_S mean (y - V)^2 / var(y) with var(y) the minibatch's variance of the value targets: a
   * scale-free balance with the slog gradient term, whose size does not depend on the cost's scale;
   * docs/generalisation.md, session 12).
   */
  wSScale?: "none" | "variance";
  /**
   * The reference code's actor-gradient quirk (cacto.md section 2): dQ/du with the value term's
   * gradient divided once more by the state normalisation, which weighs the effort term l_u more.
   * Default false (the correct gradient).
   */
  actorGradQuirk?: boolean;
  /**
   * c in [0, 1]: the actor's dQ/du takes dV/dx' as (1 - c) times the critic's input gradient plus c
   * times the TO solution's value gradient (costate) stored with the minibatch row's next state. 0
   * (default): CACTO's actor. 1: the critic is not used by the actor at all; the actor then follows
   * TO's first-order optimality condition (l_u + f_u^T lam = 0 at TO's controls), a form of imitation of
   * the TO solutions weighted by the effort Hessian - not CACTO (docs/generalisation.md, session 13).
   */
  costateWeight?: number;
  /**
   * Hausknecht and Stone's inverting gradients on the actor's dQ/du (bounded controls): a push toward
   * +-umax is scaled by the remaining distance to it, so the actor does not lock into saturation.
   * Default false (docs/generalisation.md, session 13).
   */
  actorInvertGradients?: boolean;
}

/** 1000, 4000, 7000, ... as in the reference schedule */
function arithmetic(first: number, step: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => first + step * i);
}

const REFERENCE_LOOPS: Record<SystemName, number> = {
  toy1d: 4, single_integrator: 8, double_integrator: 6, car: 13, car_park: 13, manipulator: 17,
};

/**
 * A new CactoConfig: preset `name` for `system` (a built-in name, or a user-defined system from
 * `defineSystem`, which is registered by its name so the trainer and checkpoints find it); throws a
 * RangeError for an unknown system or name. A user-defined system gets the settings of the nonlinear
 * benchmark systems (quick: CACTO-SL with w_S = 1e-2, 128 problems per loop, TO budget 200;
 * reference: 8 loops).
 */
export function preset(system: SystemName | SystemSpec, name: PresetName): CactoConfig {
  let spec: SystemSpec;
  try {
    spec = typeof system === "object" && system !== null && system.model !== undefined ? registerSystem(system) : checkSystem(system);
  } catch (e) {
    throw new RangeError(`preset: ${(e as Error).message}`);
  }
  if (name !== "quick" && name !== "reference") throw new RangeError(`preset: name: got ${JSON.stringify(name)}, expected "quick" or "reference"`);
  system = spec.name as SystemName;
  const integrator = system === "single_integrator" || system === "double_integrator" || system === "toy1d";
  if (name === "reference") {
    const batch = integrator ? 128 : 64;
    return {
      system, preset: name,
      episodesPerLoop: system === "car" ? 250 : 200,
      updateLoops: arithmetic(1000, 3000, REFERENCE_LOOPS[system] ?? 8),
      batchSize: batch,
      nStep: spec.nstepReturn,
      actorHidden: [256, 256],
      actorOutput: "linear",
      criticHidden: [64, 64, 128, 128],
      actorLr: 1e-3, criticLr: 5e-4, tau: 1e-3, wS: 0,
      bufferCapacity: 1 << 16,
      to: { maxIter: 200 },
      lrHalvings: system === "manipulator" ? [200, 300, 400, 500].map((m) => m * ((1 << 16) / batch)) : [],
      workers: 2,
    };
  }
  if (name === "quick") {
    const small = system === "toy1d";
    // single integrator and toy1d: plain CACTO, 64 problems per loop and 100 TO iterations learn a
    // clearly better warm start in under a minute (README). The double integrator, car, car park and
    // manipulator did not learn at that scale (session-1 E1); what helped, measured on the evaluation
    // states with seed 1 (README, "Presets"): the reference's TO budget (200 iterations; many car
    // solves hit 100), twice the problems per loop, and the Sobolev loss with w_S = 1e-2
    // (car: TO from the actor -450 vs -203 from zeros, 100% vs 44% reach; with 100 iterations and
    // plain CACTO -191, 44%)
    const sl = !small && system !== "single_integrator";
    return {
      system, preset: name,
      episodesPerLoop: sl ? 128 : 64,
      updateLoops: small ? [300, 600, 600] : arithmetic(300, 300, 5),
      batchSize: small ? 64 : 128,
      nStep: spec.nstepReturn,
      actorHidden: small ? [32, 32] : [64, 64],
      // bounded controls: with a linear output an early actor proposes controls far beyond umax, the
      // (u/umax)^10 soft bound turns its warm starts into costs of 1e20 and the critic diverges
      // (measured on car_park: critic loss 2e25 by loop 3 with linear, 60 with tanh)
      actorOutput: "tanh",
      criticHidden: small ? [32, 32, 32] : [64, 64, 128, 128],
      // a faster target critic: a short run cannot wait for tau = 1e-3
      actorLr: 1e-3, criticLr: 1e-3, tau: small ? 2e-2 : 1e-2, wS: sl ? 1e-2 : 0,
      bufferCapacity: 1 << 16,
      to: { maxIter: sl ? 200 : 100 },
      lrHalvings: [],
      workers: 2,
    };
  }
  throw new RangeError(`preset: got ${JSON.stringify(name)}, expected "quick" or "reference"`);
}

/**
 * `cfg` with the fields of `set` replaced (experiment S's --set, a sweep's overrides): each key must be
 * a config field (or an optional one: dropUnconverged, actorOutput, wSScale, actorGradQuirk, costateWeight, actorInvertGradients) and not one of `fixed` (named with
 * why: `fixed[key]`); the result is not yet validated (CactoTrainer.create does that).
 */
export function withOverrides(cfg: CactoConfig, set: unknown, fixed: Record<string, string>, where: string): CactoConfig {
  if (typeof set !== "object" || set === null || Array.isArray(set)) throw new TypeError(`${where}: set: got ${JSON.stringify(set)}, expected an object of config fields`);
  for (const [k, v] of Object.entries(set)) {
    if (k in fixed) throw new RangeError(`${where}: set.${k}: got ${JSON.stringify(v)}, expected no override (${fixed[k]})`);
    if (!(k in cfg) && k !== "dropUnconverged" && k !== "actorOutput" && k !== "wSScale" && k !== "actorGradQuirk" && k !== "costateWeight" && k !== "actorInvertGradients") throw new RangeError(`${where}: set: unknown config field ${JSON.stringify(k)}, expected one of ${Object.keys(cfg).join(", ")}`);
  }
  return { ...cfg, ...(set as Partial<CactoConfig>) };
}
