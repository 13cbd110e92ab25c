/**
 * SolverPool for browsers: Web Workers, each with its own engine instance, with the contract of the
 * Node pool (src/to/pool.ts): problems validated in the calling thread, results in the input order and
 * identical to sequential solves (each problem is solved alone, by the same WASM code).
 *
 * The worker script is the bundled src/web/pool-worker.ts (the app's build writes it next to the app
 * bundle as pool-worker.js). The engine is compiled once in the page and the compiled module is posted
 * to every worker, so the workers fetch nothing.
 */
import { buildParams, type SystemSpec } from "../systems/specs.js";
import { P } from "../systems/layout.js";
import { prepareProblem, type PreparedProblem } from "../to/solver.js";
import { normaliseOptions } from "../to/options.js";
import type { Problem, SolveOptions, SolveResult } from "../to/types.js";
import type { EngineFlavour } from "../wasm/load.js";
import { checkInt, checkSystem, checkVector, show } from "../to/validate.js";

export interface WebPoolOptions {
  /** number of workers (default: navigator.hardwareConcurrency, at most 8) */
  workers?: number;
  flavour?: EngineFlavour;
  /** the engine as bytes or a compiled module (default: fetched from `baseUrl`) */
  wasm?: BufferSource | WebAssembly.Module;
  /** directory of engine-simd.wasm / engine-scalar.wasm (default: ../../build/ relative to this module) */
  baseUrl?: string | URL;
  /** URL of the bundled worker script (default: ./pool-worker.js next to this module) */
  workerUrl?: string | URL;
}

interface Reply {
  ready?: boolean;
  id?: number;
  results?: SolveResult[];
  error?: string;
}

interface Pending {
  resolve: (r: SolveResult[]) => void;
  reject: (e: Error) => void;
}

async function compileEngine(opts: WebPoolOptions): Promise<WebAssembly.Module> {
  if (opts.wasm instanceof WebAssembly.Module) return opts.wasm;
  if (opts.wasm) return WebAssembly.compile(opts.wasm);
  const flavour = opts.flavour ?? "simd";
  if (flavour !== "simd" && flavour !== "scalar") {
    throw new RangeError(`flavour: got ${JSON.stringify(flavour)}, expected "simd" or "scalar"`);
  }
  const base = opts.baseUrl ?? new URL("../../build/", import.meta.url);
  const url = new URL(`engine-${flavour}.wasm`, base);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`WebSolverPool: fetching ${url.href} gave HTTP ${res.status}`);
  return WebAssembly.compile(await res.arrayBuffer());
}

export class WebSolverPool {
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

  static async create(opts: WebPoolOptions = {}): Promise<WebSolverPool> {
    if (typeof Worker === "undefined") throw new Error("WebSolverPool: this environment has no Web Workers (in Node use SolverPool)");
    const cores = typeof navigator !== "undefined" && navigator.hardwareConcurrency ? Math.min(8, navigator.hardwareConcurrency) : 2;
    const size = checkInt("workers", opts.workers ?? cores, 1, 256);
    const module = await compileEngine(opts);
    const url = opts.workerUrl ?? new URL("./pool-worker.js", import.meta.url);
    const pool = new WebSolverPool(size);
    try {
      await Promise.all(Array.from({ length: size }, () => new Promise<void>((resolve, reject) => {
        const w = new Worker(url, { type: "module", name: "cacto-solver" });
        const fail = (e: ErrorEvent | MessageEvent) => {
          const msg = e instanceof ErrorEvent ? e.message : "message could not be deserialised";
          reject(new Error(`WebSolverPool: worker ${String(url)} failed to start: ${msg}`));
        };
        w.onerror = fail;
        w.onmessageerror = fail;
        w.onmessage = (ev: MessageEvent<Reply>) => {
          const msg = ev.data;
          if (msg.ready) {
            pool.workers.push(w);
            pool.idle.push(w);
            w.onerror = (e) => pool.failAll(new Error(`WebSolverPool: worker error: ${e.message}`));
            resolve();
            return;
          }
          if (msg.error && msg.id === undefined) { reject(new Error(msg.error)); return; }
          const p = pool.pending.get(msg.id!);
          if (!p) return;
          pool.pending.delete(msg.id!);
          pool.release(w);
          if (msg.error) p.reject(new Error(msg.error));
          else p.resolve(msg.results!);
        };
        w.postMessage({ init: true, module, flavour: opts.flavour ?? "simd" });
      })));
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
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
    if (this.closed) throw new Error("WebSolverPool: solveBatch after close()");
    const spec = checkSystem(system);
    if (!Array.isArray(problems)) throw new TypeError(`problems: got ${show(problems)}, expected an array of problems`);
    normaliseOptions(options, spec.umax);
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
    for (const w of this.workers) w.terminate();
    this.failAll(new Error("WebSolverPool: closed"));
    this.workers = [];
    this.idle = [];
  }
}
