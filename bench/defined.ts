/**
 * Hand-written vs `defineSystem` models (issue 13): the same problems on the built-in car and
 * manipulator and on the same systems written through defineSystem (src/systems/defined.ts), on one engine, interleaved in rounds;
 * ms per iteration of each, the ratio, whether costs agree, and the time to define (differentiate +
 * emit) and compile the model.
 *
 *   node --import tsx bench/defined.ts [--rounds 7]
 */
import { Engine, compileModelModule } from "../src/wasm/engine.js";
import { Solver } from "../src/to/solver.js";
import { definedCar, definedManipulator } from "../src/systems/defined.js";
import type { UserSystem } from "../src/systems/define.js";
import { interleavedMsPerIteration } from "../src/to/timing.js";
import { machine } from "./solver.js";

type Which = "hand" | "defined";

async function benchSystem(name: "car" | "manipulator", define: () => UserSystem, rounds: number): Promise<void> {
  const t0 = performance.now();
  const sys = define();
  const t1 = performance.now();
  await compileModelModule(sys.model);
  const t2 = performance.now();
  console.log(JSON.stringify({ system: name, defineMs: +(t1 - t0).toFixed(1), compileMs: +(t2 - t1).toFixed(1), moduleBytes: sys.model.bytes.length, nodes: sys.model.nodes }));
  const engine = await Engine.create();
  const solvers: Record<Which, Solver> = { hand: new Solver(engine, name), defined: new Solver(engine, sys) };
  const starts = sys.evalStates;
  const ms = interleavedMsPerIteration({ hand: (x0) => solvers.hand.solve({ x0 }), defined: (x0) => solvers.defined.solve({ x0 }) }, starts, rounds);
  // costs from the same start: every evaluation state, and the first iterate (one iteration each)
  const rows = starts.map((x0) => {
    const a = solvers.hand.solve({ x0 }), b = solvers.defined.solve({ x0 });
    const a1 = solvers.hand.solve({ x0 }, { maxIter: 1 }), b1 = solvers.defined.solve({ x0 }, { maxIter: 1 });
    // Gauss-Newton (no dynamics curvature): the hand-written manipulator's curvature is differenced, the
    // defined one's exact, so their default (hybrid) solves may take different paths
    const ag = solvers.hand.solve({ x0 }, { hessian: "gauss-newton" }), bg = solvers.defined.solve({ x0 }, { hessian: "gauss-newton" });
    return {
      x0: x0.map((v) => +v.toFixed(4)), hand: a.cost, defined: b.cost, rel: Math.abs(a.cost - b.cost) / Math.max(1, Math.abs(a.cost)),
      iters: [a.iterations, b.iterations], status: [a.statusName, b.statusName], rel1: Math.abs(a1.cost - b1.cost) / Math.max(1, Math.abs(a1.cost)),
      relGN: Math.abs(ag.cost - bg.cost) / Math.max(1, Math.abs(ag.cost)), itersGN: [ag.iterations, bg.iterations],
    };
  });
  for (const r of rows) console.log(JSON.stringify({ system: name, ...r }));
  const h = ms.hand, d = ms.defined;
  console.log(JSON.stringify({
    system: name, msPerIterHand: +h.toFixed(4), msPerIterDefined: +d.toFixed(4), ratio: +(d / h).toFixed(3),
    maxRelCostDiff: Math.max(...rows.map((r) => r.rel)), maxRelCostDiffFirstIterate: Math.max(...rows.map((r) => r.rel1)),
    statesWithin1e9: rows.filter((r) => r.rel <= 1e-9).length, states: rows.length,
    maxRelCostDiffGN: Math.max(...rows.map((r) => r.relGN)), statesWithin1e9GN: rows.filter((r) => r.relGN <= 1e-9).length,
  }));
}

async function main(): Promise<void> {
  const i = process.argv.indexOf("--rounds");
  const rounds = i > 0 ? Number(process.argv[i + 1]) : 7;
  console.log(JSON.stringify(machine()));
  await benchSystem("car", definedCar, rounds);
  await benchSystem("manipulator", definedManipulator, rounds);
}

main().catch((e) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });
