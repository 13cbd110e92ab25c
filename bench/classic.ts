/**
 * The classic systems added through defineSystem (examples/cartpole.mjs, pendulum.mjs, quadrotor.mjs)
 * as benchmark problems: time to define (differentiate + emit) and compile, module size, and over
 * seeded starts drawn like the training ones (full horizon, zero warm start, defaults of each system):
 * converged share within 200 iterations, median iterations and ms per iteration.
 * The examples import "cacto-wasm" (the built package): run `npm run build` first.
 *
 *   node --import tsx bench/classic.ts [--starts 30]
 */
import { Engine, compileModelModule } from "../src/wasm/engine.js";
import { Solver } from "../src/to/solver.js";
import { Rng } from "../src/rng.js";
import { median } from "../src/to/timing.js";
import type { UserSystem } from "../src/systems/define.js";
import { machine } from "./solver.js";

async function main(): Promise<void> {
  const i = process.argv.indexOf("--starts");
  const nStarts = i > 0 ? Number(process.argv[i + 1]) : 30;
  console.log(JSON.stringify(machine()));
  for (const file of ["pendulum", "cartpole", "quadrotor"]) {
    const t0 = performance.now();
    const sys = (await import(`../examples/${file}.mjs`)).default as UserSystem;
    const t1 = performance.now();
    await compileModelModule(sys.model);
    const t2 = performance.now();
    const engine = await Engine.create();
    await engine.loadModel(sys.model);
    const solver = new Solver(engine, sys);
    const rng = new Rng(2024);
    const its: number[] = [], msPerIt: number[] = [];
    let converged = 0;
    for (let k = 0; k < nStarts; k++) {
      const x0 = sys.sampleRanges.map(([lo, hi]) => rng.uniform(lo, hi));
      const r = solver.solve({ x0 }, { maxIter: 200 });
      if (r.statusName === "converged") converged++;
      its.push(r.iterations);
      msPerIt.push(r.timeMs / Math.max(1, r.iterations));
    }
    console.log(JSON.stringify({
      system: sys.name, nx: sys.nx, nu: sys.nu, horizon: sys.nsteps, importAndDefineMs: +(t1 - t0).toFixed(1), compileMs: +(t2 - t1).toFixed(1),
      moduleBytes: sys.model.bytes.length, nodes: sys.model.nodes, starts: nStarts, convergedShare: +(converged / nStarts).toFixed(3),
      medianIterations: median(its), medianMsPerIteration: +median(msPerIt).toFixed(4),
    }));
  }
}

main().catch((e) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });
