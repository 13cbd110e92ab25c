/**
 * What the Node pool (worker_threads) and the browser pool (Web Workers) share: validation in the
 * calling thread, chunking, a queue of idle workers, replies matched to requests, results in input
 * order. A subclass owns the workers and feeds their replies to `reply`.
 */
import { buildParams, type SystemSpec } from "../systems/specs.js";
import { P } from "../systems/layout.js";
import { checkTracking, prepareProblem, type PreparedProblem } from "./solver.js";
import { normaliseOptions } from "./options.js";
import type { Problem, SolveOptions, SolveResult } from "./types.js";
import { checkInt, checkSystem, checkVector, show } from "./validate.js";

/** a worker's reply: readiness, or the results (or error) of request `id` */
export interface WorkerReply {
  ready?: boolean;
  id?: number;
  results?: SolveResult[];
  error?: string;
}

/** what a worker receives */
export interface WorkerJob {
  id: number;
  system: string;
  params: Float64Array;
  problems: PreparedProblem[];
  options?: SolveOptions;
}

interface Pending {
  resolve: (r: SolveResult[]) => void;
  reject: (e: Error) => void;
}

export abstract class BatchDispatcher<W extends { postMessage(msg: WorkerJob): void }> {
  protected workers: W[] = [];
  protected idle: W[] = [];
  private queue: (() => void)[] = [];
  private pending = new Map<number, Pending>();
  private nextId = 1;
  protected closed = false;

  protected constructor(readonly size: number, private readonly name: string) {}

  /** a worker finished starting */
  protected ready(w: W): void {
    this.workers.push(w);
    this.release(w);
  }

  /** a worker answered a request */
  protected reply(w: W, msg: WorkerReply): void {
    const p = this.pending.get(msg.id!);
    if (!p) return;
    this.pending.delete(msg.id!);
    this.release(w);
    if (msg.error) p.reject(new Error(msg.error));
    else p.resolve(msg.results!);
  }

  /** reject every request in flight (a worker died, or the pool closed) */
  protected failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private release(w: W): void {
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
    if (this.closed) throw new Error(`${this.name}: solveBatch after close()`);
    const spec = checkSystem(system);
    if (!Array.isArray(problems)) throw new TypeError(`problems: got ${show(problems)}, expected an array of problems`);
    const opts = normaliseOptions(options, spec.umax, spec.nx, spec.solverDefaults);
    const params = config.params ? Float64Array.from(checkVector("params", config.params, P.N)) : buildParams(spec);
    const prepared = problems.map((p, i) => prepareProblem(spec, p, `problems[${i}]`));
    prepared.forEach((pp, i) => checkTracking(pp, opts, `problems[${i}]`));
    const chunk = checkInt("chunk", config.chunk ?? Math.max(1, Math.ceil(prepared.length / (4 * this.size))), 1, 1 << 30);
    const parts: Promise<SolveResult[]>[] = [];
    for (let i = 0; i < prepared.length; i += chunk) {
      parts.push(this.run(spec.name, params, prepared.slice(i, i + chunk), options));
    }
    return (await Promise.all(parts)).flat();
  }
}
