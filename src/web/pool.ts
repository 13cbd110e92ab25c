/**
 * SolverPool for browsers: Web Workers, each with its own engine instance, with the contract of the
 * Node pool (src/to/pool.ts): problems validated in the calling thread, results in the input order and
 * identical to sequential solves (each problem is solved alone, by the same WASM code).
 *
 * The worker script is the bundled src/web/pool-worker.ts (the app's build writes it next to the app
 * bundle as pool-worker.js). The engine is compiled once in the page and the compiled module is posted
 * to every worker, so the workers fetch nothing.
 *
 * Faults: an uncaught error or an undeliverable message in a worker rejects exactly the job it was
 * serving and the worker is replaced, as in Node. But browsers fire no event when a worker is
 * terminated or killed by the browser (out of memory, a crashed process): its job would wait forever.
 * Give such batches a `timeoutMs` (it rejects with a TimeoutError and replaces the workers serving
 * the batch) or an AbortSignal.
 */
import { checkMagic, type EngineFlavour } from "../wasm/load.js";
import { checkInt } from "../to/validate.js";
import { BatchDispatcher, type WorkerReply } from "../to/dispatch.js";

/** Options of `WebSolverPool.create`. */
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

async function compileEngine(opts: WebPoolOptions): Promise<WebAssembly.Module> {
  if (opts.wasm instanceof WebAssembly.Module) return opts.wasm;
  if (opts.wasm) return WebAssembly.compile(opts.wasm);
  const flavour = opts.flavour ?? "simd";
  if (flavour !== "simd" && flavour !== "scalar") {
    throw new RangeError(`flavour: got ${JSON.stringify(flavour)}, expected "simd" or "scalar"`);
  }
  const url = opts.baseUrl !== undefined
    ? new URL(`engine-${flavour}.wasm`, opts.baseUrl)
    : flavour === "simd" ? new URL("../../build/engine-simd.wasm", import.meta.url) : new URL("../../build/engine-scalar.wasm", import.meta.url);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`WebSolverPool: fetching ${url.href} gave HTTP ${res.status}`);
  const buf = await res.arrayBuffer();
  checkMagic(buf, url.href, res.headers.get("content-type"));
  return WebAssembly.compile(buf);
}

/** Batches of TO problems on Web Workers; make one with `create()`, end it with `close()`. */
export class WebSolverPool extends BatchDispatcher<Worker> {
  private constructor(size: number, private readonly url: string | URL | null, private readonly module: WebAssembly.Module, private readonly flavour: EngineFlavour) {
    super(size, "WebSolverPool");
  }

  /**
   * Compile the engine once, start the workers and resolve once all are ready. Throws where there are
   * no Web Workers, if the engine cannot be fetched or compiled, or if a worker fails to start.
   */
  static async create(opts: WebPoolOptions = {}): Promise<WebSolverPool> {
    if (typeof Worker === "undefined") throw new Error("WebSolverPool: this environment has no Web Workers (in Node use SolverPool)");
    const cores = typeof navigator !== "undefined" && navigator.hardwareConcurrency ? Math.min(8, navigator.hardwareConcurrency) : 2;
    const size = checkInt("workers", opts.workers ?? cores, 1, 256);
    const module = await compileEngine(opts);
    const pool = new WebSolverPool(size, opts.workerUrl ?? null, module, opts.flavour ?? "simd");
    await pool.startAll();
    return pool;
  }

  protected spawn(): Promise<void> {
    const url = this.url ?? "./pool-worker.js (next to this module)";
    return new Promise<void>((resolve, reject) => {
      // the default is the literal `new Worker(new URL(...), { type: "module" })` form, which bundlers
      // (Vite, webpack) recognise: they bundle the worker and its imports
      const w = this.url
        ? new Worker(this.url, { type: "module", name: "cacto-solver" })
        : new Worker(new URL("./pool-worker.js", import.meta.url), { type: "module", name: "cacto-solver" });
      const fail = (e: ErrorEvent | MessageEvent) => {
        const msg = e instanceof ErrorEvent ? e.message : "message could not be deserialised";
        w.terminate();
        reject(new Error(`WebSolverPool: worker ${String(url)} failed to start: ${msg}`));
      };
      w.onerror = fail;
      w.onmessageerror = fail;
      w.onmessage = (ev: MessageEvent<WorkerReply>) => {
        const msg = ev.data;
        if (msg.ready) {
          // a ready worker's death rejects the job it serves and is replaced (src/to/dispatch.ts)
          w.onerror = (e) => this.workerFailed(w, `error: ${e.message}`);
          w.onmessageerror = () => this.workerFailed(w, "a message could not be deserialised");
          this.ready(w);
          resolve();
          return;
        }
        if (msg.error && msg.id === undefined) { reject(new Error(msg.error)); return; }
        this.reply(w, msg);
      };
      w.postMessage({ init: true, module: this.module, flavour: this.flavour });
    });
  }

  /**
   * Terminate the workers and reject every queued or running job with a "closed" error; a later
   * solveBatch rejects.
   */
  async close(): Promise<void> {
    this.closed = true;
    const ws = this.workers;
    this.workers = [];
    this.idle = [];
    for (const w of ws) w.terminate();
    this.failAll(new Error("WebSolverPool: closed"));
  }
}
