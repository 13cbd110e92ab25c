/**
 * A pool of Node worker threads, each with its own engine instance, that spreads a batch of
 * independent TO problems over the cores. Problems are validated in the calling thread; results come
 * back in the input order and are identical to sequential solves (each problem is solved alone).
 */
import { Worker } from "node:worker_threads";
import os from "node:os";
import { buildParams, type SystemSpec } from "../systems/specs.js";
import { P } from "../systems/layout.js";
import { prepareProblem, type PreparedProblem } from "./solver.js";
import { normaliseOptions } from "./options.js";
import type { Problem, SolveOptions, SolveResult } from "./types.js";
import type { EngineFlavour } from "../wasm/load.js";
import { checkInt, checkSystem, checkVector, show } from "./validate.js";

export interface PoolOptions {
  /** number of worker threads (default: available cores) */
  workers?: number;
  flavour?: EngineFlavour;
}

interface Pending {
  resolve: (r: SolveResult[]) => void;
  reject: (e: Error) => void;
}

export class SolverPool {
  readonly size: number;
  private workers: Worker[] = [];
  private idle: Worker[] = [];
  private queue: (() => void)[] = [];
  private pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  private constructor(size: number) {
    this.size = size;
  }

  static async create(opts: PoolOptions = {}): Promise<SolverPool> {
    const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
    const size = checkInt("workers", opts.workers ?? cores, 1, 256);
    const pool = new SolverPool(size);
    const fromSource = import.meta.url.endsWith(".ts");
    const url = new URL(fromSource ? "./pool-worker-boot.mjs" : "./pool-worker.js", import.meta.url);
    await Promise.all(Array.from({ length: size }, () => new Promise<void>((resolve, reject) => {
      const w = new Worker(url, {
        workerData: { flavour: opts.flavour ?? "simd" },
      });
      w.once("error", reject);
      w.on("message", (msg: { ready?: boolean; id?: number; results?: SolveResult[]; error?: string }) => {
        if (msg.ready) { pool.workers.push(w); pool.idle.push(w); resolve(); return; }
        const p = pool.pending.get(msg.id!);
        if (!p) return;
        pool.pending.delete(msg.id!);
        pool.release(w);
        if (msg.error) p.reject(new Error(msg.error));
        else p.resolve(msg.results!);
      });
    })));
    return pool;
  }

  private release(w: Worker): void {
    this.idle.push(w);
    const next = this.queue.shift();
    if (next) next();
  }

  private run(system: string, params: Float64Array, problems: PreparedProblem[], options?: SolveOptions): Promise<SolveResult[]> {
    return new Promise((resolve, reject) => {
      const go = () => {
        const w = this.idle.pop()!;
        const id = this.nextId++;
        this.pending.set(id, { resolve, reject });
        w.postMessage({ id, system, params, problems, options });
      };
      if (this.idle.length) go();
      else this.queue.push(go);
    });
  }

  /**
   * Solve independent problems of one system across the workers. `chunk` problems go to a worker at a
   * time (default: enough chunks for dynamic load balancing); results keep the input order.
   */
  async solveBatch(
    system: string | SystemSpec, problems: readonly Problem[], options?: SolveOptions,
    config: { params?: ArrayLike<number>; chunk?: number } = {},
  ): Promise<SolveResult[]> {
    if (this.closed) throw new Error("SolverPool: solveBatch after close()");
    const spec = checkSystem(system);
    if (!Array.isArray(problems)) throw new TypeError(`problems: got ${show(problems)}, expected an array of problems`);
    normaliseOptions(options, spec.umax, spec.nx);
    const params = config.params ? Float64Array.from(checkVector("params", config.params, P.N)) : buildParams(spec);
    const prepared = problems.map((p, i) => prepareProblem(spec, p, `problems[${i}]`));
    const chunk = checkInt("chunk", config.chunk ?? Math.max(1, Math.ceil(prepared.length / (4 * this.size))), 1, 1 << 30);
    const parts: Promise<SolveResult[]>[] = [];
    for (let i = 0; i < prepared.length; i += chunk) {
      parts.push(this.run(spec.name, params, prepared.slice(i, i + chunk), options));
    }
    return (await Promise.all(parts)).flat();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
    this.idle = [];
  }
}
