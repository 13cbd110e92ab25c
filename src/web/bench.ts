/**
 * The solver benchmark for a browser (the method of bench/solver.ts without Node's APIs): for each
 * system, the evaluation states with a zero warm start, a warm-up solve then the median of `reps`
 * timed solves per start; WASM SIMD, WASM scalar and the plain-TS reference side by side.
 */
import { timeStarts, type TimedSolve as SolveFn } from "../to/timing.js";
import { Engine } from "../wasm/engine.js";
import { Solver } from "../to/solver.js";
import { RefSolver } from "../ref/solver.js";
import { refModel } from "../ref/index.js";
import { SYSTEMS } from "../systems/specs.js";
import type { SystemName } from "../systems/layout.js";

export type BenchImpl = "wasm-simd" | "wasm-scalar" | "ts-reference";

export interface BrowserBenchRow {
  system: SystemName;
  impl: BenchImpl;
  starts: number;
  iterations: number;
  /** sum over the starts of the median solve time */
  msTotal: number;
  msPerIter: number;
  iterationsPerSecond: number;
  /** sequential solves per second (one thread) */
  problemsPerSecond: number;
  meanCost: number;
}

export interface BrowserBenchOptions {
  systems: SystemName[];
  reps?: number;
  impls?: BenchImpl[];
  /** engines already created (default: fetched from their default location) */
  engines?: Partial<Record<"wasm-simd" | "wasm-scalar", Engine>>;
}

/** run the benchmark, calling `emit` after each (system, implementation) row */
export async function runBrowserBench(opts: BrowserBenchOptions, emit: (row: BrowserBenchRow) => void): Promise<BrowserBenchRow[]> {
  const reps = opts.reps ?? 3;
  const impls = opts.impls ?? ["wasm-simd", "wasm-scalar", "ts-reference"];
  const engines: Partial<Record<BenchImpl, Engine>> = { ...opts.engines };
  const rows: BrowserBenchRow[] = [];
  for (const name of opts.systems) {
    const spec = SYSTEMS[name];
    const N = spec.nsteps;
    for (const impl of impls) {
      let fn: SolveFn;
      if (impl === "ts-reference") {
        const rs = new RefSolver(refModel(name), N);
        const U0 = new Float64Array(N * spec.nu);
        fn = (x0) => rs.solve(x0, N, U0);
      } else {
        engines[impl] ??= await Engine.create({ flavour: impl === "wasm-simd" ? "simd" : "scalar" });
        const s = new Solver(engines[impl]!, name);
        fn = (x0) => s.solve({ x0 });
      }
      const t = timeStarts(fn, spec.evalStates, impl === "ts-reference" ? Math.max(1, Math.ceil(reps / 2)) : reps);
      const row: BrowserBenchRow = {
        system: name, impl, starts: spec.evalStates.length, iterations: t.iterations, msTotal: t.msTotal,
        msPerIter: t.msTotal / t.iterations, iterationsPerSecond: (1000 * t.iterations) / t.msTotal,
        problemsPerSecond: (1000 * spec.evalStates.length) / t.msTotal, meanCost: t.meanCost,
      };
      rows.push(row);
      emit(row);
      // let the event loop breathe between rows
      await new Promise((r) => setTimeout(r, 0));
    }
  }
  return rows;
}
