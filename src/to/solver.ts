/**
 * The trajectory-optimisation front for one system: validates problems, writes them into a reusable
 * WASM workspace, runs the engine's solve (one call per solve) and copies the results out.
 */
import { Engine } from "../wasm/engine.js";
import { H, O, R, HIST_CAP } from "../wasm/abi.js";
import { buildParams, type SystemSpec } from "../systems/specs.js";
import { P } from "../systems/layout.js";
import type { Problem, SolveOptions, SolveResult } from "./types.js";
import { STATUS_NAMES } from "./types.js";
import { isAcceptable, normaliseOptions, type NormalisedOptions } from "./options.js";
import { buildWarmStart } from "./warmstart.js";
import { checkKeys, checkSystem, checkVector, paramBlock, show } from "./validate.js";
import { checkHorizon, maxHorizonFor } from "./capacity.js";

/** Settings of one solver (`new Solver`, `createSolver`). */
export interface SolverConfig {
  /** initial workspace capacity in steps (grows on demand; default the system's NSTEPS) */
  maxHorizon?: number;
  /**
   * a full parameter block of 64 values (default: the system's published constants); for a system
   * from `defineSystem`, its own parameters may be given alone (they start the block)
   */
  params?: ArrayLike<number>;
}

/** the engine's workspace for one (system, capacity) */
class Workspace {
  readonly ptr: number;
  readonly nmax: number;
  private hdr: Uint32Array;

  constructor(readonly engine: Engine, readonly spec: SystemSpec, nmax: number, params: Float64Array) {
    const e = engine.exports;
    this.nmax = nmax;
    this.ptr = engine.alloc(e.wsBytes(spec.nx, spec.nu, nmax) >>> 0);
    const sys = engine.modelId(spec);
    if (e.nx(sys) !== spec.nx || e.nu(sys) !== spec.nu) {
      throw new RangeError(`system "${spec.name}": its model has nx = ${e.nx(sys)}, nu = ${e.nu(sys)}, the spec says nx = ${spec.nx}, nu = ${spec.nu}`);
    }
    e.wsInit(this.ptr, sys, spec.nx, spec.nu, nmax);
    this.hdr = Uint32Array.from(engine.u32(this.ptr, H.SIZE));
    engine.f64(this.hdr[H.PARAMS], P.N).set(params);
  }

  /** re-read the header: the engine swaps its gain/value buffers between solves */
  refresh(): void {
    this.hdr.set(this.engine.u32(this.ptr, H.SIZE));
  }

  view(slot: number, length: number): Float64Array {
    return this.engine.f64(this.hdr[slot], length);
  }

  setHorizon(N: number): void {
    this.engine.u32(this.ptr, H.SIZE)[H.N] = N;
  }
}

export interface PreparedProblem {
  x0: Float64Array;
  N: number;
  warm: { U: Float64Array; X: Float64Array | null };
  /** control reference of the tracking term, N*nu (null: none given) */
  uRef: Float64Array | null;
}

/** validate a problem and build its warm start (throws naming `name` and the bad field) */
const PROBLEM_KEYS = ["x0", "horizon", "warmStart", "seed", "uRef"] as const;

export function prepareProblem(spec: SystemSpec, problem: Problem, name: string): PreparedProblem {
  if (typeof problem !== "object" || problem === null) {
    throw new TypeError(`${name}: got ${show(problem)}, expected { x0, horizon?, warmStart? }`);
  }
  // an unknown key is most likely a typo (horizn): rejected like unknown option keys
  checkKeys(name, problem, PROBLEM_KEYS, "key");
  const { nx, nu } = spec;
  const x0 = Float64Array.from(checkVector(`${name}.x0`, problem.x0, nx));
  const N = checkHorizon(`${name}.horizon`, problem.horizon ?? spec.nsteps, spec);
  const warm = buildWarmStart({ ...problem, x0 }, nx, nu, N, spec.umax, name);
  const uRef = problem.uRef === undefined || problem.uRef === null
    ? null : Float64Array.from(checkVector(`${name}.uRef`, problem.uRef, N * nu));
  return { x0, N, warm, uRef };
}

