/**
 * Worker side of WebSolverPool (a module Web Worker): the page posts the compiled engine once, then
 * jobs; one Solver per (system, params) is kept and reused, exactly like the Node pool's worker.
 */
import { Engine } from "../wasm/engine.js";
import { Solver, type PreparedProblem } from "../to/solver.js";
import type { SolveOptions, SolveResult } from "../to/types.js";
import type { EngineFlavour } from "../wasm/load.js";

interface Init {
  init: true;
  module: WebAssembly.Module;
  flavour: EngineFlavour;
}

interface Job {
  id: number;
  system: string;
  params: Float64Array;
  problems: PreparedProblem[];
  options?: SolveOptions;
}

/** the dedicated-worker global scope, typed locally (the project's lib has no WebWorker types) */
const scope = globalThis as unknown as {
  onmessage: ((ev: MessageEvent<Init | Job>) => void) | null;
  postMessage(msg: unknown, transfer?: Transferable[]): void;
};

let engine: Engine | null = null;
const solvers = new Map<string, Solver>();

function solverFor(system: string, params: Float64Array): Solver {
  const key = `${system}:${Array.from(params).join(",")}`;
  let s = solvers.get(key);
  if (!s) {
    s = new Solver(engine!, system, { params });
    solvers.set(key, s);
  }
  return s;
}

scope.onmessage = (ev) => {
  const msg = ev.data;
  if ("init" in msg) {
    Engine.create({ wasm: msg.module, flavour: msg.flavour }).then(
      (e) => { engine = e; scope.postMessage({ ready: true }); },
      (e: Error) => scope.postMessage({ error: `engine: ${e.message}` }),
    );
    return;
  }
  const job = msg;
  try {
    if (!engine) throw new Error("pool worker: job before the engine was ready");
    const s = solverFor(job.system, job.params);
    const results: SolveResult[] = job.problems.map((p) => s.solvePrepared(p, job.options));
    const transfer: ArrayBuffer[] = [];
    for (const r of results) {
      for (const a of [r.X, r.U, r.costs, r.K, r.k, r.Vx, r.Vxx]) if (a) transfer.push(a.buffer as ArrayBuffer);
    }
    scope.postMessage({ id: job.id, results }, transfer);
  } catch (e) {
    scope.postMessage({ id: job.id, error: (e as Error).message });
  }
};
