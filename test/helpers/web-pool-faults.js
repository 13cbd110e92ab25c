// The WebSolverPool fault scenario, run inside the page by test/browser.test.ts. Plain JavaScript on
// purpose: page.evaluate gets it as text, untouched by the TypeScript loader (which would insert
// helpers the page does not have). Every await is guarded so that a hang is reported, not waited on.
(async () => {
    const app = globalThis.cactoApp;
    const HANG = 60_000;
    const settles = (p, what) => Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error(`${what}: hang`)), HANG))]);
    const outcome = async (p, what) => {
      try { await settles(p, what); return { ok: true, name: "", message: "" }; } catch (e) { return { ok: false, name: e.name, message: e.message }; }
    };
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    const idle = async (pool) => { for (let i = 0; i < 2400 && pool.inFlight > 0; i++) await sleep(25); return pool.inFlight; };
    const full = async (pool) => { for (let i = 0; i < 400 && pool.alive < 2; i++) await sleep(25); return pool.alive; };
    const small = Array.from({ length: 6 }, (_, i) => ({ x0: [2 + i, -3, 0, 0], horizon: 40 }));
    const long = Array.from({ length: 64 }, (_, i) => ({ x0: [10 - i * 0.3, 10, 0.1 * i, 0, 0], warmStart: "random", seed: i }));
    const seq = app.sequentialSolveBatch("double_integrator", small, { maxIter: 50 }).map((r) => r.cost);
    const next = async (pool) =>
      JSON.stringify(app.plainResults(await settles(pool.solveBatch("double_integrator", small, { maxIter: 50 }), "next")).map((r) => r.cost)) === JSON.stringify(seq);
    const pool = await app.createPool(2);
    const out = {};
    try {
      // 1. an uncaught error inside worker 0 (a message its handler cannot read) while it holds a job
      pool.workers[0].postMessage(null);
      const hit = pool.solveBatch("car", long, { maxIter: 300 }, { chunk: 2 });
      out.error = await outcome(hit, "error batch");
      out.errorAlive = await full(pool);
      out.errorNext = await next(pool);
      // the failed batch's other job may still be running (its result is unused): let it finish, so
      // that the worker killed next is one serving the next batch
      out.errorIdle = await idle(pool);
      // 2. a worker terminated without any event (browsers give none): the batch's timeout catches it
      const t = pool.solveBatch("car", long, { maxIter: 300 }, { chunk: 1, timeoutMs: 3000 });
      await sleep(50);
      out.timeoutBusy = pool.inFlight;
      pool.workers[0].terminate();
      out.timeout = await outcome(t, "timeout batch");
      out.timeoutAlive = await full(pool);
      out.timeoutNext = await next(pool);
      // 3. abort, with another caller's batch running beside it
      const ac = new AbortController();
      const other = pool.solveBatch("double_integrator", small, { maxIter: 50 });
      const a = pool.solveBatch("car", long, { maxIter: 300 }, { chunk: 1, signal: ac.signal });
      await sleep(50);
      ac.abort();
      out.abort = await outcome(a, "aborted batch");
      out.abortOther = JSON.stringify(app.plainResults(await settles(other, "other")).map((r) => r.cost)) === JSON.stringify(seq);
      out.abortAlive = await full(pool);
      // 4. an option a structured clone cannot copy (a terminal model with a method)
      const tm = { mode: "add", value: 1, gradient: [0.1, 0, 0, 0], hessian: Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 2 : 0)), xref: [0, 0, 0, 0], describe() { return "a method"; } };
      const want = app.sequentialSolveBatch("double_integrator", small, { maxIter: 50, terminalModel: tm }).map((r) => r.cost);
      const got = app.plainResults(await settles(pool.solveBatch("double_integrator", small, { maxIter: 50, terminalModel: tm }), "terminal")).map((r) => r.cost);
      out.terminal = JSON.stringify(got) === JSON.stringify(want) && JSON.stringify(got) !== JSON.stringify(seq);
      out.finalNext = await next(pool);
    } finally {
      await pool.close();
    }
    // 5. after close: every call rejects at once
    out.closed = await outcome(pool.solveBatch("double_integrator", small), "closed");
    return out;
})()
