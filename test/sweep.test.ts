// Sweeps (issue 14): a plan of cells, run locally with N processes (resumable), and the same sweep on a
// real Redis queue (Debian's redis-server, started here on 127.0.0.1) with two worker processes, one
// killed mid-job: the sweep completes with the local run's numbers, bit for bit, each result written once.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { planSweep, parseSeeds, cellConfig } from "../src/sweep/plan.js";
import { preset } from "../src/cacto/presets.js";

const bin = new URL("../bin/cacto.js", import.meta.url).pathname;
function cacto(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 300_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const tmp = (p: string) => mkdtempSync(path.join(tmpdir(), p));
const SET = JSON.stringify({ updateLoops: [30, 30, 30], episodesPerLoop: 16 });

function results(dir: string): Record<string, { paired: unknown; mean: unknown; trainConverged: number; resumedFromLoop: number; pid: number }> {
  const out: Record<string, never> = {};
  for (const id of readdirSync(path.join(dir, "cells"))) {
    const f = path.join(dir, "cells", id, "result.json");
    if (existsSync(f)) out[id] = JSON.parse(readFileSync(f, "utf8")) as never;
  }
  return out;
}

test("sweep plan validates its cells and names the bad value", () => {
  assert.equal(parseSeeds("3"), [1, 2, 3]);
  assert.equal(parseSeeds("2-4,7"), [2, 3, 4, 7]);
  const p = planSweep({ name: "t", systems: ["toy1d", "car"], methods: ["cacto", "cacto-sl"], seeds: [1, 2] });
  assert.is(p.cells.length, 8);
  assert.equal(p.cells[0], { id: "toy1d.cacto.s1", system: "toy1d", method: "cacto", seed: 1 });
  // "preset" runs what cacto train / experiment S run (TO in the cell's own thread); cacto / cacto-sl set w_S
  const d = planSweep({ name: "t", systems: ["car"], seeds: [1], methods: ["preset", "cacto", "cacto-sl"] });
  assert.equal(cellConfig(d, d.cells[0]), { ...preset("car", "quick"), workers: 0 });
  assert.is(cellConfig(d, d.cells[1]).wS, 0);
  assert.is(cellConfig(d, d.cells[2]).wS, preset("car", "quick").wS);
  assert.throws(() => planSweep({ name: "t", systems: ["truck"], seeds: [1] }), /systems: got "truck", expected names from toy1d/);
  assert.throws(() => planSweep({ name: "t", systems: ["toy1d"], seeds: [1, 1] }), /seeds: got \[1,1\], expected distinct seeds/);
  assert.throws(() => planSweep({ name: "a b", systems: ["toy1d"], seeds: [1] }), /name: got "a b"/);
  assert.throws(() => planSweep({ name: "t", systems: ["toy1d"], methods: ["preset", "cacto"], seeds: [1], set: { wS: 1 } }), /set\.wS: got 1, expected no override \(the cell's method \(cacto\) sets it/);
  // "preset" cells take it
  const w = planSweep({ name: "t", systems: ["car"], seeds: [1], set: { wS: 1e-4 } });
  assert.is(cellConfig(w, w.cells[0]).wS, 1e-4);
  assert.throws(() => planSweep({ name: "t", systems: ["toy1d"], seeds: [1], set: { batchSize: -3 } }), /batchSize/);
  const r = cacto("sweep", "plan", "--out", path.join(tmp("cacto-sw-bad-"), "s"), "--systems", "toy1d", "--seeds", "x");
  assert.is(r.code, 2);
  assert.match(r.err, /seeds: got "x", expected a count/);
});

test("a failed cell shows in status and in the report with its reason", () => {
  const dir = path.join(tmp("cacto-sw-failed-"), "sw");
  assert.is(cacto("sweep", "plan", "--out", dir, "--systems", "toy1d", "--seeds", "1").code, 0);
  mkdirSync(path.join(dir, "cells", "toy1d.preset.s1"), { recursive: true });
  writeFileSync(path.join(dir, "cells", "toy1d.preset.s1", "failed.json"), JSON.stringify({ code: 1, reason: "CACTO: the actor produced a non-finite control at update 3; the run diverged", log: "x" }));
  const st = JSON.parse(cacto("sweep", "status", "--dir", dir, "--json").out);
  assert.equal(st.failed.map((f: { id: string }) => f.id), ["toy1d.preset.s1"]);
  assert.equal(st.pending, []);
  assert.is(cacto("sweep", "report", "--dir", dir).code, 0);
  assert.match(readFileSync(path.join(dir, "report.md"), "utf8"), /## Failed cells\n\n- toy1d\.preset\.s1: CACTO: the actor produced a non-finite control at update 3/);
});

let localDir = "";

test("a local sweep with 2 processes: every cell's result, a report over seeds; a rerun skips finished cells; a killed cell resumes from its checkpoint with the same numbers", async () => {
  localDir = path.join(tmp("cacto-sw-local-"), "sw");
  assert.is(cacto("sweep", "plan", "--out", localDir, "--name", "swtest", "--systems", "toy1d,single_integrator", "--seeds", "2", "--set", SET, "--fresh", "8").code, 0);
  const a = cacto("sweep", "run", "--dir", localDir, "--parallel", "2");
  assert.is(a.code, 0, a.err);
  assert.match(a.out, /sweep: 4 cell\(s\) run, 0 already done, 0 failed/);
  const res = results(localDir);
  assert.equal(Object.keys(res).sort(), ["single_integrator.preset.s1", "single_integrator.preset.s2", "toy1d.preset.s1", "toy1d.preset.s2"]);
  const again = cacto("sweep", "run", "--dir", localDir);
  assert.match(again.out, /sweep: 0 cell\(s\) run, 4 already done/);
  const rep = cacto("sweep", "report", "--dir", localDir);
  assert.is(rep.code, 0, rep.err);
  const md = readFileSync(path.join(localDir, "report.md"), "utf8");
  assert.match(md, /\| single_integrator \/ preset \| 2\/2 \|/);
  assert.match(md, /\| toy1d\.preset\.s2 \| /);
  // kill one cell mid-training (after its first checkpoint), then run the sweep again
  const dir2 = path.join(tmp("cacto-sw-kill-"), "sw");
  assert.is(cacto("sweep", "plan", "--out", dir2, "--name", "swtest", "--systems", "toy1d,single_integrator", "--seeds", "2", "--set", SET, "--fresh", "8").code, 0);
  const p = spawn(process.execPath, [bin, "sweep", "cell", "--dir", dir2, "--cell", "single_integrator.preset.s2"], { stdio: "ignore" });
  await waitFor(() => existsSync(path.join(dir2, "cells", "single_integrator.preset.s2", "progress.json")), 120_000, "the cell's first checkpoint");
  p.kill("SIGKILL");
  await new Promise((r) => p.on("exit", r));
  assert.not.ok(existsSync(path.join(dir2, "cells", "single_integrator.preset.s2", "result.json")));
  const b = cacto("sweep", "run", "--dir", dir2, "--parallel", "2");
  assert.is(b.code, 0, b.err);
  const r2 = results(dir2);
  assert.ok(r2["single_integrator.preset.s2"].resumedFromLoop >= 1, "resumed from its checkpoint");
  for (const [id, r] of Object.entries(res)) {
    assert.equal(r2[id].paired, r.paired, `${id}: same paired statistics`);
    assert.equal(r2[id].mean, r.mean, `${id}: same means`);
  }
});

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => { const port = (s.address() as net.AddressInfo).port; s.close(() => resolve(port)); });
    s.on("error", reject);
  });
}

async function startRedis(): Promise<{ proc: ChildProcess; url: string }> {
  const exe = process.env.REDIS_SERVER ?? "/usr/bin/redis-server";
  if (!existsSync(exe)) throw new Error(`redis-server not found at ${exe}: the queue tests need it (apt-get install -y redis-server; .ci/run does this) or set REDIS_SERVER`);
  const port = await freePort();
  const proc = spawn(exe, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", tmp("cacto-redis-")], { stdio: "ignore" });
  try {
    // ready when it answers PING
    const t0 = Date.now();
    for (;;) {
      const pong = await new Promise<boolean>((resolve) => {
        const c = net.connect(port, "127.0.0.1", () => c.write("PING\r\n"));
        c.on("data", (d) => { c.destroy(); resolve(String(d).startsWith("+PONG")); });
        c.on("error", () => resolve(false));
      });
      if (pong) break;
      if (Date.now() - t0 > 10_000) throw new Error(`redis-server did not answer on port ${port}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (e) {
    proc.kill("SIGKILL");
    throw e;
  }
  return { proc, url: `redis://127.0.0.1:${port}` };
}

const isAlive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
/** a process's parent (Linux /proc) */
const parentOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "").split(" ")[1]);

interface Spawned { proc: ChildProcess; log: string; exited: Promise<number | null> }
function spawnWorker(url: string, dir: string, idleMs: number): Spawned {
  const proc = spawn(process.execPath, [bin, "worker", "--queue", url, "--sweep", dir, "--lock-ms", "3000", "--idle-exit", String(idleMs)], { stdio: ["ignore", "pipe", "pipe"] });
  const w: Spawned = { proc, log: "", exited: new Promise((r) => proc.on("exit", (c) => r(c))) };
  proc.stderr!.on("data", (d) => { w.log += String(d); });
  proc.stdout!.on("data", (d) => { w.log += String(d); });
  return w;
}

async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error(`timed out after ${ms} ms: ${what}`)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

test("the same sweep on a Redis queue with two workers, one killed mid-job: all cells complete with the local run's numbers, each result written once; a lost result is queued again", async () => {
  const redis = await startRedis();
  const workers: Spawned[] = [];
  try {
    const dir = path.join(tmp("cacto-sw-queue-"), "sw");
    assert.is(cacto("sweep", "plan", "--out", dir, "--name", "swtest", "--systems", "toy1d,single_integrator", "--seeds", "2", "--set", SET, "--fresh", "8").code, 0);
    const q = cacto("sweep", "run", "--dir", dir, "--queue", redis.url);
    assert.is(q.code, 0, q.err);
    assert.match(q.out, /sweep: 4 new job\(s\) on cacto-sweep-swtest-[0-9a-f]{8}, 0 failed or lost/);
    assert.match(cacto("sweep", "run", "--dir", dir, "--queue", redis.url).out, /sweep: 0 new job\(s\)/, "enqueueing twice adds nothing");
    for (let i = 0; i < 2; i++) workers.push(spawnWorker(redis.url, dir, 5000));
    // the first cell with a checkpoint and no result: kill the worker whose child runs it
    let cellPid = -1;
    await waitFor(() => {
      for (const id of existsSync(path.join(dir, "cells")) ? readdirSync(path.join(dir, "cells")) : []) {
        const pf = path.join(dir, "cells", id, "progress.json");
        if (existsSync(pf) && !existsSync(path.join(dir, "cells", id, "result.json"))) {
          try { cellPid = (JSON.parse(readFileSync(pf, "utf8")) as { pid: number }).pid; return isAlive(cellPid); } catch { /* being written */ }
        }
      }
      return false;
    }, 120_000, "a worker's first checkpoint");
    const ppid = parentOf(cellPid);
    const vi = workers.findIndex((w) => w.proc.pid === ppid);
    assert.ok(vi >= 0, `the cell process ${cellPid} is a child of a worker (parent ${ppid})`);
    workers[vi].proc.kill("SIGKILL");
    await within(workers[vi].exited, 10_000, "the killed worker to exit");
    await waitFor(() => !isAlive(cellPid), 60_000, "the killed worker's cell process to stop (no orphan)");
    const code = await within(workers[1 - vi].exited, 240_000, "the surviving worker to finish the sweep and exit when idle");
    assert.is(code, 0, workers[1 - vi].log);
    const res = results(dir), local = results(localDir);
    assert.equal(Object.keys(res).sort(), Object.keys(local).sort(), "every cell finished");
    for (const [id, r] of Object.entries(local)) {
      assert.equal(res[id].paired, r.paired, `${id}: the local run's paired statistics`);
      assert.equal(res[id].mean, r.mean, `${id}: the local run's means`);
    }
    const resumed = Object.values(res).filter((r) => r.resumedFromLoop > 0);
    assert.is(resumed.length, 1, "exactly the killed job resumed from its checkpoint");
    const cellLogs = Object.keys(res).map((id) => readFileSync(path.join(dir, "cells", id, "log.txt"), "utf8")).join("\n");
    assert.is((cellLogs.match(/result written/g) ?? []).length, 4, "four results written, once each");
    assert.not.match(cellLogs, /already there/);
    const st = cacto("sweep", "status", "--dir", dir, "--queue", redis.url, "--json");
    assert.is(st.code, 0, st.err);
    const s = JSON.parse(st.out);
    assert.is(s.done.length, 4);
    assert.is(s.queue.counts.completed, 4);
    assert.ok(s.queue.retried.length >= 1, `the killed job shows as retried: ${JSON.stringify(s.queue.retried)}`);
    // a completed job whose result is lost is queued again, and recomputed to the same numbers
    const lostId = "toy1d.preset.s1";
    const lost = path.join(dir, "cells", lostId, "result.json");
    const before = readFileSync(lost, "utf8");
    rmSync(lost);
    assert.match(cacto("sweep", "run", "--dir", dir, "--queue", redis.url).out, /sweep: 0 new job\(s\) .*, 1 failed or lost job\(s\) queued again \(3 cells already done\)/);
    const w3 = spawnWorker(redis.url, dir, 3000);
    workers.push(w3);
    assert.is(await within(w3.exited, 120_000, "the third worker"), 0, w3.log);
    const again = JSON.parse(readFileSync(lost, "utf8")), was = JSON.parse(before);
    assert.equal(again.paired, was.paired);
  } finally {
    for (const w of workers) w.proc.kill("SIGKILL");
    redis.proc.kill("SIGKILL");
  }
});

test("queue commands fail fast, naming the URL, when Redis is not there", async () => {
  const port = await freePort();
  const dir = path.join(tmp("cacto-sw-noredis-"), "sw");
  assert.is(cacto("sweep", "plan", "--out", dir, "--systems", "toy1d", "--seeds", "1").code, 0);
  const r = cacto("sweep", "run", "--dir", dir, "--queue", `redis://127.0.0.1:${port}`);
  assert.is(r.code, 1);
  assert.match(r.err, new RegExp(`cannot reach Redis at redis://127\\.0\\.0\\.1:${port}`));
  const w = cacto("worker", "--queue", `redis://127.0.0.1:${port}`, "--sweep", dir, "--lock-ms", "10");
  assert.is(w.code, 2);
  assert.match(w.err, /--lock-ms: got 10, expected 1000\.\.86400000/);
});

test.run();
