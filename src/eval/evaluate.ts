/**
 * The evaluation protocol of the CACTO papers (cacto.md section 5) for a trained CactoTrainer.
 *
 * Starts: the system's evaluation states and a grid over its position domain, all at k0 = 0 with the
 * full horizon NSTEPS; and "fresh" starts drawn like the training problems (sampleStarts: random full
 * state, random start step k0, horizon NSTEPS - k0) from a fixed seed FRESH_SEED that no training run
 * uses for its draws, the same for every run so that runs are compared on the same starts (issue 10).
 * For every start:
 *   - TO from four warm starts: "zeros", "ics", "random" (seeded per start), and "actor" (the
 *     controls of the trainer's actor rollout, the CACTO warm start);
 *   - the actor alone: its rollout's cost, sum of the running costs l(x_k, u_k), k < N, plus the
 *     terminal cost l_N(x_N), evaluated by the engine's cost kernels (ModelEvaluator.costBatch) on the
 *     rollout's own states. (A solve with maxIter 0 returns the same number up to summation order; the
 *     direct sum is used because it needs no solver and its order is documented here.)
 *
 * Reaching the target: the controlled point (position, car-park centre, manipulator end effector;
 * see svg.ts controlledPoints) is within REACH_RADIUS = 1.0 of the target at the final node. toy1d has
 * no target point: a start "reaches" when the final x is within TOY_REACH = 0.25 of the global
 * minimiser of the state cost polynomial, found numerically (a 42001-point grid of the reference
 * model's terminal cost over [-2.2, 2.0] refined by golden-section search; x* = -1.8097). Reaching x*
 * is not the same as the lowest cost: from some starts the control effort of getting there within the
 * 1-s horizon outweighs the deeper minimum.
 *
 * Everything in the returned Evaluation is plain JSON (numbers, strings, arrays).
 */
import { Engine } from "../wasm/engine.js";
import { Solver } from "../to/solver.js";
import { ModelEvaluator } from "../to/model.js";
import type { Problem, SolveOptions, SolveResult } from "../to/types.js";
import { buildParams, planeIndices, type SystemSpec } from "../systems/specs.js";
import { refModel } from "../ref/index.js";
import { controlledPoints } from "./svg.js";
import { rolloutCosts } from "../rl/rollout.js";
export { rolloutCosts } from "../rl/rollout.js";
import type { CactoTrainer, LoopMetrics } from "../cacto/trainer.js";
import type { CactoConfig } from "../cacto/presets.js";
import { sampleStarts } from "../systems/sampling.js";
import { Rng } from "../rng.js";
import { pairedStats, type PairedStats } from "./paired.js";
import { checkInt, checkKeys, show } from "../to/validate.js";
import { normaliseOptions } from "../to/options.js";

/** seed of the fresh evaluation starts (training draws come from the trainer's own seeded streams) */
export const FRESH_SEED = 7_654_321;
/** fresh training-distribution starts per evaluation (default) */
export const DEFAULT_FRESH = 100;
export const SETS = ["eval", "grid", "fresh"] as const;
export type SetName = (typeof SETS)[number];

/** the warm starts of the protocol, in table order */
export const WARM_STARTS = ["zeros", "ics", "random", "actor"] as const;
export type WarmName = (typeof WARM_STARTS)[number];
/** every column of the tables: TO per warm start, and the actor alone */
export const METHODS = ["zeros", "ics", "random", "actor", "rollout"] as const;
export type MethodName = (typeof METHODS)[number];
export const METHOD_LABELS: Record<MethodName, string> = {
  zeros: "TO zeros", ics: "TO ics", random: "TO random", actor: "TO actor", rollout: "actor alone",
};

export const REACH_RADIUS = 1.0;
export const TOY_REACH = 0.25;

export interface MethodResult {
  cost: number;
  /** TO only: iterations and solver status; the actor alone has iterations 0, status "rollout" */
  iterations: number;
  status: string;
  /** controlled point at the final node (toy1d: [T, x_N]) */
  final: [number, number];
  reached: boolean;
}

export interface StartResult {
  set: SetName;
  index: number;
  x0: number[];
  /** start step (0 for the evaluation states and the grid); the horizon is NSTEPS - k0 */
  k0: number;
  results: Record<MethodName, MethodResult>;
  /** the method with the lowest cost */
  best: MethodName;
}

export interface Summary {
  n: number;
  mean: number;
  median: number;
  /** fraction of starts that reach the target region */
  reach: number;
  /** starts on which this method has the lowest cost (ties count for each) */
  wins: number;
}

