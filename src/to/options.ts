/** Solver options: defaults (docs/algorithm.md) and validation into a normalised form. */
import type { SolveOptions } from "./types.js";
import type { SolverDefaults } from "../systems/specs.js";
import { checkInt, checkKeys, checkNumber, checkVector, show } from "./validate.js";

export interface NormalisedOptions {
  maxIter: number;
  tol: number;
  timeLimitMs: number;
  reg: 0 | 1;
  muInit: number;
  muMin: number;
  muMax: number;
  muFactor: number;
  lsSteps: number;
  armijo: number;
  box: { lower: Float64Array; upper: Float64Array } | null;
  computeVxx: boolean;
  /** 0 none, 1 replace, 2 add; block = [v0, g, H, xref] */
  terminal: { mode: 1 | 2; block: Float64Array } | null;
  /** rho of the control-tracking term (0 = off) */
  trackWeight: number;
  /** 0 Gauss-Newton, 1 exact, 2 auto, 3 hybrid */
  hessian: 0 | 1 | 2 | 3;
  gradTol: number;
  acceptTol: number;
  acceptIter: number;
  alphaMax: number;
  goodStepMuDrops: number;
  hybridSplit: boolean;
  muJump: boolean;
}

/** the default local model of the solver (docs/convergence.md has the measurements behind it) */
export const DEFAULT_HESSIAN = "gauss-newton";
export const DEFAULT_GRAD_TOL = 0;
/** `SolveOptions.hybridSplit`'s default */
export const DEFAULT_HYBRID_SPLIT = false;
/** `SolveOptions.muJump`'s default */
export const DEFAULT_MU_JUMP = true;
/** the acceptable level of `SolveOptions.acceptTol` */
export const DEFAULT_ACCEPT_TOL = 1e-6;
const HESSIANS = ["gauss-newton", "exact", "auto", "hybrid"] as const;

const KEYS = ["maxIter", "tol", "timeLimitMs", "reg", "muInit", "muMin", "muMax", "muFactor", "lsSteps", "armijo", "box", "computeVxx", "terminalModel", "trackWeight", "hessian", "gradTol", "acceptTol", "acceptIter", "alphaMax", "goodStepMuDrops", "hybridSplit", "muJump"] as const;

/**
 * Validate a solve's options into the engine's form. `defaults` (a system's `solverDefaults`) fill
 * the hessian, muFactor and reg options the caller leaves unset.
 */
