/** The naive warm starts of the evaluation protocol, and validation of explicit ones. */
import { Rng } from "../rng.js";
import type { Problem, WarmStart } from "./types.js";
import { checkVector, show, checkInt } from "./validate.js";

/** controls (and optional states) a solve starts from */
export function buildWarmStart(
  p: Problem, nx: number, nu: number, N: number, umax: readonly number[], name = "problem",
): { U: Float64Array; X: Float64Array | null } {
  const w = p.warmStart ?? "zeros";
  if (w === "zeros") return { U: new Float64Array(N * nu), X: null };
  if (w === "ics") {
    const X = new Float64Array((N + 1) * nx);
    for (let k = 0; k <= N; k++) for (let i = 0; i < nx; i++) X[k * nx + i] = p.x0[i];
    return { U: new Float64Array(N * nu), X };
  }
  if (w === "random") {
    const rng = new Rng(checkInt(`${name}.seed`, p.seed ?? 1, -2147483648, 4294967295));
    const U = new Float64Array(N * nu);
    for (let k = 0; k < N; k++) for (let i = 0; i < nu; i++) U[k * nu + i] = rng.uniform(-umax[i], umax[i]);
    return { U, X: null };
  }
  if (typeof w === "object" && w !== null) {
    const ws = w as WarmStart;
    const U = Float64Array.from(checkVector(`${name}.warmStart.U`, ws.U, N * nu));
    const X = ws.X === undefined || ws.X === null ? null : Float64Array.from(checkVector(`${name}.warmStart.X`, ws.X, (N + 1) * nx));
    return { U, X };
  }
  throw new RangeError(`${name}.warmStart: got ${show(w)}, expected "zeros", "ics", "random" or { U, X? }`);
}
