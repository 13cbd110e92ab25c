/**
 * Worker side of WebSolverPool (a module Web Worker): the page posts the compiled engine once, then
 * jobs, run by the shared JobRunner (src/to/worker-jobs.ts), exactly like the Node pool's worker.
 */
import { Engine } from "../wasm/engine.js";
import { JobRunner, type WorkerJob } from "../to/worker-jobs.js";
import type { EngineFlavour } from "../wasm/load.js";

interface Init {
  init: true;
  module: WebAssembly.Module;
  flavour: EngineFlavour;
}

/** the dedicated-worker global scope, typed locally (the project's lib has no WebWorker types) */
const scope = globalThis as unknown as {
  onmessage: ((ev: MessageEvent<Init | WorkerJob>) => void) | null;
  postMessage(msg: unknown, transfer?: Transferable[]): void;
};

let runner: JobRunner | null = null;

scope.onmessage = (ev) => {
  const msg = ev.data;
  if ("init" in msg) {
    Engine.create({ wasm: msg.module, flavour: msg.flavour }).then(
      (e) => { runner = new JobRunner(e); scope.postMessage({ ready: true }); },
      (e: Error) => scope.postMessage({ error: `engine: ${e.message}` }),
    );
    return;
  }
  if (!runner) {
    scope.postMessage({ id: msg.id, error: "pool worker: job before the engine was ready" });
    return;
  }
  const { reply, transfer } = runner.run(msg);
  scope.postMessage(reply, transfer);
};
