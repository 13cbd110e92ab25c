/**
 * End to end in headless Chromium (Debian's /usr/bin/chromium via playwright-core): build the web app,
 * serve it on 127.0.0.1, load it, solve from a given start and compare with Node, train a few updates
 * in the Web Worker and check the page shows them, run solveBatch on the Web Worker pool and compare
 * with Node, save a screenshot under test-output/. A missing Chromium fails the suite (CI installs it).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Server } from "node:http";
import type { BrowserContext, ConsoleMessage, Page } from "playwright-core";
import { Engine } from "../src/wasm/engine.js";
import { Solver } from "../src/to/solver.js";
import { SYSTEMS } from "../src/systems/specs.js";
import { Rng } from "../src/rng.js";
import { definedCar } from "../src/systems/defined.js";
import { CactoTrainer } from "../src/cacto/trainer.js";
import { modelToCheckpoint, type WebModel } from "../src/web/model.js";
import type { Problem } from "../src/to/types.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outDir = path.join(root, "test-output");
const script = (name: string) => import(new URL(`../scripts/${name}`, import.meta.url).href);

interface Ctx {
  dist: string;
  server: Server;
  url: string;
  browser: { context: BrowserContext; close(): Promise<void> };
  page: Page;
  errors: string[];
  engine: Engine;
}
let ctx: Ctx | null = null;
let setupError: Error | null = null;

function need(): Ctx {
  if (!ctx) throw new Error(`browser set-up failed: ${setupError?.message ?? "not run"}`);
  return ctx;
}

function relDiff(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(1, Math.abs(b));
}

test.after(async () => {
  if (!ctx) return;
  await ctx.browser.close();
  await new Promise((r) => ctx!.server.close(r));
  rmSync(ctx.dist, { recursive: true, force: true });
});

test("set-up: Chromium present, the app builds, is served on 127.0.0.1 with wasm MIME and COOP/COEP, and loads", async () => {
  try {
    const { launchChromium } = await script("web-browser.mjs");
    const browser = await launchChromium(); // throws with instructions when /usr/bin/chromium is missing
    const { buildWeb } = await script("web-build.mjs");
    const dist = mkdtempSync(path.join(os.tmpdir(), "cacto-web-"));
    await buildWeb({ outdir: dist });
    const { serve } = await script("web-serve.mjs");
    const { server, url } = await serve({ dir: dist, port: 0 });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e: Error) => errors.push(e.message));
    page.on("console", (m: ConsoleMessage) => { if (m.type() === "error") errors.push(m.text()); });
    ctx = { dist, server, url, browser, page, errors, engine: await Engine.create() };
  } catch (e) {
    setupError = e as Error;
    throw e;
  }
  const { page, url } = need();
  const wasm = await fetch(new URL("build/engine-simd.wasm", url));
  assert.is(wasm.status, 200);
  assert.is(wasm.headers.get("content-type"), "application/wasm");
  assert.is(wasm.headers.get("cross-origin-opener-policy"), "same-origin");
  assert.is(wasm.headers.get("cross-origin-embedder-policy"), "require-corp");
  assert.is((await fetch(new URL("tfjs/tfjs-backend-wasm-simd.wasm", url))).headers.get("content-type"), "application/wasm");
  assert.is((await fetch(new URL("../../etc/passwd", url))).status, 404);
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: 60_000 });
  assert.is(await page.evaluate(() => document.body.dataset.ready), "1", await page.locator("#status").innerText());
  assert.ok(await page.evaluate(() => globalThis.crossOriginIsolated), "the page is cross-origin isolated");
  assert.equal(need().errors, []);
});

test("Solve tab: the costs from zeros and from the shipped actor equal Node's for the same x0", async () => {
  const { page, engine } = need();
  const cases: [string, number[]][] = [["single_integrator", [10, 0]], ["car", [10, 0, 0, 0, 0]]];
  for (const [system, x0] of cases) {
    await page.selectOption("#solve-system", system);
    await page.fill("#solve-x0", x0.join(","));
    await page.click("#solve-run");
    await page.waitForFunction((want) => {
      const note = document.getElementById("solve-actor-note")!.textContent ?? "";
      return document.querySelector("#stats-actor .cost") && note.includes("shipped") && (document.getElementById("solve-x0") as HTMLInputElement).value === want;
    }, x0.join(","), { timeout: 60_000 });
    // the page's drawn start must be the typed one; re-run once more to be sure the stats belong to it
    const out = await page.evaluate(() => (globalThis as unknown as { cactoApp: { runSolve(): Promise<{ x0: number[]; zeros: { cost: number }; actor: { cost: number } | null }> } }).cactoApp.runSolve());
    assert.equal(out.x0, x0);
    const shown = Number(await page.getAttribute("#stats-zeros .cost", "data-cost"));
    const node = new Solver(engine, system).solve({ x0 });
    assert.ok(relDiff(shown, node.cost) <= 1e-9, `${system} zeros: page ${shown} vs Node ${node.cost}`);
    assert.ok(relDiff(out.zeros.cost, node.cost) <= 1e-9);

    // the actor's warm start: the same model file restored in Node
    const model = JSON.parse(readFileSync(path.join(root, "web/models", `${system}.json`), "utf8")) as WebModel;
    const trainer = await CactoTrainer.fromCheckpoint(modelToCheckpoint(model));
    const [roll] = trainer.actorRollout([{ x0, k0: 0 }]);
    const nodeActor = new Solver(engine, system).solve({ x0, warmStart: { U: roll.U } });
    const shownActor = Number(await page.getAttribute("#stats-actor .cost", "data-cost"));
    assert.ok(out.actor, "the actor column was filled");
    assert.ok(relDiff(shownActor, nodeActor.cost) <= 1e-9, `${system} actor: page ${shownActor} vs Node ${nodeActor.cost}`);
    trainer.learner.dispose();
  }
  // a click on the workspace drawing picks a start and solves from it
  await page.selectOption("#solve-system", "single_integrator");
  const box = (await page.locator("#solve-picker svg").boundingBox())!;
  await page.mouse.click(box.x + box.width * 0.85, box.y + box.height * 0.5);
  await page.waitForFunction(() => !(document.getElementById("solve-x0") as HTMLInputElement).value.startsWith("10,0"), null, { timeout: 10_000 });
  const picked = (await page.inputValue("#solve-x0")).split(",").map(Number);
  assert.ok(picked[0] > 8 && picked[0] < 14 && Math.abs(picked[1]) < 3, `picked start ${picked}`);
});

test("Train tab: a tiny CACTO run in the Web Worker shows its loops, curves and value map; the page stays responsive", async () => {
  const { page } = need();
  await page.click("nav .tab[data-tab=train]");
  await page.selectOption("#train-system", "single_integrator");
  await page.selectOption("#train-preset", "tiny");
  const frames0 = await page.evaluate(() => Number(document.getElementById("heartbeat")!.textContent!.replace(/\D/g, "")));
  await page.click("#train-start");
  await page.waitForFunction(() => document.getElementById("train-text")!.textContent!.includes("finished")
    || document.querySelector("#train-text .error"), null, { timeout: 90_000 });
  const err = await page.locator("#train-text .error").count();
  assert.is(err, 0, await page.locator("#train-text").innerText());
  const rows = await page.$$eval("#train-loops tbody tr", (trs) => trs.map((tr) => ({
    loop: tr.getAttribute("data-loop"), updates: tr.querySelector(".updates")!.textContent, cost: Number(tr.querySelector(".cost")!.textContent),
  })));
  assert.is(rows.length, 2);
  assert.equal(rows.map((r) => r.updates), ["20", "20"]);
  assert.ok(rows.every((r) => Number.isFinite(r.cost)), JSON.stringify(rows));
  assert.ok(await page.locator("#train-value svg rect.cell").count() > 100, "value map drawn");
  assert.ok(await page.locator("#train-curves svg").count() === 1, "training curves drawn");
  assert.ok(await page.locator("#train-traj svg path").count() > 3, "trajectories drawn");
  const ck = await page.evaluate(() => {
    const c = (globalThis as unknown as { cactoApp: { checkpoint: { loop: number; updates: number; metrics: unknown[] } } }).cactoApp.checkpoint;
    return { loop: c.loop, updates: c.updates, metrics: c.metrics.length };
  });
  assert.equal(ck, { loop: 2, updates: 40, metrics: 2 });
  assert.ok(!(await page.isDisabled("#train-download")), "download enabled");
  const frames1 = await page.evaluate(() => Number(document.getElementById("heartbeat")!.textContent!.replace(/\D/g, "")));
  assert.ok(frames1 > frames0, `animation frames advanced during training (${frames0} -> ${frames1})`);
  // the model trained here warm-starts the Solve tab
  await page.click("nav .tab[data-tab=solve]");
  await page.selectOption("#solve-system", "single_integrator");
  await page.selectOption("#solve-actor", "trained");
  await page.waitForFunction(() => (document.getElementById("solve-actor-note")!.textContent ?? "").includes("trained here"), null, { timeout: 30_000 });
  await page.selectOption("#solve-actor", "shipped");
  await page.waitForFunction(() => (document.getElementById("solve-actor-note")!.textContent ?? "").includes("shipped"), null, { timeout: 30_000 });

  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, ".gitignore"), "*\n");
  await page.click("nav .tab[data-tab=train]");
  await page.screenshot({ path: path.join(outDir, "browser-train.png"), fullPage: true });
  await page.click("nav .tab[data-tab=solve]");
  await page.fill("#solve-x0", "10,0");
  await page.click("#solve-run");
  await page.waitForFunction(() => document.querySelector("#stats-actor .cost"), null, { timeout: 30_000 });
  await page.screenshot({ path: path.join(outDir, "browser-solve.png"), fullPage: true });
});

test("WebSolverPool: solveBatch on 2 Web Workers equals sequential solves in Node (costs, states, controls, V_x)", async () => {
  const { page, engine } = need();
  const spec = SYSTEMS.car;
  const rng = new Rng(7);
  const problems: Problem[] = Array.from({ length: 10 }, (_, i) => ({
    x0: spec.sampleRanges.map(([lo, hi]) => rng.uniform(lo, hi)),
    horizon: 60 + 20 * i,
    warmStart: i % 3 === 2 ? "random" : "zeros",
    seed: i,
  }));
  const options = { maxIter: 60 };
  const web = await page.evaluate(([p, o]) => (globalThis as unknown as {
    cactoApp: { poolSolveBatch(s: string, p: unknown, o: unknown, w: number): Promise<{ cost: number; iterations: number; status: string; X: number[]; U: number[]; Vx: number[] }[]> };
  }).cactoApp.poolSolveBatch("car", p, o, 2), [problems, options] as const);
  const node = new Solver(engine, "car").solveBatch(problems, options);
  assert.is(web.length, node.length);
  node.forEach((r, i) => {
    assert.is(web[i].status, r.statusName, `problem ${i}`);
    assert.is(web[i].iterations, r.iterations, `problem ${i}`);
    assert.is(web[i].cost, r.cost, `problem ${i}: identical cost`);
    assert.equal(web[i].X, Array.from(r.X), `problem ${i}: identical states`);
    assert.equal(web[i].U, Array.from(r.U), `problem ${i}: identical controls`);
    assert.equal(web[i].Vx, Array.from(r.Vx), `problem ${i}: identical V_x`);
  });
  assert.equal(need().errors, []);
});

test("defineSystem in Chromium: the car written symbolically compiles in the page and solves on its engine and on 2 Web Workers exactly as in Node", async () => {
  const { page, engine } = need();
  const sys = definedCar();
  const rng = new Rng(11);
  const problems: Problem[] = Array.from({ length: 6 }, (_, i) => ({
    x0: sys.sampleRanges.map(([lo, hi]) => rng.uniform(lo, hi)), horizon: 80 + 40 * i, warmStart: i % 2 ? "random" : "zeros", seed: i,
  }));
  const options = { maxIter: 80 };
  const web = await page.evaluate(([p, o]) => (globalThis as unknown as {
    cactoApp: { definedCarSolve(p: unknown, o: unknown, w: number): Promise<{ seq: { cost: number; iterations: number; status: string; X: number[]; U: number[] }[]; pool: { cost: number; X: number[] }[]; moduleBytes: number }> };
  }).cactoApp.definedCarSolve(p, o, 2), [problems, options] as const);
  await engine.loadModel(sys.model);
  const node = new Solver(engine, sys).solveBatch(problems, options);
  assert.is(web.moduleBytes, sys.model.bytes.length, "the same module bytes");
  node.forEach((r, i) => {
    assert.is(web.seq[i].status, r.statusName, `problem ${i}`);
    assert.is(web.seq[i].iterations, r.iterations, `problem ${i}`);
    assert.is(web.seq[i].cost, r.cost, `problem ${i}: identical cost`);
    assert.equal(web.seq[i].X, Array.from(r.X), `problem ${i}: identical states`);
    assert.equal(web.seq[i].U, Array.from(r.U), `problem ${i}: identical controls`);
    assert.is(web.pool[i].cost, r.cost, `problem ${i}: the Web Worker pool's cost`);
    assert.equal(web.pool[i].X, Array.from(r.X), `problem ${i}: the Web Worker pool's states`);
  });
  assert.equal(need().errors, []);
});

test("WebSolverPool faults: an uncaught worker error rejects exactly its batch and the worker is replaced; a silently terminated worker is caught by timeoutMs; abort; a terminalModel with a method; the next batch equals sequential solves", async () => {
  const { page } = need();
  const scenario = readFileSync(new URL("./helpers/web-pool-faults.js", import.meta.url), "utf8");
  const report = await page.evaluate(scenario);
  const r = report as Record<string, { ok: boolean; name: string; message: string } | boolean | number>;
  const err = r.error as { ok: boolean; message: string };
  assert.not.ok(err.ok, "the batch served by the failing worker is rejected");
  assert.match(err.message, /WebSolverPool: worker 0 died while solving 2 problem\(s\) of this batch \(error: .+\); the pool starts a replacement/);
  assert.is(r.errorAlive, 2, "worker replaced after the error");
  assert.is(r.errorNext, true, "next batch equals sequential solves after the error");
  assert.is(r.errorIdle, 0, "the failed batch's leftover job finishes");
  assert.is(r.timeoutBusy, 2, "both workers serve the batch when one is killed");
  const to = r.timeout as { ok: boolean; name: string; message: string };
  assert.is(to.name, "TimeoutError");
  assert.match(to.message, /WebSolverPool: the batch of 64 problem\(s\) timed out after 3000 ms/);
  assert.is(r.timeoutAlive, 2, "pool back to full strength after the timeout");
  assert.is(r.timeoutNext, true);
  assert.is((r.abort as { name: string }).name, "AbortError");
  assert.is(r.abortOther, true, "the other caller's batch is unaffected by the abort");
  assert.is(r.abortAlive, 2);
  assert.is(r.terminal, true, "a terminalModel with a method is sent as its numbers and changes the solves");
  assert.is(r.finalNext, true);
  assert.match((r.closed as { message: string }).message, /WebSolverPool: solveBatch after close\(\)/);
  // the worker error is the only page error expected, and it is the one we caused
  const others = need().errors.filter((e) => !/null|Cannot use 'in' operator/.test(e));
  assert.equal(others, []);
  need().errors.length = 0;
});

test.run();