/** What `evaluate` returns: per-start results, summaries and paired statistics per set, as plain JSON. */
export interface Evaluation {
  format: "cacto-evaluation";
  version: 1;
  system: string;
  preset: string;
  seed: number;
  config: CactoConfig;
  loops: number;
  episodes: number;
  updates: number;
  trainWallSeconds: number;
  evalSeconds: number;
  options: { grid: number; workers: number; seed: number; to: SolveOptions; fresh: number; freshSeed: number };
  /** how "reached" is decided, in words, and the numbers it uses */
  reachRule: string;
  target: number[];
  /** the grid's description */
  gridRule: string;
  evalStates: StartResult[];
  grid: StartResult[];
  /** fresh training-distribution starts (see the file comment) */
  fresh: StartResult[];
  summaries: Record<SetName, Record<MethodName, Summary>>;
  /** TO from the actor minus TO from zeros, per set: mean with a 95% bootstrap interval, shares */
  paired: Record<SetName, PairedStats>;
  /** state trajectories (flat, (N+1)*nx per start) of the evaluation states, per method */
  trajectories: Record<MethodName, number[][]>;
  metrics: LoopMetrics[];
}

/** Options of `evaluate`; an unknown key or an out-of-range value throws, naming it. */
export interface EvaluateOptions {
  /** points per axis of the position grid (default 11) */
  grid?: number;
  /** worker threads for the TO solves (default 2; 0 = main thread) */
  workers?: number;
  /** seed of the random warm starts (start i uses seed + i; default 1) */
  seed?: number;
  /** TO options (default: the trainer's config.to, i.e. the training budget) */
  to?: SolveOptions;
  /** fresh training-distribution starts (default DEFAULT_FRESH; 0 = none) */
  fresh?: number;
  /** seed of the fresh starts (default FRESH_SEED) */
  freshSeed?: number;
}

function linspace(lo: number, hi: number, n: number): number[] {
  if (n <= 1) return [(lo + hi) / 2];
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

/** the grid of start states over the position domain, and its description */
export function gridStates(spec: SystemSpec, grid: number): { states: number[][]; rule: string } {
  const g = Math.max(1, Math.floor(grid));
  if (spec.name === "toy1d") {
    return { states: linspace(-2.2, 2.0, 4 * g).map((x) => [x]), rule: `${4 * g} points over x0 in [-2.2, 2.0]` };
  }
  if (spec.nx === 1) {
    const [lo, hi] = spec.sampleRanges[0];
    return { states: linspace(lo, hi, 4 * g).map((x) => [x]), rule: `${4 * g} points over ${spec.stateNames[0]} in [${lo}, ${hi}]` };
  }
  if (spec.name === "manipulator") {
    const qs = linspace(-Math.PI, Math.PI, g);
    return { states: qs.map((q) => [q, 0, 0, 0, 0, 0]), rule: `${g} points over q0 in [-pi, pi], q1 = q2 = 0, dq = 0` };
  }
  const [ix, iy] = planeIndices(spec) ?? [0, 0];
  const xs = linspace(spec.sampleRanges[ix][0], spec.sampleRanges[ix][1], g);
  const ys = linspace(spec.sampleRanges[iy][0], spec.sampleRanges[iy][1], g);
  const states: number[][] = [];
  for (const y of ys) for (const x of xs) {
    const s = new Array(spec.nx).fill(0);
    s[ix] = x; s[iy] = y;
    states.push(s);
  }
  const n = spec.stateNames;
  return {
    states,
    rule: `${g} x ${g} lattice over ${n[ix]} in [${spec.sampleRanges[ix].join(", ")}] x ${n[iy]} in [${spec.sampleRanges[iy].join(", ")}], other components 0`,
  };
}

/** the global minimiser of the toy1d state cost (grid search + golden section) */
export function toyMinimiser(spec: SystemSpec): number {
  const m = refModel("toy1d", buildParams(spec));
  const x = new Float64Array(1);
  const f = (v: number) => { x[0] = v; return m.terminalCost(x); };
  const n = 42001, lo = -2.2, hi = 2.0;
  let best = lo, fb = Infinity;
  for (let i = 0; i < n; i++) {
    const v = lo + ((hi - lo) * i) / (n - 1);
    const fv = f(v);
    if (fv < fb) { fb = fv; best = v; }
  }
  const h = (hi - lo) / (n - 1);
  let a = best - h, b = best + h;
  const r = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 60; it++) {
    const c = b - r * (b - a), d = a + r * (b - a);
    if (f(c) < f(d)) b = d; else a = c;
  }
  return (a + b) / 2;
}