/** a positive tracking weight needs every problem's uRef (throws naming the problem) */
export function checkTracking(pp: PreparedProblem, o: NormalisedOptions, name: string): void {
  if (o.trackWeight > 0 && !pp.uRef) {
    throw new RangeError(`${name}.uRef: got none, expected ${pp.warm.U.length} finite numbers because options.trackWeight = ${o.trackWeight} > 0`);
  }
}

/** 0.5 rho sum ||u - uref||^2 over N*nu values (summed node by node as the engine does) */
export function trackingCost(U: ArrayLike<number>, uRef: ArrayLike<number>, rho: number, N: number, nu: number): number {
  let total = 0;
  for (let k = 0; k < N; k++) {
    let s = 0;
    for (let i = 0; i < nu; i++) { const d = U[k * nu + i] - uRef[k * nu + i]; s += d * d; }
    total += 0.5 * rho * s;
  }
  return total;
}

/**
 * Solves TO problems of one system on an engine, reusing one workspace (grown for a longer horizon;
 * memory never shrinks). `createSolver` makes one on a fresh engine.
 */
export class Solver {
  readonly spec: SystemSpec;
  readonly engine: Engine;
  readonly params: Float64Array;
  private ws: Workspace;

  constructor(engine: Engine, system: string | SystemSpec, config: SolverConfig = {}) {
    this.engine = engine;
    this.spec = checkSystem(system);
    const cap = config.maxHorizon ?? this.spec.nsteps;
    checkHorizon("maxHorizon", cap, this.spec);
    this.params = config.params ? paramBlock(this.spec, config.params) : buildParams(this.spec);
    this.ws = new Workspace(engine, this.spec, cap, this.params);
  }

  get nx(): number { return this.spec.nx; }
  get nu(): number { return this.spec.nu; }

  /** solve one problem; never throws for numerical trouble (see result.status), only for bad input */
  solve(problem: Problem, options?: SolveOptions): SolveResult {
    return this.run(problem, normaliseOptions(options, this.spec.umax, this.spec.nx, this.spec.solverDefaults));
  }

  /** solve independent problems one after another in this instance (same results as solve) */
  solveBatch(problems: readonly Problem[], options?: SolveOptions): SolveResult[] {
    if (!Array.isArray(problems)) throw new TypeError(`problems: got ${show(problems)}, expected an array of problems`);
    const opts = normaliseOptions(options, this.spec.umax, this.spec.nx, this.spec.solverDefaults);
    // validate everything first so a bad problem in the middle does not waste the others' work
    const prepared = problems.map((p, i) => this.prepare(p, `problems[${i}]`));
    prepared.forEach((pp, i) => checkTracking(pp, opts, `problems[${i}]`));
    return prepared.map((pp) => this.execute(pp, opts));
  }

  private run(problem: Problem, opts: NormalisedOptions): SolveResult {
    const pp = this.prepare(problem, "problem");
    checkTracking(pp, opts, "problem");
    return this.execute(pp, opts);
  }

  /** solve already-validated problems (the worker pool validates in the calling thread) */
  solvePrepared(pp: PreparedProblem, options?: SolveOptions): SolveResult {
    const opts = normaliseOptions(options, this.spec.umax, this.spec.nx, this.spec.solverDefaults);
    checkTracking(pp, opts, "problem");
    return this.execute(pp, opts);
  }

  private prepare(problem: Problem, name: string): PreparedProblem {
    return prepareProblem(this.spec, problem, name);
  }

