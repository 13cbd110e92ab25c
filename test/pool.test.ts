// The worker pool: results equal sequential solves whatever the number of workers; validation happens
// in the calling thread.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SolverPool } from "../src/to/pool.js";
import { Solver } from "../src/to/solver.js";
import { Engine } from "../src/wasm/engine.js";
import { Rng } from "../src/rng.js";
import { definedCar } from "../src/systems/defined.js";
import { defineSystem } from "../src/systems/define.js";
import { square } from "../src/sym/index.js";

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

test("a user-defined system (defineSystem) solves on the pool like on a Solver; its parameters travel too", async () => {
  const car = definedCar();
  const lin = defineSystem({
    name: "pool-lq", nx: 2, nu: 1, dt: 0.1, nsteps: 30, params: [0.1],
    dynamics: ([q, v], [a], [h]) => [q.add(v.mul(h)), v.add(a.mul(h))],
    running: ([q, v], [a]) => square(q).add(square(v).mul(0.1)).add(square(a).mul(0.01)),
    umax: [5], sampleRanges: [[-1, 1], [-1, 1]],
  });
  const engine = await Engine.create();
  const carProblems = [{ x0: [10, 0, 0, 0, 0] }, { x0: [2, 0, 0, 0, 0], horizon: 200 }, { x0: [-5, 5, 0.5, 1, 0], horizon: 300 }];
  const seq = new Solver(engine, car).solveBatch(carProblems, { maxIter: 60 });
  const lq = [{ x0: [1, 0] }, { x0: [-1, 0.5] }];
  const seqLq = new Solver(engine, lin, { params: [0.2] }).solveBatch(lq);
  const pool = await SolverPool.create({ workers: 2 });
  try {
    // twice: the second batch (workers that already hold the model) gives the same results
    for (let rep = 0; rep < 2; rep++) {
      const res = await pool.solveBatch(car, carProblems, { maxIter: 60 }, { chunk: 1 });
      res.forEach((r, i) => {
        assert.is(r.cost, seq[i].cost);
        assert.is(r.iterations, seq[i].iterations);
        assert.equal(Array.from(r.U), Array.from(seq[i].U));
      });
    }
    // a variant of the spec sharing the model (other solver defaults) gets its own solver in the workers
    const gn = { ...car, solverDefaults: { hessian: "gauss-newton" as const } };
    const seqGn = new Solver(engine, gn).solveBatch(carProblems, { maxIter: 60 });
    const resGn = await pool.solveBatch(gn, carProblems, { maxIter: 60 }, { chunk: 1 });
    resGn.forEach((r, i) => { assert.is(r.cost, seqGn[i].cost); assert.is(r.iterations, seqGn[i].iterations); });
    assert.ok(resGn.some((r, i) => r.iterations !== seq[i].iterations), "the variant really solves differently");
    const r2 = await pool.solveBatch(lin, lq, undefined, { params: [0.2] });
    r2.forEach((r, i) => assert.is(r.cost, seqLq[i].cost));
    // a user system that takes a built-in name is refused before any work
    let msg = "";
    try { await pool.solveBatch({ ...lin, name: "car" }, lq); } catch (e) { msg = (e as Error).message; }
    assert.match(msg, /system "car": a system with its own model must not take a built-in system's name/);
  } finally {
    await pool.close();
  }
});

test.run();