function summarise(rows: StartResult[], method: MethodName, hasGoal: boolean): Summary {
  const costs = rows.map((r) => r.results[method].cost);
  const n = costs.length;
  if (!n) return { n: 0, mean: NaN, median: NaN, reach: NaN, wins: 0 };
  const sorted = [...costs].sort((a, b) => a - b);
  const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  const mean = costs.reduce((s, c) => s + c, 0) / n;
  const reach = hasGoal ? rows.filter((r) => r.results[method].reached).length / n : NaN;
  const wins = rows.filter((r) => {
    const best = Math.min(...METHODS.map((m) => r.results[m].cost));
    return r.results[method].cost === best;
  }).length;
  return { n, mean, median, reach, wins };
}

/** per-method summaries of rows; `hasGoal` false (a user system without a goal): reach is NaN */
export function summariseAll(rows: StartResult[], hasGoal = true): Record<MethodName, Summary> {
  return Object.fromEntries(METHODS.map((m) => [m, summarise(rows, m, hasGoal)])) as Record<MethodName, Summary>;
}

const EVALUATE_KEYS = ["grid", "workers", "seed", "to", "fresh", "freshSeed"] as const;

/** evaluate()'s boundary: each error names the parameter, the value and what was expected */
function checkEvaluateArgs(trainer: CactoTrainer, opts: EvaluateOptions): void {
  if (typeof trainer !== "object" || trainer === null || typeof (trainer as { actorRollout?: unknown }).actorRollout !== "function" || !trainer.spec) {
    throw new TypeError(`evaluate: trainer: got ${show(trainer)}, expected a CactoTrainer (CactoTrainer.create or fromCheckpoint)`);
  }
  if (typeof opts !== "object" || opts === null || Array.isArray(opts)) throw new TypeError(`evaluate: opts: got ${show(opts)}, expected an object`);
  checkKeys("evaluate: opts", opts, EVALUATE_KEYS);
  const int = (key: keyof EvaluateOptions, lo: number, hi: number) => {
    const v = opts[key];
    if (v !== undefined) checkInt(`evaluate: opts.${key}`, v, lo, hi);
  };
  int("grid", 2, 101);
  int("workers", 0, 64);
  int("seed", -2147483648, 4294967295);
  int("fresh", 0, 100_000);
  int("freshSeed", -2147483648, 4294967295);
  if (opts.to !== undefined) {
    const spec = trainer.spec;
    normaliseOptions(opts.to, spec.umax, spec.nx, spec.solverDefaults);
  }
}

/**
 * Run the evaluation protocol (see the file comment) for a trained CactoTrainer. With workers > 0 the TO
 * solves run on a SolverPool of its own, closed before it returns.
 */
