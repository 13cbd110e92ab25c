// The worker pool: results equal sequential solves whatever the number of workers; validation happens
// in the calling thread.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SolverPool } from "../src/to/pool.js";
import { Solver } from "../src/to/solver.js";
import { Engine } from "../src/wasm/engine.js";
import { Rng } from "../src/rng.js";

const rng = new Rng(9);
const problems = Array.from({ length: 12 }, (_, i) => ({
  x0: [rng.uniform(-15, 15), rng.uniform(-15, 15), rng.uniform(-2, 2), rng.uniform(-2, 2)],
  horizon: 40 + 10 * (i % 4),
  warmStart: (i % 3 === 0 ? "ics" : "zeros") as "ics" | "zeros",
}));

test("solveBatch on 1 and 2 workers equals sequential solves, bit for bit, in input order", async () => {
  const seq = new Solver(await Engine.create(), "double_integrator").solveBatch(problems, { maxIter: 80 });
  for (const workers of [1, 2]) {
    const pool = await SolverPool.create({ workers });
    try {
      assert.is(pool.size, workers);
      const res = await pool.solveBatch("double_integrator", problems, { maxIter: 80 }, { chunk: 3 });
      assert.is(res.length, problems.length);
      res.forEach((r, i) => {
        assert.is(r.horizon, problems[i].horizon);
        assert.is(r.cost, seq[i].cost);
        assert.equal(Array.from(r.U), Array.from(seq[i].U));
        assert.equal(Array.from(r.Vx), Array.from(seq[i].Vx));
      });
    } finally {
      await pool.close();
    }
  }
});

test("bad problems are rejected before any work, naming the problem", async () => {
  const pool = await SolverPool.create({ workers: 1 });
  try {
    let msg = "";
    try { await pool.solveBatch("double_integrator", [problems[0], { x0: [1, 2] }]); } catch (e) { msg = (e as Error).message; }
    assert.match(msg, /problems\[1\]\.x0: got 2 values .*expected 4/);
    try { await pool.solveBatch("nope", []); } catch (e) { msg = (e as Error).message; }
    assert.match(msg, /system: got "nope"/);
    // still usable
    const r = await pool.solveBatch("single_integrator", [{ x0: [10, 0] }]);
    assert.is(r[0].statusName, "converged");
  } finally {
    await pool.close();
  }
  let after = "";
  try { await pool.solveBatch("single_integrator", [{ x0: [10, 0] }]); } catch (e) { after = (e as Error).message; }
  assert.match(after, /after close/);
});

test.run();
