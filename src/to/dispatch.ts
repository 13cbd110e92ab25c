/**
 * What the Node pool (worker_threads) and the browser pool (Web Workers) share: validation in the
 * calling thread, chunking, a queue of jobs and of idle workers, replies matched to the worker that
 * serves them, results in input order, and the fault rules:
 *   - a worker that dies (error / exit) rejects exactly the job it was serving, naming the worker and
 *     the cause; the pool starts a replacement, and later batches work;
 *   - options are validated and copied to plain data in the calling thread before anything is posted
 *     (a terminalModel object with methods is sent as its numbers); a job that still cannot be posted
 *     rejects its batch and gives its worker back;
 *   - a batch can be cancelled (`signal`) or given a time budget (`timeoutMs`): its queued jobs are
 *     dropped, the workers busy with it are replaced (a WASM solve cannot be interrupted), and it
 *     rejects with an AbortError / TimeoutError;
 *   - when one job of a batch fails, the batch's remaining queued jobs are dropped.
 * A subclass owns the workers: `spawn()` starts one (calling `ready` when it can take work), and it
 * reports replies to `reply` and deaths to `workerFailed`.
 */
import { buildParams, type SystemSpec } from "../systems/specs.js";
import { checkTracking, prepareProblem } from "./solver.js";
import { wireSystem, type WorkerJob } from "./worker-jobs.js";
import { normaliseOptions } from "./options.js";
import type { Problem, SolveOptions, SolveResult } from "./types.js";
import { checkInt, checkNumber, checkSystem, paramBlock, show } from "./validate.js";

/** a worker's reply: readiness, or the results (or error) of request `id` */
export interface WorkerReply {
  ready?: boolean;
  id?: number;
  results?: SolveResult[];
  error?: string;
}

interface Batch {
  /** settled (resolved, failed, aborted or timed out): its queued jobs are dropped */
  done: boolean;
}

interface Job {
  msg: WorkerJob;
  batch: Batch;
  resolve: (r: SolveResult[]) => void;
  reject: (e: Error) => void;
}

export interface BatchConfig {
  /** simulation parameters (default: the system's) */
  params?: ArrayLike<number>;
  /** problems per job (default: enough jobs for dynamic load balancing) */
  chunk?: number;
  /** cancels the batch */
  signal?: AbortSignal;
  /** rejects the batch with a TimeoutError after this many ms (default: no limit) */
  timeoutMs?: number;
}

function namedError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/** the options as plain data (numbers, strings, booleans, arrays) that any postMessage can clone */
export function wireOptions(o: SolveOptions | undefined): SolveOptions | undefined {
  if (!o) return undefined;
  const w: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    if (k === "terminalModel" && v) {
      const t = v as NonNullable<SolveOptions["terminalModel"]>;
      w[k] = { mode: t.mode, value: t.value, gradient: Array.from(t.gradient), hessian: Array.from(t.hessian), xref: Array.from(t.xref) };
    } else if (k === "box" && v && typeof v === "object") {
      const b = v as { lower: ArrayLike<number>; upper: ArrayLike<number> };
      w[k] = { lower: Array.from(b.lower), upper: Array.from(b.upper) };
    } else {
      w[k] = v;
    }
  }
  return w as SolveOptions;
}

export abstract class BatchDispatcher<W extends { postMessage(msg: WorkerJob): void; terminate(): unknown }> {
  protected workers: W[] = [];
  protected idle: W[] = [];
  private queue: Job[] = [];
  private busy = new Map<W, Job>();
  private nextId = 1;
  private spawning = 0;
  /** the last replacement that failed to start (reported to the jobs left without any worker) */
  private spawnError: Error | null = null;
  protected closed = false;

  protected constructor(readonly size: number, private readonly name: string) {}

  /** start one worker; resolves once it called `ready` (rejects if it could not start) */
  protected abstract spawn(): Promise<void>;

  abstract close(): Promise<void>;

  /** start all `size` workers; if one cannot start, close the others and rethrow */
  protected async startAll(): Promise<void> {
    try {
      await Promise.all(Array.from({ length: this.size }, () => this.spawn()));
    } catch (e) {
      await this.close();
      throw e;
    }
  }

  /** jobs being solved by a worker now (including leftovers of a batch that already failed) */
  get inFlight(): number {
    return this.busy.size;
  }

  /** jobs waiting for a worker */
  get queued(): number {
    return this.queue.length;
  }

  /** workers alive and ready */
  get alive(): number {
    return this.workers.length;
  }

  /** a worker finished starting */
  protected ready(w: W): void {
    if (this.closed) { try { w.terminate(); } catch { /* already gone */ } return; }
    this.workers.push(w);
    this.release(w);
  }

  /** a worker answered a request */
  protected reply(w: W, msg: WorkerReply): void {
    const job = this.busy.get(w);
    if (!job || job.msg.id !== msg.id) return;
    this.busy.delete(w);
    this.release(w);
    if (msg.error) job.reject(new Error(msg.error));
    else job.resolve(msg.results!);
  }

  /** a ready worker died (error, exit, undeliverable message): reject its job, replace it */
  protected workerFailed(w: W, cause: string): void {
    const index = this.workers.indexOf(w);
    if (index < 0) return; // already handled (error then exit), or closing
    this.workers.splice(index, 1);
    const i = this.idle.indexOf(w);
    if (i >= 0) this.idle.splice(i, 1);
    const job = this.busy.get(w);
    this.busy.delete(w);
    try { w.terminate(); } catch { /* already gone */ }
    if (job) {
      job.reject(new Error(`${this.name}: worker ${index} died while solving ${job.msg.problems.length} problem(s) of this batch (${cause}); the pool starts a replacement`));
    }
    if (!this.closed) this.replace();
  }

