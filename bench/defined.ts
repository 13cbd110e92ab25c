/**
 * Hand-written vs `defineSystem` models (issue 13): the same problems on the built-in car and on the
 * car written through defineSystem (src/systems/defined.ts), on one engine, interleaved in rounds;
 * ms per iteration of each, the ratio, whether costs agree, and the time to define (differentiate +
 * emit) and compile the model.
 *
 *   node --import tsx bench/defined.ts [--rounds 7]
 */
import { Engine, compileModelModule } from "../src/wasm/engine.js";
import { Solver } from "../src/to/solver.js";
import { definedCar } from "../src/systems/defined.js";
import { median } from "../src/to/timing.js";
import { machine } from "./solver.js";

async function main(): Promise<void> {
  const i = process.argv.indexOf("--rounds");
  const rounds = i > 0 ? Number(process.argv[i + 1]) : 7;
  console.log(JSON.stringify(machine()));
  const t0 = performance.now();
  const car = definedCar();
  const t1 = performance.now();
  await compileModelModule(car.model);
  const t2 = performance.now();
  console.log(JSON.stringify({ system: "car", defineMs: +(t1 - t0).toFixed(1), compileMs: +(t2 - t1).toFixed(1), moduleBytes: car.model.bytes.length, nodes: car.model.nodes }));
  const engine = await Engine.create();
  const solvers = { hand: new Solver(engine, "car"), defined: new Solver(engine, car) };
  const starts = car.evalStates;
  for (const s of Object.values(solvers)) for (const x0 of starts) s.solve({ x0 });
  const per: Record<"hand" | "defined", number[]> = { hand: [], defined: [] };
  for (let r = 0; r < rounds; r++) {
    for (const k of (r % 2 ? ["defined", "hand"] : ["hand", "defined"]) as ("hand" | "defined")[]) {
      let ms = 0, it = 0;
      for (const x0 of starts) {
        const t = performance.now();
        const res = solvers[k].solve({ x0 });
        ms += performance.now() - t;
        it += res.iterations;
      }
      per[k].push(ms / it);
    }
  }
  let maxRel = 0;
  for (const x0 of starts) {
    const a = solvers.hand.solve({ x0 }), b = solvers.defined.solve({ x0 });
    maxRel = Math.max(maxRel, Math.abs(a.cost - b.cost) / Math.max(1, Math.abs(a.cost)));
  }
  const h = median(per.hand), d = median(per.defined);
  console.log(JSON.stringify({ system: "car", msPerIterHand: +h.toFixed(4), msPerIterDefined: +d.toFixed(4), ratio: +(d / h).toFixed(3), maxRelCostDiff: maxRel }));
}

main().catch((e) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });
