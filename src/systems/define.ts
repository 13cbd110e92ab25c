/**
 * Your own system (issue 13): dynamics and costs written in TypeScript as symbolic expressions
 * (src/sym), exact first and second derivatives taken symbolically, everything compiled at run time
 * to a WASM module that plugs into the engine's model interface (assembly/models/registry.ts). The
 * result is a SystemSpec, so `createSolver(system)`, `new Solver(engine, system)` and
 * `ModelEvaluator` take it like a built-in name. `referenceModel(system)` is the plain-TS
 * interpretation of the same expressions (tests, the TS reference solver).
 */
import { variable, constant, jacobian, hessian, gradient, evaluate, count, emitModule, topoOrder, structuralHash, type Expr, type GenFunction } from "../sym/index.js";
import { SYSTEM_NAMES } from "./layout.js";
import { fnv1a } from "../hash.js";
import { show } from "../to/validate.js";
import type { ModelModule } from "../wasm/engine.js";
import type { RefModel } from "../ref/model.js";
import { P } from "./layout.js";
import type { SystemSpec, SolverDefaults, SystemGoal } from "./specs.js";

type Scalar = Expr | number;

/** What `defineSystem` needs: dimensions, dt, the discrete dynamics, the costs and the learning ranges. */
export interface SystemDefinition {
  /** a name for messages, reports and checkpoints (not one of the built-in names) */
  name: string;
  title?: string;
  nx: number;
  nu: number;
  /** time step (documentation and rollouts; the dynamics below are already discrete) */
  dt: number;
  /** episode length in steps; the default TO horizon */
  nsteps: number;
  stateNames?: string[];
  controlNames?: string[];
  /** x_{k+1} = f(x_k, u_k): nx expressions of the variables x, u and the parameters p */
  dynamics(x: Expr[], u: Expr[], p: Expr[]): Scalar[];
  /** running cost l(x, u) */
  running(x: Expr[], u: Expr[], p: Expr[]): Scalar;
  /** terminal cost l_N(x) (default 0) */
  terminal?(x: Expr[], p: Expr[]): Scalar;
  /** control bounds |u_i| <= umax_i: the box of Box-DDP and the scale of random warm starts */
  umax: number[];
  /** values of the parameters p (at most 64; default none): change them per solver without recompiling */
  params?: number[];
  /** uniform sampling ranges of the initial state, per component [lo, hi] */
  sampleRanges: [number, number][];
  /** range of the start step k0 (default [0, nsteps - 1]) */
  k0Range?: [number, number];
  /** state normalisation for the networks (default: the largest |bound| of each sampling range, or 1) */
  norm?: number[];
  /** evaluation initial states (default: none) */
  evalStates?: number[][];
  /** state components plotted as the 2-D position (default: the first two, if nx >= 2) */
  positionIndex?: [number, number] | null;
  /**
   * what reaching the goal means, for the evaluation's "reach" column and the plots' target mark
   * (default: none; the column then shows "-")
   */
  goal?: SystemGoal;
  /** TD(n) horizon for learning (default nsteps / 4) */
  nstepReturn?: number;
  /** solver defaults for this system (e.g. hessian "hybrid" for strongly nonlinear dynamics) */
  solverDefaults?: SolverDefaults;
}

/** A user-defined system: a SystemSpec with its compiled model and its symbolic source. */
export interface UserSystem extends SystemSpec {
  model: ModelModule & { readonly nodes: number; readonly nonlinear: boolean };
  /** the expressions the model was generated from */
  readonly symbolic: SymbolicModel;
  /** parameter values written at the start of the parameter block */
  readonly modelParams: number[];
  /**
   * what identifies the definition for checkpoints: a structural hash of the dynamics and costs (the
   * same in any process, whatever else was defined first) and of the fields that shape training
   * (dimensions, dt, nsteps, umax, params, sampling ranges, k0 range, normalisation, TD horizon,
   * solver defaults)
   */
  readonly fingerprint: string;
}

