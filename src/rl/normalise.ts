/**
 * Network input normalisation (spec section 2): s = [x_j / norm_j ..., 2t/T - 1] with t = k dt and
 * T = nsteps dt, so the time component is 2k/nsteps - 1 in [-1, 1]. Rows are float32 (the networks
 * run in float32); the solver data is float64.
 *
 * Chain rule back to state units: dV/dx_j = (dV/ds_j) / norm_j, dV/dt = (dV/ds_t) * 2/T.
 */
import type { SystemSpec } from "../systems/specs.js";

/** the part of a system spec the normalisation needs */
export type NormSpec = Pick<SystemSpec, "nx" | "norm" | "nsteps" | "dt">;

/** width of a network input row: nx + 1 (time) */
export function inputSize(spec: Pick<SystemSpec, "nx">): number {
  return spec.nx + 1;
}

/**
 * Normalise a batch: X is nb*nx (row-major), k one step index per row (or a single number for all
 * rows). Returns nb*(nx+1) float32 (written into `out` if given).
 */
export function normaliseStates(
  spec: NormSpec, X: ArrayLike<number>, k: ArrayLike<number> | number, out?: Float32Array,
): Float32Array {
  const nx = spec.nx;
  if (X.length % nx !== 0) throw new RangeError(`normaliseStates: X has ${X.length} values, not a multiple of nx = ${nx}`);
  const nb = X.length / nx;
  if (typeof k !== "number" && k.length !== nb) {
    throw new RangeError(`normaliseStates: got ${k.length} step indices for ${nb} rows`);
  }
  const ni = nx + 1;
  const s = out ?? new Float32Array(nb * ni);
  if (s.length < nb * ni) throw new RangeError(`normaliseStates: out holds ${s.length} values, need ${nb * ni}`);
  const inv = invNorm(spec);
  const tScale = 2 / spec.nsteps;
  for (let i = 0; i < nb; i++) {
    for (let j = 0; j < nx; j++) s[i * ni + j] = X[i * nx + j] * inv[j];
    const ki = typeof k === "number" ? k : k[i];
    s[i * ni + nx] = ki * tScale - 1;
  }
  return s;
}

/** 1/norm_j (float64): the chain factor dV/dx_j = dV/ds_j * chainFactor[j] */
export function invNorm(spec: Pick<SystemSpec, "nx" | "norm">): Float64Array {
  if (spec.norm.length !== spec.nx) throw new RangeError(`norm has ${spec.norm.length} entries, expected nx = ${spec.nx}`);
  const inv = new Float64Array(spec.nx);
  for (let j = 0; j < spec.nx; j++) {
    const n = spec.norm[j];
    if (!(n > 0) || !Number.isFinite(n)) throw new RangeError(`norm[${j}] = ${n}: expected a positive finite number`);
    inv[j] = 1 / n;
  }
  return inv;
}

/** alias with the name the spec uses */
export const chainFactor = invNorm;

/**
 * Turn gradients w.r.t. the normalised input (nb*(nx+1), as from criticGradInput) into gradients
 * w.r.t. the state: returns dV/dx (nb*nx, float64) and, if asked, dV/dt (nb, per second).
 */
export function gradToState(
  spec: NormSpec, dVds: ArrayLike<number>, out?: Float64Array, dVdt?: Float64Array,
): Float64Array {
  const nx = spec.nx;
  const ni = nx + 1;
  if (dVds.length % ni !== 0) throw new RangeError(`gradToState: ${dVds.length} values, not a multiple of nx+1 = ${ni}`);
  const nb = dVds.length / ni;
  const inv = invNorm(spec);
  const g = out ?? new Float64Array(nb * nx);
  const tFactor = 2 / (spec.nsteps * spec.dt);
  for (let i = 0; i < nb; i++) {
    for (let j = 0; j < nx; j++) g[i * nx + j] = dVds[i * ni + j] * inv[j];
    if (dVdt) dVdt[i] = dVds[i * ni + nx] * tFactor;
  }
  return g;
}