export async function evaluate(trainer: CactoTrainer, opts: EvaluateOptions = {}): Promise<Evaluation> {
  checkEvaluateArgs(trainer, opts);
  const t0 = performance.now();
  const spec = trainer.spec;
  const { nx, nsteps } = spec;
  const grid = opts.grid ?? 11;
  const workers = opts.workers ?? 2;
  const seed = opts.seed ?? 1;
  const to: SolveOptions = opts.to ?? trainer.config.to;
  const nFresh = opts.fresh ?? DEFAULT_FRESH;
  const freshSeed = opts.freshSeed ?? FRESH_SEED;
  const params = buildParams(spec);
  const engine = await Engine.create();
  const model = new ModelEvaluator(engine, spec);

  const { states: gStates, rule: gridRule } = gridStates(spec, grid);
  const starts: { set: SetName; index: number; x0: number[]; k0: number }[] = [
    ...spec.evalStates.map((x0, i) => ({ set: "eval" as const, index: i, x0, k0: 0 })),
    ...gStates.map((x0, i) => ({ set: "grid" as const, index: i, x0, k0: 0 })),
    ...sampleStarts(spec, new Rng(freshSeed), nFresh).map((st, i) => ({ set: "fresh" as const, index: i, x0: st.x0, k0: st.k0 })),
  ];
  // start i's random warm start uses seed + i: the last one must still be a valid seed
  if (seed + starts.length - 1 > 4294967295) {
    throw new RangeError(`evaluate: opts.seed: got ${seed}, expected at most ${4294967295 - starts.length + 1} (start i uses seed + i, ${starts.length} starts)`);
  }

  // reach rule
  const hasGoal = !spec.model || spec.goal !== undefined;
  let reached: (X: ArrayLike<number>) => { final: [number, number]; ok: boolean };
  let reachRule: string;
  let target: number[];
  if (spec.name === "toy1d") {
    const xs = toyMinimiser(spec);
    target = [xs];
    reachRule = `final x within ${TOY_REACH} of the global minimiser x* = ${xs.toFixed(6)} of the state-cost polynomial (found numerically)`;
    reached = (X) => {
      const xN = X[X.length - 1];
      return { final: [nsteps * spec.dt, xN], ok: Math.abs(xN - xs) <= TOY_REACH };
    };
  } else if (spec.model) {
    // a user-defined system: its own goal, or no reach rule
    const goal = spec.goal;
    target = goal?.point ? [...goal.point] : [];
    reachRule = goal ? goal.rule : "none (the system defines no goal: defineSystem's goal field)";
    reached = (X) => {
      const xN = Array.from(X).slice(X.length - nx);
      const plane = planeIndices(spec);
      // 1-D: the plotted point is (time, x)
      const final: [number, number] = plane ? [xN[plane[0]], xN[plane[1]]] : [(X.length / nx - 1) * spec.dt, xN[0]];
      return { final, ok: goal ? goal.reached(xN) : false };
    };
  } else {
    target = [...spec.target];
    reachRule = `controlled point within ${REACH_RADIUS} of the target (${spec.target.join(", ")}) at the final node`;
    reached = (X) => {
      const last = controlledPoints(spec, Array.from(X).slice(X.length - nx), params)[0];
      const ok = Math.hypot(last[0] - spec.target[0], last[1] - spec.target[1]) <= REACH_RADIUS;
      return { final: last, ok };
    };
  }

  // the actor: rollouts (warm starts and its own cost)
  const rollouts = trainer.actorRollout(starts.map((s) => ({ x0: s.x0, k0: s.k0 })));
  const rCost = rolloutCosts(model, rollouts);

  // TO: every start x every warm start, one batch
  const problems: Problem[] = [];
  starts.forEach((s, i) => {
    for (const w of WARM_STARTS) {
      problems.push({
        x0: s.x0, horizon: nsteps - s.k0,
        warmStart: w === "actor" ? { U: rollouts[i].U } : w,
        ...(w === "random" ? { seed: seed + i } : {}),
      });
    }
  });
  let results: SolveResult[];
  if (workers > 0) {
    // loaded on demand: the pool needs Node's worker_threads, which browsers lack (they use workers: 0)
    const { SolverPool } = await import("../to/pool.js");
    const pool = await SolverPool.create({ workers });
    try {
      results = await pool.solveBatch(spec, problems, to);
    } finally {
      await pool.close();
    }
  } else {
    results = new Solver(engine, spec).solveBatch(problems, to);
  }

  const trajectories = Object.fromEntries(METHODS.map((m) => [m, [] as number[][]])) as Record<MethodName, number[][]>;
  const rows: StartResult[] = starts.map((s, i) => {
    const res = {} as Record<MethodName, MethodResult>;
    WARM_STARTS.forEach((w, j) => {
      const r = results[i * WARM_STARTS.length + j];
      const { final, ok } = reached(r.X);
      res[w] = { cost: r.cost, iterations: r.iterations, status: r.statusName, final, reached: ok };
      if (s.set === "eval") trajectories[w].push(Array.from(r.X));
    });
    const ro = reached(rollouts[i].X);
    res.rollout = { cost: rCost[i], iterations: 0, status: "rollout", final: ro.final, reached: ro.ok };
    if (s.set === "eval") trajectories.rollout.push(Array.from(rollouts[i].X));
    let best: MethodName = METHODS[0];
    for (const m of METHODS) if (res[m].cost < res[best].cost) best = m;
    return { set: s.set, index: s.index, x0: [...s.x0], k0: s.k0, results: res, best };
  });
  const evalRows = rows.filter((r) => r.set === "eval");
  const gridRows = rows.filter((r) => r.set === "grid");
  const freshRows = rows.filter((r) => r.set === "fresh");
  const paired = (rs: StartResult[]) => pairedStats(rs.map((r) => r.results.actor.cost), rs.map((r) => r.results.zeros.cost));
  const last = trainer.metrics[trainer.metrics.length - 1];

  return {
    format: "cacto-evaluation", version: 1,
    system: spec.name, preset: trainer.config.preset, seed: trainer.seed, config: trainer.config,
    loops: trainer.loop, episodes: last?.totalEpisodes ?? 0, updates: trainer.updates,
    trainWallSeconds: last?.wallSeconds ?? 0,
    evalSeconds: (performance.now() - t0) / 1000,
    options: { grid, workers, seed, to, fresh: nFresh, freshSeed },
    reachRule, target, gridRule,
    evalStates: evalRows, grid: gridRows, fresh: freshRows,
    summaries: { eval: summariseAll(evalRows, hasGoal), grid: summariseAll(gridRows, hasGoal), fresh: summariseAll(freshRows, hasGoal) },
    paired: { eval: paired(evalRows), grid: paired(gridRows), fresh: paired(freshRows) },
    trajectories,
    metrics: trainer.metrics.map((m) => ({ ...m, statuses: { ...m.statuses } })),
  };
}
