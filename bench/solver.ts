/**
 * Solver benchmark: the same algorithm three ways in one process (WASM with SIMD, WASM without SIMD,
 * the plain-TS reference), on every system from its evaluation states with a zero warm start; then
 * batch throughput with 1 and 2 worker threads. Run it with `npx cacto bench solver [--json]`.
 */
import { timeStarts, type TimedSolve as SolveFn } from "../src/to/timing.js";
import os from "node:os";
import { Engine } from "../src/wasm/engine.js";
import { Solver } from "../src/to/solver.js";
import { SolverPool } from "../src/to/pool.js";
import { RefSolver } from "../src/ref/solver.js";
import { refModel } from "../src/ref/index.js";
import { SYSTEMS } from "../src/systems/specs.js";
import { SYSTEM_NAMES, type SystemName } from "../src/systems/layout.js";
import { Rng } from "../src/rng.js";

export interface BenchOptions {
  systems?: SystemName[];
  /** timed repetitions per start (median taken) */
  reps?: number;
  /** problems in the throughput batch */
  batch?: number;
  /** worker counts for the throughput rows */
  workers?: number[];
  /** skip the plain-TS rows (they are the slowest) */
  noRef?: boolean;
}

export interface SolveRow {
  kind: "solve";
  system: string;
  impl: "wasm-simd" | "wasm-scalar" | "ts-reference";
  starts: number;
  /** sum over the evaluation states of the median solve time */
  msTotal: number;
  iterations: number;
  msPerIter: number;
  msPerSolve: number;
  meanCost: number;
  statuses: Record<string, number>;
  /** car from (10,0,0,0,0): the problem of the native figures */
  single?: { ms: number; iterations: number; msPerIter: number; cost: number };
}

export interface BatchRow {
  kind: "batch";
  system: string;
  workers: number;
  problems: number;
  maxIter: number;
  seconds: number;
  problemsPerSecond: number;
  meanIterations: number;
  identicalToSequential: boolean;
}

export function machine(): Record<string, string | number> {
  const c = os.cpus();
  return { kind: "machine", cpu: c[0]?.model ?? "unknown", cores: c.length, node: process.version, platform: `${os.platform()} ${os.arch()}` };
}

export async function runSolverBench(opts: BenchOptions, emit: (row: object) => void): Promise<void> {
  const systems = opts.systems ?? SYSTEM_NAMES;
  const reps = opts.reps ?? 5;
  emit(machine());
  const engines = { "wasm-simd": await Engine.create({ flavour: "simd" }), "wasm-scalar": await Engine.create({ flavour: "scalar" }) };
  for (const name of systems) {
    const spec = SYSTEMS[name];
    const N = spec.nsteps;
    const impls: [SolveRow["impl"], SolveFn][] = [];
    for (const [impl, engine] of Object.entries(engines) as [SolveRow["impl"], Engine][]) {
      const s = new Solver(engine, name);
      impls.push([impl, (x0) => s.solve({ x0 })]);
    }
    if (!opts.noRef) {
      const rs = new RefSolver(refModel(name), N);
      const U0 = new Float64Array(N * spec.nu);
      impls.push(["ts-reference", (x0) => rs.solve(x0, N, U0)]);
    }
    for (const [impl, fn] of impls) {
      const t = timeStarts(fn, spec.evalStates, impl === "ts-reference" ? Math.max(1, Math.ceil(reps / 2)) : reps);
      const row: SolveRow = {
        kind: "solve", system: name, impl, starts: spec.evalStates.length, msTotal: t.msTotal, iterations: t.iterations,
        msPerIter: t.msTotal / t.iterations, msPerSolve: t.msTotal / spec.evalStates.length, meanCost: t.meanCost, statuses: t.statuses,
      };
      if (name === "car") {
        const one = timeStarts(fn, [[10, 0, 0, 0, 0]], Math.max(reps, 5));
        row.single = { ms: one.msTotal, iterations: one.iterations, msPerIter: one.msTotal / one.iterations, cost: one.meanCost };
      }
      emit(row);
    }
  }
  // throughput: spread starts, fixed iteration budget, like the native batch figure
  const batch = opts.batch ?? 128;
  const workerCounts = opts.workers ?? [1, 2];
  for (const name of systems.filter((s) => s === "car" || systems.length === 1)) {
    const spec = SYSTEMS[name];
    const rng = new Rng(2024);
    const problems = Array.from({ length: batch }, () => ({ x0: spec.sampleRanges.map(([lo, hi]) => rng.uniform(lo, hi)) }));
    const seq = new Solver(engines["wasm-simd"], name).solveBatch(problems.slice(0, 8), { maxIter: 100 });
    for (const w of workerCounts) {
      const pool = await SolverPool.create({ workers: w });
      await pool.solveBatch(name, problems.slice(0, 2 * w), { maxIter: 100 }); // warm-up
      const t = performance.now();
      const res = await pool.solveBatch(name, problems, { maxIter: 100 });
      const seconds = (performance.now() - t) / 1000;
      await pool.close();
      emit({
        kind: "batch", system: name, workers: w, problems: batch, maxIter: 100, seconds, problemsPerSecond: batch / seconds,
        meanIterations: res.reduce((a, r) => a + r.iterations, 0) / res.length,
        identicalToSequential: seq.every((r, i) => r.cost === res[i].cost),
      } satisfies BatchRow);
    }
  }
}
