/**
 * cacto-wasm: the public API.
 *
 * ```ts
 * import { createSolver } from "cacto-wasm";
 * const solver = await createSolver("car");
 * const r = solver.solve({ x0: [10, 0, 0, 0, 0] });
 * console.log(r.statusName, r.cost, r.iterations);
 * ```
 */
import { Engine } from "./wasm/engine.js";
import type { LoadOptions } from "./wasm/load.js";
import { Solver, type SolverConfig } from "./to/solver.js";
import type { SystemSpec } from "./systems/specs.js";

export { Engine } from "./wasm/engine.js";
export type { LoadOptions, EngineFlavour } from "./wasm/load.js";
export { Solver, type SolverConfig } from "./to/solver.js";
export type { Problem, SolveOptions, SolveResult, WarmStart, WarmStartKind, StatusName } from "./to/types.js";
export { STATUS_NAMES } from "./to/types.js";
export { SYSTEMS, buildParams, type SystemSpec } from "./systems/specs.js";
export { SYSTEM_NAMES, type SystemName, P as PARAM_INDEX } from "./systems/layout.js";
export { Rng } from "./rng.js";
export { maxHorizonFor, ENGINE_MAX_BYTES } from "./to/capacity.js";
export { ModelEvaluator } from "./to/model.js";
export { defineSystem, referenceModel, type SystemDefinition, type UserSystem, type SymbolicModel } from "./systems/define.js";
export type { ModelModule } from "./wasm/engine.js";
/** Symbolic expressions for `defineSystem`: variables, operations, derivatives, evaluation, WASM code generation. */
export * as sym from "./sym/index.js";
/** Reusable cost terms for `defineSystem` (target distance, valley, ellipse and box obstacles, soft control bounds, sums of squares). */
export * as costTerms from "./systems/cost-terms.js";
export { registerSystem, registeredSystemNames } from "./to/validate.js";

/** a solver for one system on a fresh engine instance */
export async function createSolver(
  system: string | SystemSpec, config: SolverConfig & LoadOptions = {},
): Promise<Solver> {
  const engine = await Engine.create(config);
  // a user-defined system's model is compiled asynchronously (browsers refuse large sync compiles)
  if (typeof system === "object" && system !== null && system.model) await engine.loadModel(system.model);
  return new Solver(engine, system, config);
}