/** The expressions of a user model (outputs of the generated functions). */
export interface SymbolicModel {
  f: Expr[];
  /** A = f_x (nx*nx), B = f_u (nx*nu), row-major */
  A: Expr[];
  B: Expr[];
  /** curvature contracted with lam: Hxx (nx*nx), Huu (nu*nu), Hux (nu*nx) */
  Hxx: Expr[];
  Huu: Expr[];
  Hux: Expr[];
  l: Expr;
  lx: Expr[];
  lu: Expr[];
  lxx: Expr[];
  luu: Expr[];
  lux: Expr[];
  lN: Expr;
  lNx: Expr[];
  lNxx: Expr[];
}

const BUILTIN = new Set<string>(SYSTEM_NAMES);

function fail(param: string, got: unknown, expected: string): never {
  throw new RangeError(`defineSystem: ${param}: got ${show(got)}, expected ${expected}`);
}

function posInt(param: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) fail(param, v, "a positive integer");
  return v as number;
}

function finiteVec(param: string, v: unknown, len: number): number[] {
  if (!Array.isArray(v) || v.length !== len || !v.every((a) => typeof a === "number" && Number.isFinite(a))) {
    fail(param, v, `an array of ${len} finite numbers`);
  }
  return [...(v as number[])];
}

function toExpr(param: string, v: unknown): Expr {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) fail(param, v, "a finite number or an expression");
    return constant(v);
  }
  if (typeof v !== "object" || v === null || !("id" in v)) fail(param, typeof v, "an expression (from cacto-wasm's sym) or a number");
  return v as Expr;
}

/**
 * Every variable the expressions use must exist: x[i] with i < nx, u[i] with i < nu (none in the
 * terminal cost), p[i] with i < the number of parameters; lam belongs to the generator only.
 */
function checkVariables(field: string, es: Expr[], dims: { x: number; u: number; p: number }): void {
  for (const e of topoOrder(es)) {
    if (e.op !== "var") continue;
    const k = e.kind as "x" | "u" | "p" | "lam";
    const have = k === "lam" ? 0 : dims[k];
    if (e.index < have) continue;
    const what = k === "x" ? `nx = ${dims.x}` : k === "u" ? (dims.u === 0 ? "no controls in the terminal cost" : `nu = ${dims.u}`)
      : k === "p" ? `${dims.p} parameters (the length of params)` : "no lam (it is the solver's multiplier, not a model variable)";
    throw new RangeError(`defineSystem: ${field}: uses ${k}[${e.index}], but there are ${what}`);
  }
}

function isZero(e: Expr): boolean {
  return e === constant(0);
}