export function normaliseOptions(
  o: SolveOptions | undefined, umax: readonly number[], nx = 0, defaults: SolverDefaults = {},
): NormalisedOptions {
  const given = o ?? {};
  if (typeof given !== "object") throw new TypeError(`options: got ${show(given)}, expected an object`);
  checkKeys("options", given, KEYS);
  const opts: SolveOptions = {
    ...given,
    hessian: given.hessian ?? defaults.hessian,
    muFactor: given.muFactor ?? defaults.muFactor,
    reg: given.reg ?? defaults.reg,
  };
  const nu = umax.length;
  const reg = opts.reg ?? "quu";
  if (reg !== "quu" && reg !== "vxx") throw new RangeError(`options.reg: got ${show(reg)}, expected "quu" or "vxx"`);
  let box: NormalisedOptions["box"] = null;
  if (opts.box === true) {
    box = { lower: Float64Array.from(umax, (u) => -u), upper: Float64Array.from(umax) };
  } else if (opts.box && typeof opts.box === "object") {
    const lower = Float64Array.from(checkVector("options.box.lower", opts.box.lower, nu));
    const upper = Float64Array.from(checkVector("options.box.upper", opts.box.upper, nu));
    for (let i = 0; i < nu; i++) {
      if (!(lower[i] <= upper[i])) {
        throw new RangeError(`options.box: lower[${i}] = ${lower[i]} exceeds upper[${i}] = ${upper[i]}, expected lower <= upper`);
      }
    }
    box = { lower, upper };
  } else if (opts.box !== undefined && opts.box !== null && opts.box !== false) {
    throw new TypeError(`options.box: got ${show(opts.box)}, expected true, false, null or { lower, upper }`);
  }
  const muMin = checkNumber("options.muMin", opts.muMin ?? 1e-9, 0, 1e300, { openLo: true });
  const muMax = checkNumber("options.muMax", opts.muMax ?? 1e20, muMin, 1e300);
  const cv = opts.computeVxx ?? false;
  if (typeof cv !== "boolean") throw new TypeError(`options.computeVxx: got ${show(cv)}, expected a boolean`);
  let terminal: NormalisedOptions["terminal"] = null;
  const tm = opts.terminalModel;
  if (tm !== undefined && tm !== null) {
    if (typeof tm !== "object") throw new TypeError(`options.terminalModel: got ${show(tm)}, expected { mode, value, gradient, hessian, xref } or null`);
    if (tm.mode !== "replace" && tm.mode !== "add") throw new RangeError(`options.terminalModel.mode: got ${show(tm.mode)}, expected "replace" or "add"`);
    if (nx < 1) throw new RangeError("options.terminalModel: the state dimension is unknown here");
    const block = new Float64Array(1 + 2 * nx + nx * nx);
    block[0] = checkNumber("options.terminalModel.value", tm.value, -Number.MAX_VALUE, Number.MAX_VALUE);
    block.set(checkVector("options.terminalModel.gradient", tm.gradient, nx), 1);
    const H = checkVector("options.terminalModel.hessian", tm.hessian, nx * nx);
    for (let i = 0; i < nx; i++) for (let j = 0; j < nx; j++) block[1 + nx + i * nx + j] = 0.5 * (H[i * nx + j] + H[j * nx + i]);
    block.set(checkVector("options.terminalModel.xref", tm.xref, nx), 1 + nx + nx * nx);
    terminal = { mode: tm.mode === "replace" ? 1 : 2, block };
  }
  const hybridSplit = opts.hybridSplit ?? DEFAULT_HYBRID_SPLIT;
  if (typeof hybridSplit !== "boolean") throw new TypeError(`options.hybridSplit: got ${show(hybridSplit)}, expected a boolean`);
  const muJump = opts.muJump ?? DEFAULT_MU_JUMP;
  if (typeof muJump !== "boolean") throw new TypeError(`options.muJump: got ${show(muJump)}, expected a boolean`);
  const hessian = opts.hessian ?? DEFAULT_HESSIAN;
  const hi = HESSIANS.indexOf(hessian as (typeof HESSIANS)[number]);
  if (hi < 0) throw new RangeError(`options.hessian: got ${show(hessian)}, expected "gauss-newton", "exact", "auto" or "hybrid"`);
  return {
    terminal,
    hessian: hi as 0 | 1 | 2 | 3,
    gradTol: checkNumber("options.gradTol", opts.gradTol ?? DEFAULT_GRAD_TOL, 0, 1e300),
    acceptTol: checkNumber("options.acceptTol", opts.acceptTol ?? DEFAULT_ACCEPT_TOL, 0, 1e300),
    acceptIter: checkInt("options.acceptIter", opts.acceptIter ?? 0, 0, 1_000_000),
    alphaMax: checkNumber("options.alphaMax", opts.alphaMax ?? 8, 1, 2 ** 30),
    goodStepMuDrops: checkInt("options.goodStepMuDrops", opts.goodStepMuDrops ?? 3, 1, 100),
    hybridSplit,
    muJump,
    maxIter: checkInt("options.maxIter", opts.maxIter ?? 200, 0, 1_000_000),
    tol: checkNumber("options.tol", opts.tol ?? 1e-9, 0, 1e300),
    timeLimitMs: checkNumber("options.timeLimitMs", opts.timeLimitMs ?? Infinity, 0, Infinity, { allowInfinity: true, openLo: true }),
    reg: reg === "quu" ? 0 : 1,
    muInit: checkNumber("options.muInit", opts.muInit ?? 0, 0, muMax),
    muMin,
    muMax,
    muFactor: checkNumber("options.muFactor", opts.muFactor ?? 10, 1, 1e6, { openLo: true }),
    lsSteps: checkInt("options.lsSteps", opts.lsSteps ?? 10, 1, 60),
    armijo: checkNumber("options.armijo", opts.armijo ?? 0.1, 0, 1, { openLo: true }),
    box,
    computeVxx: cv,
    trackWeight: checkNumber("options.trackWeight", opts.trackWeight ?? 0, 0, 1e300),
  };
}

/**
 * `SolveResult.acceptable`: status 0 (converged) or 5 (acceptable), or a feasible trajectory whose
 * stationarity is at most acceptTol * max(1, |cost|). The TS reference (src/ref/solver.ts) computes the same inline.
 */
export function isAcceptable(status: number, feasible: boolean, stationarity: number, cost: number, acceptTol: number): boolean {
  if (status === 0 || status === 5) return true;
  return feasible && Number.isFinite(cost) && stationarity <= acceptTol * Math.max(1, Math.abs(cost));
}