  private replace(): void {
    this.spawning++;
    this.spawn().then(
      () => { this.spawning--; this.spawnError = null; },
      (e: Error) => {
        this.spawning--;
        this.spawnError = e;
        // nobody left to run the queue: fail it rather than leave it waiting forever
        if (this.workers.length === 0 && this.spawning === 0) this.failQueued(new Error(`${this.name}: no worker left; a replacement failed to start: ${e.message}`));
      },
    );
  }

  private failQueued(e: Error): void {
    const q = this.queue;
    this.queue = [];
    for (const job of q) job.reject(e);
  }

  /** reject every job queued or in flight (the pool closed) */
  protected failAll(e: Error): void {
    for (const job of this.busy.values()) job.reject(e);
    this.busy.clear();
    this.failQueued(e);
  }

  private release(w: W): void {
    this.idle.push(w);
    this.dispatch();
  }

  private dispatch(): void {
    while (this.idle.length && this.queue.length) {
      const job = this.queue.shift()!;
      if (job.batch.done) continue;
      const w = this.idle.pop()!;
      this.busy.set(w, job);
      try {
        w.postMessage(job.msg);
      } catch (e) {
        this.busy.delete(w);
        this.idle.push(w);
        job.reject(new TypeError(`${this.name}: the job could not be sent to a worker: ${(e as Error).message}`));
      }
    }
  }

  /** drop `batch`'s queued jobs, rejecting them with e */
  private dropQueued(batch: Batch, e: Error): void {
    batch.done = true;
    this.queue = this.queue.filter((j) => {
      if (j.batch !== batch) return true;
      j.reject(e);
      return false;
    });
  }

  /** terminate and replace the workers busy with `batch`'s jobs (their solves cannot be interrupted) */
  private cancel(batch: Batch, e: Error): void {
    this.dropQueued(batch, e);
    for (const [w, job] of [...this.busy]) {
      if (job.batch === batch) this.workerFailed(w, e.message);
    }
  }

  /**
   * Solve independent problems of one system across the workers. `chunk` problems go to a worker at a
   * time (default: enough chunks for dynamic load balancing); results keep the input order.
   */
  async solveBatch(
    system: string | SystemSpec, problems: readonly Problem[], options?: SolveOptions, config: BatchConfig = {},
  ): Promise<SolveResult[]> {
    if (this.closed) throw new Error(`${this.name}: solveBatch after close()`);
    const spec = checkSystem(system);
    if (!Array.isArray(problems)) throw new TypeError(`problems: got ${show(problems)}, expected an array of problems`);
    if (typeof config !== "object" || config === null) throw new TypeError(`config: got ${show(config)}, expected an object`);
    const opts = normaliseOptions(options, spec.umax, spec.nx, spec.solverDefaults);
    const wire = wireOptions(options);
    const params = config.params ? paramBlock(spec, config.params) : buildParams(spec);
    const wireSys = wireSystem(spec);
    const prepared = problems.map((p, i) => prepareProblem(spec, p, `problems[${i}]`));
    prepared.forEach((pp, i) => checkTracking(pp, opts, `problems[${i}]`));
    const chunk = checkInt("chunk", config.chunk ?? Math.max(1, Math.ceil(prepared.length / (4 * this.size))), 1, 1 << 30);
    const timeoutMs = config.timeoutMs === undefined ? undefined : checkNumber("config.timeoutMs", config.timeoutMs, 0, 2 ** 31 - 1, { openLo: true });
    const signal = config.signal;
    if (signal !== undefined && (typeof signal !== "object" || signal === null || typeof signal.addEventListener !== "function")) {
      throw new TypeError(`config.signal: got ${show(signal)}, expected an AbortSignal`);
    }
    if (signal?.aborted) throw namedError("AbortError", `${this.name}: the batch was aborted before it started`);
    if (this.workers.length === 0 && this.spawning === 0) {
      throw new Error(`${this.name}: no worker is running${this.spawnError ? ` (the last replacement failed: ${this.spawnError.message})` : ""}`);
    }
    const batch: Batch = { done: false };
    const parts: Promise<SolveResult[]>[] = [];
    for (let i = 0; i < prepared.length; i += chunk) {
      parts.push(new Promise<SolveResult[]>((resolve, reject) => {
        this.queue.push({ msg: { id: this.nextId++, system: wireSys, params, problems: prepared.slice(i, i + chunk), options: wire }, batch, resolve, reject });
      }));
    }
    let stop: ((e: Error) => void) | null = null;
    const stopped = new Promise<never>((_, reject) => { stop = reject; });
    stopped.catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      const e = namedError("AbortError", `${this.name}: the batch was aborted`);
      this.cancel(batch, e);
      stop!(e);
    };
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        const e = namedError("TimeoutError", `${this.name}: the batch of ${prepared.length} problem(s) timed out after ${timeoutMs} ms`);
        this.cancel(batch, e);
        stop!(e);
      }, timeoutMs);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    this.dispatch();
    try {
      return (await Promise.race([Promise.all(parts), stopped])).flat();
    } catch (e) {
      // one job failed: drop the batch's queued jobs (the ones in flight finish; their results are unused)
      this.dropQueued(batch, e as Error);
      throw e;
    } finally {
      batch.done = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      for (const p of parts) p.catch(() => {});
    }
  }
}