/** the symbolic model: dynamics, Jacobians, curvature, costs and their derivatives */
function buildSymbolic(d: SystemDefinition, nx: number, nu: number, np: number): SymbolicModel {
  const x = Array.from({ length: nx }, (_, i) => variable("x", i));
  const u = Array.from({ length: nu }, (_, i) => variable("u", i));
  const p = Array.from({ length: np }, (_, i) => variable("p", i));
  const lam = Array.from({ length: nx }, (_, i) => variable("lam", i));
  const call = <T>(field: string, f: () => T): T => {
    try {
      return f();
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new TypeError(`defineSystem: ${field} threw: ${msg} (it gets x of ${nx}, u of ${nu} and p of ${np} expressions)`, { cause: err });
    }
  };
  const fRaw = call("dynamics(x, u, p)", () => d.dynamics(x, u, p));
  if (!Array.isArray(fRaw) || fRaw.length !== nx) fail("dynamics(x, u, p)", Array.isArray(fRaw) ? `${fRaw.length} values` : typeof fRaw, `an array of nx = ${nx} expressions`);
  const f = fRaw.map((e, i) => toExpr(`dynamics(x, u, p)[${i}]`, e));
  checkVariables("dynamics(x, u, p)", f, { x: nx, u: nu, p: np });
  const Jx = jacobian(f, x).flat(), Ju = jacobian(f, u).flat();
  // sum_r lam_r f_r: its Hessian is the contracted curvature
  let lf: Expr = constant(0);
  f.forEach((fr, r) => { lf = lf.add(lam[r].mul(fr)); });
  const xu = [...x, ...u];
  const H = hessian(lf, xu).flat();
  const n2 = nx + nu;
  const Hxx: Expr[] = [], Huu: Expr[] = [], Hux: Expr[] = [];
  for (let i = 0; i < nx; i++) for (let j = 0; j < nx; j++) Hxx.push(H[i * n2 + j]);
  for (let i = 0; i < nu; i++) for (let j = 0; j < nu; j++) Huu.push(H[(nx + i) * n2 + nx + j]);
  for (let i = 0; i < nu; i++) for (let j = 0; j < nx; j++) Hux.push(H[(nx + i) * n2 + j]);
  const l = toExpr("running(x, u, p)", call("running(x, u, p)", () => d.running(x, u, p)));
  checkVariables("running(x, u, p)", [l], { x: nx, u: nu, p: np });
  const gl = gradient(l, xu), Hl = hessian(l, xu).flat();
  const lxx: Expr[] = [], luu: Expr[] = [], lux: Expr[] = [];
  for (let i = 0; i < nx; i++) for (let j = 0; j < nx; j++) lxx.push(Hl[i * n2 + j]);
  for (let i = 0; i < nu; i++) for (let j = 0; j < nu; j++) luu.push(Hl[(nx + i) * n2 + nx + j]);
  for (let i = 0; i < nu; i++) for (let j = 0; j < nx; j++) lux.push(Hl[(nx + i) * n2 + j]);
  const lN = d.terminal ? toExpr("terminal(x, p)", call("terminal(x, p)", () => d.terminal!(x, p))) : constant(0);
  checkVariables("terminal(x, p)", [lN], { x: nx, u: 0, p: np });
  return {
    f, A: Jx, B: Ju, Hxx, Huu, Hux,
    l, lx: gl.slice(0, nx), lu: gl.slice(nx), lxx, luu, lux,
    lN, lNx: gradient(lN, x), lNxx: hessian(lN, x).flat(),
  };
}

// pointer params of the five interface functions (assembly/models/registry.ts)
const store = (param: number, es: Expr[]) => es.map((expr, index) => ({ param, index, expr }));

const i32s = (n: number): "i32"[] => Array<"i32">(n).fill("i32");

function generate(s: SymbolicModel, nonlinear: boolean): GenFunction[] {
  return [
    { name: "step", params: i32s(4), result: null, inputs: { p: 0, x: 1, u: 2 }, stores: store(3, s.f) },
    { name: "stepDiff", params: i32s(5), result: null, inputs: { p: 0, x: 1, u: 2 }, stores: [...store(3, s.A), ...store(4, s.B)] },
    nonlinear
      ? { name: "stepHess", params: i32s(7), result: "i32", inputs: { p: 0, x: 1, u: 2, lam: 3 }, stores: [...store(4, s.Hxx), ...store(5, s.Huu), ...store(6, s.Hux)], returns: 1 }
      // linear dynamics: 0 tells the solver there is no curvature (nothing written)
      : { name: "stepHess", params: i32s(7), result: "i32", inputs: {}, stores: [], returns: 0 },
    {
      name: "running", params: i32s(9), result: "f64", inputs: { p: 0, x: 1, u: 2 }, stores: [],
      guarded: { flag: 3, stores: [...store(4, s.lx), ...store(5, s.lu), ...store(6, s.lxx), ...store(7, s.luu), ...store(8, s.lux)] },
      returns: s.l,
    },
    {
      name: "terminal", params: i32s(5), result: "f64", inputs: { p: 0, x: 1 }, stores: [],
      guarded: { flag: 2, stores: [...store(3, s.lNx), ...store(4, s.lNxx)] },
      returns: s.lN,
    },
  ];
}

/**
 * Define a system from symbolic dynamics and costs: validates the description (errors name the field),
 * differentiates symbolically, generates and returns a SystemSpec with its WASM model (compiled by an
 * engine on first use). Use it like a built-in name: `createSolver(system)`.
 */
