// Faults of the worker pool (issue 11): a worker killed mid-batch, uncloneable options, aborts and
// timeouts. Every case asserts the clear error, that the pool replaced what it lost, and that the
// next batch works and equals sequential solves. Each await is guarded so that a hang fails the test
// instead of stalling the suite (the guard is a hang detector, not a performance limit).
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Worker } from "node:worker_threads";
import { SolverPool } from "../src/to/pool.js";
import { Solver } from "../src/to/solver.js";
import { Engine } from "../src/wasm/engine.js";
import type { Problem, SolveResult } from "../src/to/types.js";

const HANG_MS = 60_000;
function settles<T>(p: Promise<T>, what: string): Promise<T> {
  let t: ReturnType<typeof setTimeout>;
  const guard = new Promise<never>((_, reject) => { t = setTimeout(() => reject(new Error(`${what}: did not settle within ${HANG_MS} ms (hang)`)), HANG_MS); });
  return Promise.race([p, guard]).finally(() => clearTimeout(t));
}
async function rejection(p: Promise<unknown>, what: string): Promise<Error> {
  try { await settles(p, what); } catch (e) { return e as Error; }
  throw new Error(`${what}: resolved, expected a rejection`);
}

const small: Problem[] = Array.from({ length: 6 }, (_, i) => ({ x0: [2 + i, -3, 0, 0], horizon: 40 }));
// long enough that a batch is still running when it is interrupted: many car problems, big budgets
const long: Problem[] = Array.from({ length: 64 }, (_, i) => ({ x0: [10 - i * 0.3, 10, 0.1 * i, 0, 0], warmStart: "random", seed: i }));
const seq = new Solver(await Engine.create(), "double_integrator").solveBatch(small, { maxIter: 50 });

async function nextBatchWorks(pool: SolverPool, tag: string) {
  const r = await settles(pool.solveBatch("double_integrator", small, { maxIter: 50 }), `${tag}: next batch`);
  assert.equal(r.map((x: SolveResult) => x.cost), seq.map((x) => x.cost), `${tag}: the next batch equals sequential solves`);
}
async function fullAgain(pool: SolverPool, n: number) {
  for (let i = 0; i < 200 && pool.alive < n; i++) await new Promise((r) => setTimeout(r, 25));
  assert.is(pool.alive, n, "the pool is back to full strength");
}

test("a worker killed mid-batch rejects that batch, naming the worker and the cause; the pool replaces it", async () => {
  const pool = await SolverPool.create({ workers: 2 });
  try {
    const batch = pool.solveBatch("car", long, { maxIter: 300 }, { chunk: 2 });
    await new Promise((r) => setTimeout(r, 50));
    const victim = (pool as unknown as { workers: Worker[] }).workers[0];
    await victim.terminate();
    const e = await rejection(batch, "killed batch");
    assert.match(e.message, /SolverPool: worker 0 died while solving 2 problem\(s\) of this batch \(exit code 1\)/);
    await fullAgain(pool, 2);
    await nextBatchWorks(pool, "after a kill");
    // several kills in a row, with batches in between
    for (let k = 0; k < 3; k++) {
      const b = pool.solveBatch("car", long, { maxIter: 300 }, { chunk: 1 });
      await new Promise((r) => setTimeout(r, 30));
      await (pool as unknown as { workers: Worker[] }).workers[k % 2].terminate();
      assert.match((await rejection(b, `kill ${k}`)).message, /died while solving/);
      await fullAgain(pool, 2);
    }
    await nextBatchWorks(pool, "after four kills");
  } finally {
    await pool.close();
  }
});

test("a terminalModel with a method is sent as its numbers: same results as Solver.solve, also while the pool is busy", async () => {
  const pool = await SolverPool.create({ workers: 2 });
  try {
    const tm = {
      mode: "add" as const, value: 1, gradient: [0.1, 0, 0, 0], hessian: Float64Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 2 : 0)), xref: [0, 0, 0, 0],
      describe() { return "a method a structured clone cannot copy"; },
    };
    const want = new Solver(await Engine.create(), "double_integrator").solveBatch(small, { maxIter: 50, terminalModel: tm });
    const busy = pool.solveBatch("car", long.slice(0, 8), { maxIter: 100 });
    const got = await settles(pool.solveBatch("double_integrator", small, { maxIter: 50, terminalModel: tm }), "terminalModel batch");
    assert.equal(got.map((r) => r.cost), want.map((r) => r.cost));
    assert.ok(got.some((r, i) => r.cost !== seq[i].cost), "the terminal model changes the solves");
    await settles(busy, "the other caller's batch");
    await nextBatchWorks(pool, "after the terminalModel batch");
  } finally {
    await pool.close();
  }
});

test("abort: queued and running jobs of the batch stop, AbortError; other batches are unaffected", async () => {
  const pool = await SolverPool.create({ workers: 2 });
  try {
    const ac = new AbortController();
    const other = pool.solveBatch("double_integrator", small, { maxIter: 50 });
    const b = pool.solveBatch("car", long, { maxIter: 300 }, { chunk: 1, signal: ac.signal });
    await new Promise((r) => setTimeout(r, 50));
    ac.abort();
    const e = await rejection(b, "aborted batch");
    assert.is(e.name, "AbortError");
    assert.match(e.message, /SolverPool: the batch was aborted/);
    assert.equal((await settles(other, "the other batch")).map((r) => r.cost), seq.map((r) => r.cost));
    await fullAgain(pool, 2);
    await nextBatchWorks(pool, "after an abort");
    // an already aborted signal: rejected before any work
    const pre = await rejection(pool.solveBatch("double_integrator", small, {}, { signal: ac.signal }), "pre-aborted");
    assert.is(pre.name, "AbortError");
  } finally {
    await pool.close();
  }
});

test("timeout: TimeoutError naming the budget; the pool recovers; bad config values are rejected", async () => {
  const pool = await SolverPool.create({ workers: 2 });
  try {
    const e = await rejection(pool.solveBatch("car", long, { maxIter: 300 }, { chunk: 1, timeoutMs: 20 }), "timed-out batch");
    assert.is(e.name, "TimeoutError");
    assert.match(e.message, /the batch of 64 problem\(s\) timed out after 20 ms/);
    await fullAgain(pool, 2);
    await nextBatchWorks(pool, "after a timeout");
    // a generous budget does not interfere
    const r = await settles(pool.solveBatch("double_integrator", small, { maxIter: 50 }, { timeoutMs: 600_000 }), "budgeted batch");
    assert.equal(r.map((x) => x.cost), seq.map((x) => x.cost));
    assert.match((await rejection(pool.solveBatch("double_integrator", small, {}, { timeoutMs: -5 }), "rejected call")).message, /config\.timeoutMs/);
    assert.match((await rejection(pool.solveBatch("double_integrator", small, {}, { signal: {} as AbortSignal }), "rejected call")).message, /config\.signal: got .*, expected an AbortSignal/);
  } finally {
    await pool.close();
  }
});

test("close() settles every batch in flight; solveBatch after close is rejected", async () => {
  const pool = await SolverPool.create({ workers: 1 });
  const b = rejection(pool.solveBatch("car", long, { maxIter: 300 }, { chunk: 1 }), "batch at close");
  await new Promise((r) => setTimeout(r, 30));
  await pool.close();
  assert.match((await b).message, /SolverPool: closed/);
  assert.match((await rejection(pool.solveBatch("double_integrator", small), "rejected call")).message, /solveBatch after close/);
});

test.run();
