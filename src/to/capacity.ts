/**
 * How long a horizon the engine can hold. A solver's workspace grows linearly with the horizon; the
 * engine addresses at most ENGINE_MAX_BYTES of linear memory (its offsets are 32-bit and signed in
 * places), so each system has a longest horizon, computed here without an engine so that the worker
 * pool can check problems in the calling thread.
 */
import type { SystemSpec } from "../systems/specs.js";

/** the engine's memory ceiling: 2 GiB */
export const ENGINE_MAX_BYTES = 2 ** 31;
/** kept free below the ceiling for the fixed part of a workspace (header, scratch, history) and the heap base */
const RESERVE_BYTES = 64 * 2 ** 20;
/** the solver's own cap, whatever the memory */
export const HORIZON_CAP = 1_000_000;

/**
 * Bytes per node of a workspace: 8 state-sized arrays (X, two trial X, F, l_x, two V_x, xi), 7 control-sized
 * ones (U, two trial U, l_u, two k, uRef), A and three n x n (l_xx, two V_xx), B, l_ux and two K (n x m each),
 * l_uu and three cost arrays. Mirrors assembly/solver/workspace.ts (a test checks it against the engine).
 */
export function workspaceBytesPerNode(nx: number, nu: number): number {
  return 8 * (8 * nx + 7 * nu + 4 * nx * nx + 4 * nx * nu + nu * nu + 3);
}

/** the longest horizon a solver for this system accepts */
export function maxHorizonFor(spec: Pick<SystemSpec, "nx" | "nu">): number {
  const byMemory = Math.floor((ENGINE_MAX_BYTES - RESERVE_BYTES) / workspaceBytesPerNode(spec.nx, spec.nu));
  return Math.min(HORIZON_CAP, byMemory);
}

/** throws naming `param` when a horizon is outside 1..maxHorizonFor(spec) */
export function checkHorizon(param: string, N: unknown, spec: Pick<SystemSpec, "nx" | "nu" | "name">): number {
  const hi = maxHorizonFor(spec);
  if (typeof N !== "number" || !Number.isInteger(N) || N < 1 || N > hi) {
    const why = hi < HORIZON_CAP && typeof N === "number" && Number.isInteger(N) && N > hi && N <= HORIZON_CAP
      ? ` (a longer ${spec.name} horizon needs more than the engine's ${ENGINE_MAX_BYTES / 2 ** 30} GiB of memory)` : "";
    throw new RangeError(`${param}: got ${typeof N === "string" ? JSON.stringify(N) : String(N)}, expected an integer in [1, ${hi}]${why}`);
  }
  return N;
}
