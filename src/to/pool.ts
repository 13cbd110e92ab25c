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

export interface PoolOptions {
  /** number of worker threads (default: available cores) */
  workers?: number;
  flavour?: EngineFlavour;
}

export class SolverPool extends BatchDispatcher<Worker> {
  private constructor(size: number) {
    super(size, "SolverPool");
  }

  static async create(opts: PoolOptions = {}): Promise<SolverPool> {
    const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
    const size = checkInt("workers", opts.workers ?? cores, 1, 256);
    const pool = new SolverPool(size);
    const fromSource = import.meta.url.endsWith(".ts");
    const url = new URL(fromSource ? "./pool-worker-boot.mjs" : "./pool-worker.js", import.meta.url);
    await Promise.all(Array.from({ length: size }, () => new Promise<void>((resolve, reject) => {
      const w = new Worker(url, { workerData: { flavour: opts.flavour ?? "simd" } });
      w.once("error", reject);
      w.on("message", (msg: WorkerReply) => {
        if (msg.ready) { pool.ready(w); resolve(); return; }
        pool.reply(w, msg);
      });
    })));
    return pool;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.failAll(new Error("SolverPool: closed"));
    this.workers = [];
    this.idle = [];
  }
}