export function defineSystem(d: SystemDefinition): UserSystem {
  if (typeof d !== "object" || d === null) fail("definition", d, "an object");
  if (typeof d.name !== "string" || d.name.length === 0) fail("name", d.name, "a non-empty string");
  if (BUILTIN.has(d.name)) fail("name", d.name, "a name other than the built-in systems'");
  const nx = posInt("nx", d.nx), nu = posInt("nu", d.nu), nsteps = posInt("nsteps", d.nsteps);
  if (typeof d.dt !== "number" || !(d.dt > 0) || !Number.isFinite(d.dt)) fail("dt", d.dt, "a positive finite number");
  for (const k of ["dynamics", "running"] as const) if (typeof d[k] !== "function") fail(k, typeof d[k], "a function");
  if (d.terminal !== undefined && typeof d.terminal !== "function") fail("terminal", typeof d.terminal, "a function or undefined");
  const umax = finiteVec("umax", d.umax, nu);
  if (!umax.every((v) => v > 0)) fail("umax", d.umax, "positive bounds");
  const params = d.params === undefined ? [] : finiteVec("params", d.params, Array.isArray(d.params) ? d.params.length : -1);
  if (params.length > P.N) fail("params", `${params.length} values`, `at most ${P.N}`);
  if (!Array.isArray(d.sampleRanges) || d.sampleRanges.length !== nx
    || !d.sampleRanges.every((r) => Array.isArray(r) && r.length === 2 && r.every(Number.isFinite) && r[0] <= r[1])) {
    fail("sampleRanges", d.sampleRanges, `nx = ${nx} ranges [lo, hi] with lo <= hi`);
  }
  const k0Range = d.k0Range ?? [0, nsteps - 1];
  if (!Array.isArray(k0Range) || k0Range.length !== 2 || !k0Range.every(Number.isInteger) || k0Range[0] < 0 || k0Range[1] < k0Range[0] || k0Range[1] >= nsteps) {
    fail("k0Range", k0Range, `integers 0 <= lo <= hi < nsteps = ${nsteps}`);
  }
  const norm = d.norm ? finiteVec("norm", d.norm, nx) : d.sampleRanges.map(([lo, hi]) => Math.max(Math.abs(lo), Math.abs(hi)) || 1);
  if (!norm.every((v) => v > 0)) fail("norm", norm, "positive scales");
  if (d.evalStates !== undefined && !Array.isArray(d.evalStates)) fail("evalStates", d.evalStates, "an array of states");
  const evalStates = (d.evalStates ?? []).map((s, i) => finiteVec(`evalStates[${i}]`, s, nx));
  if (d.title !== undefined && typeof d.title !== "string") fail("title", d.title, "a string");
  if (d.nstepReturn !== undefined) posInt("nstepReturn", d.nstepReturn);
  const pi = d.positionIndex;
  if (pi !== undefined && pi !== null && !(Array.isArray(pi) && pi.length === 2 && pi.every((i) => Number.isInteger(i) && i >= 0 && i < nx))) {
    fail("positionIndex", pi, `null or two state indices in 0..${nx - 1}`);
  }
  const goal = d.goal;
  if (goal !== undefined && (typeof goal !== "object" || goal === null || typeof goal.reached !== "function" || typeof goal.rule !== "string"
    || (goal.point !== undefined && !(Array.isArray(goal.point) && goal.point.length === 2 && goal.point.every(Number.isFinite))))) {
    fail("goal", goal, "{ reached(xN) => boolean, rule: string, point?: [x, y] }");
  }
  if (d.solverDefaults !== undefined && (typeof d.solverDefaults !== "object" || d.solverDefaults === null || Array.isArray(d.solverDefaults))) {
    fail("solverDefaults", d.solverDefaults, "an object of solver options");
  }
  const names = (param: string, v: string[] | undefined, len: number, prefix: string) => {
    if (v === undefined) return Array.from({ length: len }, (_, i) => `${prefix}${i}`);
    if (!Array.isArray(v) || v.length !== len || !v.every((s) => typeof s === "string")) fail(param, v, `${len} strings`);
    return [...v];
  };
  const symbolic = buildSymbolic(d, nx, nu, params.length);
  const nonlinear = [...symbolic.Hxx, ...symbolic.Huu, ...symbolic.Hux].some((e) => !isZero(e));
  const bytes = emitModule(generate(symbolic, nonlinear));
  const all = Object.values(symbolic).flat() as Expr[];
  const model = { nx, nu, bytes, nodes: count(all), nonlinear };
  const nstepReturn = d.nstepReturn ?? Math.max(1, Math.round(nsteps / 4));
  const shaping = JSON.stringify({ nx, nu, dt: d.dt, nsteps, umax, params, sampleRanges: d.sampleRanges, k0Range, norm, nstepReturn, solverDefaults: d.solverDefaults ?? null });
  const fingerprint = `sym-${structuralHash([...symbolic.f, symbolic.l, symbolic.lN])}-${fnv1a(shaping)}`;
  return {
    name: d.name, id: -1, title: d.title ?? d.name, nx, nu, dt: d.dt, nsteps,
    stateNames: names("stateNames", d.stateNames, nx, "x"), controlNames: names("controlNames", d.controlNames, nu, "u"),
    umax,
    weights: { s: 1, wd: 0, wpeak: 0, wv: 0, wob: 0, wu: 0, wb: 0, aob: 1, a2: 1 },
    target: [0, 0], obstacles: [], boxes: [],
    sampleRanges: d.sampleRanges.map(([lo, hi]) => [lo, hi] as [number, number]),
    k0Range: [k0Range[0], k0Range[1]], norm, evalStates,
    nstepReturn,
    positionIndex: d.positionIndex ?? null, extra: {},
    solverDefaults: d.solverDefaults,
    ...(goal ? { goal: { reached: goal.reached, rule: goal.rule, ...(goal.point ? { point: [goal.point[0], goal.point[1]] as [number, number] } : {}) } } : {}),
    model, symbolic, modelParams: params, fingerprint,
  };
}

