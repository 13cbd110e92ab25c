/** Worker side of SolverPool: one engine per worker; jobs run by the shared JobRunner (worker-jobs.ts). */
import { parentPort, workerData } from "node:worker_threads";
import { Engine } from "../wasm/engine.js";
import { JobRunner, type WorkerJob } from "./worker-jobs.js";
import type { EngineFlavour } from "../wasm/load.js";

const engine = await Engine.create({ flavour: (workerData?.flavour ?? "simd") as EngineFlavour });
const runner = new JobRunner(engine);

parentPort!.on("message", (job: WorkerJob) => {
  const { reply, transfer } = runner.run(job);
  parentPort!.postMessage(reply, transfer);
});
parentPort!.postMessage({ ready: true });
