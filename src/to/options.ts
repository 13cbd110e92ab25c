/** Solver options: defaults (docs/algorithm.md) and validation into a normalised form. */
import type { SolveOptions } from "./types.js";
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
}

const KEYS = ["maxIter", "tol", "timeLimitMs", "reg", "muInit", "muMin", "muMax", "muFactor", "lsSteps", "armijo", "box", "computeVxx"] as const;

export function normaliseOptions(o: SolveOptions | undefined, umax: readonly number[]): NormalisedOptions {
  const opts = o ?? {};
  if (typeof opts !== "object") throw new TypeError(`options: got ${show(opts)}, expected an object`);
  checkKeys("options", opts, KEYS);
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
  const muMax = checkNumber("options.muMax", opts.muMax ?? 1e10, muMin, 1e300);
  const cv = opts.computeVxx ?? false;
  if (typeof cv !== "boolean") throw new TypeError(`options.computeVxx: got ${show(cv)}, expected a boolean`);
  return {
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
  };
}
