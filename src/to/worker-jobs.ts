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
  const s = spec as SystemSpec & { modelParams?: number[] };
  const plain: SystemSpec & { modelParams?: number[] } = {
    name: s.name, id: s.id, title: s.title, nx: s.nx, nu: s.nu, dt: s.dt, nsteps: s.nsteps,
    stateNames: [...s.stateNames], controlNames: [...s.controlNames], umax: [...s.umax], weights: { ...s.weights },
    target: [s.target[0], s.target[1]], obstacles: s.obstacles.map((o) => ({ ...o })), boxes: s.boxes.map((b) => ({ ...b })),
    sampleRanges: s.sampleRanges.map(([lo, hi]) => [lo, hi] as [number, number]), k0Range: [s.k0Range[0], s.k0Range[1]],
    norm: [...s.norm], evalStates: s.evalStates.map((x) => [...x]), nstepReturn: s.nstepReturn,
    positionIndex: s.positionIndex ? [s.positionIndex[0], s.positionIndex[1]] : null, extra: { ...s.extra },
    solverDefaults: s.solverDefaults ? { ...s.solverDefaults } : undefined,
    model: { nx: m.nx, nu: m.nu, bytes: m.bytes },
    modelParams: s.modelParams ? [...s.modelParams] : [],
  };
  return { key, spec: plain };
}

/** runs jobs on one engine (one per worker) */
export class JobRunner {
  private solvers = new Map<string, Solver>();
  private systems = new Map<string, SystemSpec>();

  constructor(private readonly engine: Engine) {}

  private solverFor(system: string | WireSystem, params: Float64Array): Solver {
    const name = typeof system === "string" ? system : system.key;
    const key = `${name}:${Array.from(params).join(",")}`;
    let s = this.solvers.get(key);
    if (!s) {
      let spec: string | SystemSpec = name;
      if (typeof system !== "string") {
        spec = this.systems.get(system.key) ?? system.spec;
        this.systems.set(system.key, spec);
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
