/**
 * What both pool workers (worker_threads and Web Workers) do with a job: find the system (a built-in
 * name, or a user-defined system sent as plain data with its model's bytes), keep one Solver per
 * (system, params) and solve the job's problems. The calling thread turns a system into its wire form
 * with `wireSystem`; the worker rebuilds it once per key, so its engine compiles each model once.
 */
import type { SystemSpec } from "../systems/specs.js";
import type { Engine } from "../wasm/engine.js";
import { Solver, type PreparedProblem } from "./solver.js";
import type { SolveOptions, SolveResult } from "./types.js";

/** a user-defined system as plain, cloneable data: its spec fields and its model's bytes */
export interface WireSystem {
  /** unique per model in the sending thread: the worker's cache key */
  key: string;
  spec: SystemSpec;
}

/** what a worker receives */
export interface WorkerJob {
  id: number;
  system: string | WireSystem;
  params: Float64Array;
  problems: PreparedProblem[];
  options?: SolveOptions;
}

const wireKeys = new WeakMap<object, string>();
let nextKey = 0;

/** the wire form of a system: its name if built in, else its spec as plain data (no symbolic graph) */
export function wireSystem(spec: SystemSpec): string | WireSystem {
  const m = spec.model;
  if (!m) return spec.name;
  let key = wireKeys.get(m);
  if (key === undefined) {
    key = `${spec.name}#${nextKey++}`;
    wireKeys.set(m, key);
  }
  // everything but what cannot (symbolic graph, goal's function) or need not (source file) travel
  const { symbolic: _s, goal: _g, sourceFile: _f, model: _m, ...plain } = spec as SystemSpec & { symbolic?: unknown; sourceFile?: unknown };
  return { key, spec: { ...plain, model: { nx: m.nx, nu: m.nu, bytes: m.bytes } } };
}

/** runs jobs on one engine (one per worker) */
export class JobRunner {
  private solvers = new Map<string, Solver>();
  /** one model object per wire key, so the engine compiles and registers each model once */
  private models = new Map<string, NonNullable<SystemSpec["model"]>>();

  constructor(private readonly engine: Engine) {}

  private solverFor(system: string | WireSystem, params: Float64Array): Solver {
    // a user system: keyed by its model and by the rest of its spec (a variant with other bounds or
    // solver defaults shares the compiled model but gets its own solver)
    const { model: _m, ...rest } = typeof system === "string" ? { model: null } : system.spec;
    const name = typeof system === "string" ? system : `${system.key}:${JSON.stringify(rest)}`;
    const key = `${name}:${Array.from(params).join(",")}`;
    let s = this.solvers.get(key);
    if (!s) {
      let spec: string | SystemSpec = system as string;
      if (typeof system !== "string") {
        let model = this.models.get(system.key);
        if (!model) { model = system.spec.model!; this.models.set(system.key, model); }
        spec = { ...system.spec, model };
      }
      s = new Solver(this.engine, spec, { params });
      this.solvers.set(key, s);
    }
    return s;
  }

  /** the reply to a job (results or its error) and the buffers to transfer with it */
  run(job: WorkerJob): { reply: { id: number; results?: SolveResult[]; error?: string }; transfer: ArrayBuffer[] } {
    try {
      const s = this.solverFor(job.system, job.params);
      const results: SolveResult[] = job.problems.map((p) => s.solvePrepared(p, job.options));
      const transfer: ArrayBuffer[] = [];
      for (const r of results) {
        for (const a of [r.X, r.U, r.costs, r.K, r.k, r.Vx, r.Vxx]) if (a) transfer.push(a.buffer as ArrayBuffer);
      }
      return { reply: { id: job.id, results }, transfer };
    } catch (e) {
      return { reply: { id: job.id, error: (e as Error).message }, transfer: [] };
    }
  }
}
