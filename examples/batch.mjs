// Many problems across the cores: the Node worker pool, seeded random starts, results in input order
// and identical to solving them one after another.
//   node examples/batch.mjs
import { createSolver, SYSTEMS, Rng } from "cacto-wasm";
import { SolverPool } from "cacto-wasm/pool";

const spec = SYSTEMS.double_integrator;
const rng = new Rng(42);
const problems = Array.from({ length: 32 }, () => ({ x0: spec.sampleRanges.map(([lo, hi]) => rng.uniform(lo, hi)) }));
const pool = await SolverPool.create({ workers: 2 });
try {
  const t0 = performance.now();
  const results = await pool.solveBatch("double_integrator", problems, { maxIter: 100 }, { timeoutMs: 60_000 });
  const ms = performance.now() - t0;
  const converged = results.filter((r) => r.statusName === "converged").length;
  console.log(`${results.length} problems on ${pool.alive} workers in ${ms.toFixed(0)} ms, ${converged} converged`);
  const one = (await createSolver("double_integrator")).solve(problems[7], { maxIter: 100 });
  console.log(`problem 7: pool ${results[7].cost.toFixed(6)}, sequential ${one.cost.toFixed(6)}`);
} finally {
  await pool.close();
}