/**
 * The plain-TS reference model of a user system: the same expressions, interpreted (slow; for tests
 * and the TS reference solver). `params` is a full parameter block (default the system's).
 */
export function referenceModel(system: UserSystem, params?: Float64Array): RefModel {
  const s = system.symbolic;
  const p = params ?? (() => { const b = new Float64Array(P.N); b.set(system.modelParams); return b; })();
  const put = (out: Float64Array, vals: number[]) => { for (let i = 0; i < vals.length; i++) out[i] = vals[i]; };
  const ev = (es: Expr[], env: object) => evaluate(es, env as never) as number[];
  return {
    nx: system.nx, nu: system.nu,
    step(out, x, u) { put(out, ev(s.f, { x, u, p })); },
    stepDiff(A, B, x, u) { put(A, ev(s.A, { x, u, p })); put(B, ev(s.B, { x, u, p })); },
    runningCost(x, u) { return evaluate(s.l, { x, u, p }) as number; },
    runningCostDiff(lx, lu, lxx, luu, lux, x, u) {
      const env = { x, u, p };
      put(lx, ev(s.lx, env)); put(lu, ev(s.lu, env)); put(lxx, ev(s.lxx, env)); put(luu, ev(s.luu, env)); put(lux, ev(s.lux, env));
      return evaluate(s.l, env) as number;
    },
    terminalCost(x) { return evaluate(s.lN, { x, p }) as number; },
    terminalCostDiff(lx, lxx, x) { put(lx, ev(s.lNx, { x, p })); put(lxx, ev(s.lNxx, { x, p })); return evaluate(s.lN, { x, p }) as number; },
    stepHess: system.model.nonlinear
      ? (Hxx, Huu, Hux, x, u, lam) => { const env = { x, u, p, lam }; put(Hxx, ev(s.Hxx, env)); put(Huu, ev(s.Huu, env)); put(Hux, ev(s.Hux, env)); return true; }
      : undefined,
  };
}
