/**
 * A pool of Node worker threads, each with its own engine instance, that spreads a batch of
 * independent TO problems over the cores. Problems are validated in the calling thread; results come
 * back in the input order and are identical to sequential solves (each problem is solved alone).
 */
import { Worker } from "node:worker_threads";
import os from "node:os";
import type { EngineFlavour } from "../wasm/load.js";
import { checkInt } from "./validate.js";
import { BatchDispatcher, type WorkerReply } from "./dispatch.js";

/** Options of `SolverPool.create`. */
export interface PoolOptions {
  /** number of worker threads (default: available cores) */
  workers?: number;
  flavour?: EngineFlavour;
}

/** Batches of TO problems on Node worker threads; make one with `create()`, end it with `close()`. */
export class SolverPool extends BatchDispatcher<Worker> {
  private constructor(size: number, private readonly url: URL, private readonly flavour: EngineFlavour) {
    super(size, "SolverPool");
  }

  /**
   * Start the workers (each with its own engine) and resolve once all are ready. Throws a RangeError
   * for `workers` outside 1..256, or the error of a worker that failed to start (the others are closed).
   */
  static async create(opts: PoolOptions = {}): Promise<SolverPool> {
    const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
    const size = checkInt("workers", opts.workers ?? cores, 1, 256);
    const fromSource = import.meta.url.endsWith(".ts");
    const url = new URL(fromSource ? "./pool-worker-boot.mjs" : "./pool-worker.js", import.meta.url);
    const pool = new SolverPool(size, url, opts.flavour ?? "simd");
    await pool.startAll();
    return pool;
  }

  protected spawn(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const w = new Worker(this.url, { workerData: { flavour: this.flavour } });
      let started = false;
      const early = (cause: string) => { if (!started) { started = true; reject(new Error(`SolverPool: a worker failed to start: ${cause}`)); } };
      w.on("error", (e) => (started && this.isReady(w) ? this.workerFailed(w, `error: ${e.message}`) : early(e.message)));
      w.on("exit", (code) => (this.isReady(w) ? this.workerFailed(w, `exit code ${code}`) : early(`exit code ${code}`)));
      w.on("messageerror", (e) => this.workerFailed(w, `a message could not be deserialised: ${(e as Error).message}`));
      w.on("message", (msg: WorkerReply) => {
        if (msg.ready) { started = true; this.ready(w); resolve(); return; }
        this.reply(w, msg);
      });
    });
  }

  private isReady(w: Worker): boolean {
    return this.workers.includes(w);
  }

  /**
   * Reject every queued or running job with a "closed" error and terminate the worker threads;
   * resolves once they have stopped. A later solveBatch rejects.
   */
  async close(): Promise<void> {
    this.closed = true;
    const ws = this.workers;
    this.workers = [];
    this.idle = [];
    this.failAll(new Error("SolverPool: closed"));
    await Promise.all(ws.map((w) => w.terminate()));
  }
}