  private execute(pp: PreparedProblem, o: NormalisedOptions): SolveResult {
    const { nx, nu } = this.spec;
    const { x0, N, warm } = pp;
    if (N > this.ws.nmax) {
      // the old workspace is handed back first (it is the engine's last block), so growth does not leak
      const nmax = Math.min(Math.max(N, 2 * this.ws.nmax), maxHorizonFor(this.spec));
      const old = this.ws.nmax;
      this.engine.release(this.ws.ptr);
      try {
        this.ws = new Workspace(this.engine, this.spec, nmax, this.params);
      } catch (e) {
        // the larger block did not fit (e.g. other solvers share this engine's memory): take the old
        // size back (it fitted before, at the same place), so this solver never points at a block
        // another solver may be given, then report the failure
        this.ws = new Workspace(this.engine, this.spec, old, this.params);
        throw e;
      }
    }
    const ws = this.ws;
    ws.setHorizon(N);
    ws.view(H.X0, nx).set(x0);
    ws.view(H.U, N * nu).set(warm.U);
    if (warm.X) ws.view(H.X, (N + 1) * nx).set(warm.X);
    const opt = ws.view(H.OPT, O.LEN);
    opt[O.MAXITER] = o.maxIter;
    opt[O.TOL] = o.tol;
    opt[O.TIME] = o.timeLimitMs;
    opt[O.REG] = o.reg;
    opt[O.MUINIT] = o.muInit;
    opt[O.MUMIN] = o.muMin;
    opt[O.MUMAX] = o.muMax;
    opt[O.MUFACTOR] = o.muFactor;
    opt[O.LSSTEPS] = o.lsSteps;
    opt[O.ARMIJO] = o.armijo;
    opt[O.BOX] = o.box ? 1 : 0;
    opt[O.HASX] = warm.X ? 1 : 0;
    opt[O.TERM] = o.terminal ? o.terminal.mode : 0;
    opt[O.HESS] = o.hessian;
    opt[O.GRADTOL] = o.gradTol;
    opt[O.ACCTOL] = o.acceptTol;
    opt[O.ACCITER] = o.acceptIter;
    opt[O.ALPHAMAX] = o.alphaMax;
    opt[O.MUDROPS] = o.goodStepMuDrops;
    opt[O.SPLIT] = o.hybridSplit ? 1 : 0;
    opt[O.MUJUMP] = o.muJump ? 1 : 0;
    if (o.terminal) ws.view(H.TQ, o.terminal.block.length).set(o.terminal.block);
    const track = pp.uRef && o.trackWeight > 0 ? o.trackWeight : 0;
    opt[O.TRACK] = track;
    if (track > 0) ws.view(H.UREF, N * nu).set(pp.uRef!);
    if (o.box) {
      ws.view(H.LB, nu).set(o.box.lower);
      ws.view(H.UB, nu).set(o.box.upper);
    }
    const status = this.engine.exports.solve(ws.ptr);
    ws.refresh();
    const out = ws.view(H.OUT, R.LEN);
    const nHist = Math.min(out[R.NHIST], HIST_CAP);
    const U = ws.view(H.U, N * nu).slice();
    const X = ws.view(H.X, (N + 1) * nx).slice();
    // states that are not finite have no meaningful gaps: not feasible, gap NaN
    const finiteX = allFinite(X);
    const res: SolveResult = {
      status,
      statusName: STATUS_NAMES[status],
      iterations: out[R.ITER],
      cost: out[R.COST],
      trackingCost: track > 0 ? trackingCost(U, pp.uRef!, track, N, nu) : 0,
      X,
      U,
      costs: ws.view(H.C, N + 1).slice(),
      K: ws.view(H.K, N * nu * nx).slice(),
      k: ws.view(H.KFF, N * nu).slice(),
      Vx: ws.view(H.VX, (N + 1) * nx).slice(),
      stationarity: out[R.STAT],
      acceptable: isAcceptable(status, finiteX && out[R.FEAS] !== 0, out[R.STAT], out[R.COST], o.acceptTol),
      exactFrom: out[R.SWITCH],
      exactSteps: out[R.NEXACT],
      splitSteps: out[R.NSPLIT],
      gainsValid: out[R.BWDOK] !== 0,
      mu: out[R.MU],
      feasible: finiteX && out[R.FEAS] !== 0 && STATUS_NAMES[status] !== "non-finite",
      maxGap: finiteX ? out[R.MAXGAP] : NaN,
      timeMs: out[R.TIME],
      profile: { derivativesMs: out[R.TDIFF], backwardMs: out[R.TBWD], forwardMs: out[R.TFWD], forwardPasses: out[R.NFWD], backwardPasses: out[R.NBWD] },
      costHistory: Array.from(ws.view(H.HIST, nHist)),
      horizon: N,
      nx,
      nu,
    };
    if (o.computeVxx) res.Vxx = ws.view(H.VXX, (N + 1) * nx * nx).slice();
    return res;
  }
}

function allFinite(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}
