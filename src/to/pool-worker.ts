/** Worker side of SolverPool: one engine per worker, one Solver per (system, params), reused. */
import { parentPort, workerData } from "node:worker_threads";
import { Engine } from "../wasm/engine.js";
import { Solver, type PreparedProblem } from "./solver.js";
import type { SolveOptions, SolveResult } from "./types.js";
import type { EngineFlavour } from "../wasm/load.js";

interface Job {
  id: number;
  system: string;
  params: Float64Array;
  problems: PreparedProblem[];
  options?: SolveOptions;
}

const engine = await Engine.create({ flavour: (workerData?.flavour ?? "simd") as EngineFlavour });
const solvers = new Map<string, Solver>();

function solverFor(system: string, params: Float64Array): Solver {
  const key = `${system}:${Array.from(params).join(",")}`;
  let s = solvers.get(key);
  if (!s) {
    s = new Solver(engine, system, { params });
    solvers.set(key, s);
  }
  return s;
}

parentPort!.on("message", (job: Job) => {
  try {
    const s = solverFor(job.system, job.params);
    const results: SolveResult[] = job.problems.map((p) => s.solvePrepared(p, job.options));
    const transfer: ArrayBuffer[] = [];
    for (const r of results) {
      for (const a of [r.X, r.U, r.costs, r.K, r.k, r.Vx, r.Vxx]) if (a) transfer.push(a.buffer as ArrayBuffer);
    }
    parentPort!.postMessage({ id: job.id, results }, transfer);
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: (e as Error).message });
  }
});
parentPort!.postMessage({ ready: true });
