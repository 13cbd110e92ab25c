/**
 * The package as users get it (issue 12): `npm run build`, `npm pack`, installed into a fresh consumer
 * project, then used with plain `node` (no tsx): the solver, the worker pool, the learning entry, a
 * CommonJS `require` (a clear "ESM only" error), a strict TypeScript consumer with skipLibCheck false
 * (Node and browser settings), the CLI verbs from node_modules/.bin, and a Vite build with no
 * configuration loaded in Chromium. The install uses npm's cache (`--prefer-offline`; CI's `npm ci`
 * has filled it); Vite is this repository's pinned dev dependency, run on the consumer's project.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Engine } from "../src/wasm/engine.js";
import { Solver } from "../src/to/solver.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const work = mkdtempSync(path.join(os.tmpdir(), "cacto-pkg-"));
const consumer = path.join(work, "consumer");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const tsc = path.join(root, "node_modules/typescript/bin/tsc");

function run(cmd: string, args: string[], cwd: string, timeout = 240_000) {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout, env: { ...process.env, NODE_OPTIONS: "" } });
  return { code: r.status, out: r.stdout ?? "", err: r.stderr ?? "" };
}

test.after(() => rmSync(work, { recursive: true, force: true }));

/** write an app (index.html loading main.js = `main` lines) into `app`, build it with Vite (this
 * repository's pinned copy) and check it in Chromium (see inChromium) */
async function viteInChromium(app: string, main: string[], ready: string, check: (page: import("playwright-core").Page) => Promise<void>) {
  run("mkdir", ["-p", app], consumer);
  writeFileSync(path.join(app, "index.html"), '<!doctype html><meta charset="utf-8"><title>app</title><script type="module" src="./main.js"></script>\n');
  writeFileSync(path.join(app, "main.js"), main.join("\n"));
  const b = run(process.execPath, [path.join(root, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn", "--outDir", "dist"], app);
  assert.is(b.code, 0, b.err + b.out);
  await inChromium(path.join(app, "dist"), ready, check);
}

/** serve `dir` on 127.0.0.1, open it in Chromium, wait until `ready` holds in the page, run
 * `check(page)`; page errors fail the test */
async function inChromium(dir: string, ready: string, check: (page: import("playwright-core").Page) => Promise<void>) {
  const { launchChromium } = await import(new URL("../scripts/web-browser.mjs", import.meta.url).href);
  const { serve } = await import(new URL("../scripts/web-serve.mjs", import.meta.url).href);
  const browser = await launchChromium();
  const srv = await serve({ dir, port: 0 });
  try {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e: Error) => errors.push(e.message));
    await page.goto(srv.url);
    await page.waitForFunction(ready, null, { timeout: 120_000 });
    await check(page);
    assert.equal(errors, []);
  } finally {
    await browser.close();
    await new Promise((res) => srv.server.close(res));
  }
}

/** the app of the bundler tests: examples/vite/main.js (one solve and a pool batch, no options) */
const SOLVE_APP = readFileSync(path.join(root, "examples/vite/main.js"), "utf8").split("\n");

/** the page of SOLVE_APP shows Node's result and the pool gives Node's costs */
async function checkSolveApp(page: import("playwright-core").Page) {
  const want = new Solver(await Engine.create(), "car").solve({ x0: [10, 0, 0, 0, 0] });
  assert.is((await page.evaluate(() => document.body.textContent ?? "")).trim(), `${want.statusName}: cost ${want.cost.toFixed(4)} in ${want.iterations} iterations`);
  const poolCosts = await page.evaluate(() => (globalThis as unknown as { poolCosts: number[] }).poolCosts);
  assert.equal(poolCosts, [want.cost, new Solver(await Engine.create(), "car").solve({ x0: [2, 0, 0, 0, 0] }).cost], "the Web Worker pool, bundled, gives Node's costs");
}

test("build, pack and install into a fresh project: the tarball holds dist/ with .d.ts, the engine .wasm, no tests", () => {
  execFileSync(process.execPath, [path.join(root, "scripts/build.mjs")], { cwd: root, stdio: "pipe" });
  const packed = run(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", work], root);
  assert.is(packed.code, 0, packed.err);
  const info = JSON.parse(packed.out)[0] as { filename: string; files: { path: string }[] };
  const files = info.files.map((f) => f.path);
  for (const f of ["dist/src/index.js", "dist/src/index.d.ts", "dist/src/index.d.ts.map", "dist/src/learn.js", "dist/src/to/pool-worker.js",
    "dist/src/web/pool.js", "dist/src/web/pool-worker.js", "dist/build/engine-simd.wasm", "dist/build/engine-scalar.wasm", "dist/bench/solver.js", "bin/cacto.js", "cjs/esm-only.cjs", "package.json"]) {
    assert.ok(files.includes(f), `the tarball has ${f}`);
  }
  assert.not.ok(files.some((f) => f.startsWith("test/") || f === "tsconfig.json" || f.startsWith("node_modules/")), "no tests, no tsconfig (bin/ would run the sources), no node_modules");
  writeFileSync(path.join(work, "package.json"), "{}");
  run("mkdir", ["-p", consumer], work);
  writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  const inst = run(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund", path.join(work, info.filename)], consumer, 600_000);
  assert.is(inst.code, 0, inst.err);
  assert.ok(existsSync(path.join(consumer, "node_modules/cacto-wasm/dist/src/index.js")));
  assert.not.ok(existsSync(path.join(consumer, "node_modules/tsx")), "tsx is not installed for users");
  assert.not.ok(existsSync(path.join(consumer, "node_modules/@tensorflow")), "TensorFlow.js (an optional peer) is not installed for solver-only users");
});

test("publint (strict) and arethetypeswrong (ESM-only profile) pass on the package and its tarball", () => {
  const pub = run(process.execPath, [path.join(root, "node_modules/publint/src/cli.js"), "--strict", "--pack", "false"], root);
  assert.is(pub.code, 0, pub.out + pub.err);
  assert.match(pub.out, /All good!/);
  const tgz = readdirSync(work).find((f) => f.endsWith(".tgz"))!;
  const attw = run(process.execPath, [path.join(root, "node_modules/@arethetypeswrong/cli/dist/index.js"), path.join(work, tgz),
    "--profile", "esm-only", "--exclude-entrypoints", "wasm/engine-simd.wasm", "wasm/engine-scalar.wasm", "--format", "json"], root);
  assert.is(attw.code, 0, attw.out.slice(0, 2000) + attw.err);
});

test("the API reference builds with TypeDoc and every public export is documented (npm run docs:api)", () => {
  const out = path.join(work, "api");
  const r = run(process.execPath, [path.join(root, "node_modules/typedoc/bin/typedoc"), "--out", out, "--logLevel", "Warn"], root);
  assert.is(r.code, 0, r.out + r.err);
  const undocumented = (r.out + r.err).split("\n").filter((l) => /does not have any documentation/.test(l));
  assert.equal(undocumented, [], "exports without a doc comment");
  assert.ok(existsSync(path.join(out, "index.html")));
});

test("without TensorFlow.js: the solver works; cacto-wasm/learn and cacto train say what to install", () => {
  writeFileSync(path.join(consumer, "solver-only.mjs"), 'import { createSolver } from "cacto-wasm";\nconsole.log((await createSolver("car")).solve({ x0: [10, 0, 0, 0, 0] }).statusName);\n');
  const ok = run(process.execPath, ["solver-only.mjs"], consumer);
  assert.is(ok.code, 0, ok.err);
  assert.is(ok.out.trim(), "converged");
  writeFileSync(path.join(consumer, "learn-missing.mjs"), 'try { await import("cacto-wasm/learn"); console.log("loaded"); } catch (e) { console.log(e.message); }\n');
  const l = run(process.execPath, ["learn-missing.mjs"], consumer);
  assert.match(l.out, /^cacto-wasm\/learn needs TensorFlow\.js, which is not installed: npm install @tensorflow\/tfjs@4\.22\.0 @tensorflow\/tfjs-backend-wasm@4\.22\.0/);
  const t = run(path.join(consumer, "node_modules/.bin/cacto"), ["train", "--system", "toy1d", "--loops", "1", "--out", path.join(work, "no-tf")], consumer);
  assert.is(t.code, 2);
  assert.match(t.err, /^cacto: train needs TensorFlow\.js, which is not installed: npm install @tensorflow\/tfjs@4\.22\.0/);
  assert.is(t.err.trim().split("\n").length, 1, "one line");
  // then the learning user installs it
  const inst = run(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund", "@tensorflow/tfjs@4.22.0", "@tensorflow/tfjs-backend-wasm@4.22.0"], consumer, 600_000);
  assert.is(inst.code, 0, inst.err);
});

test("plain node (no loader): solver, pool, learn entry; the same numbers as the sources; require gives the ESM-only message", async () => {
  writeFileSync(path.join(consumer, "use.mjs"), `
import { createSolver, ModelEvaluator, maxHorizonFor, SYSTEMS } from "cacto-wasm";
import { SolverPool } from "cacto-wasm/pool";
const s = await createSolver("car");
const r = s.solve({ x0: [10, 0, 0, 0, 0] });
const pool = await SolverPool.create({ workers: 2 });
const b = await pool.solveBatch("car", [{ x0: [10, 0, 0, 0, 0] }, { x0: [2, 0, 0, 0, 0] }]);
await pool.close();
const { CactoTrainer, preset } = await import("cacto-wasm/learn");
const t = await CactoTrainer.create({ ...preset("toy1d", "quick"), updateLoops: [10], episodesPerLoop: 4, workers: 0 }, 1);
const m = await t.runLoop();
await t.close();
console.log(JSON.stringify({ cost: r.cost, iterations: r.iterations, batch: b.map((x) => x.cost), model: typeof ModelEvaluator, lim: maxHorizonFor(SYSTEMS.manipulator), episodes: m.totalEpisodes }));
`);
  const r = run(process.execPath, ["use.mjs"], consumer);
  assert.is(r.code, 0, r.err);
  const o = JSON.parse(r.out.trim().split("\n").pop()!);
  const src = new Solver(await Engine.create(), "car");
  const want = src.solve({ x0: [10, 0, 0, 0, 0] });
  assert.is(o.cost, want.cost, "the compiled package gives the sources' cost bit for bit");
  assert.is(o.iterations, want.iterations);
  assert.equal(o.batch, [want.cost, src.solve({ x0: [2, 0, 0, 0, 0] }).cost]);
  assert.is(o.model, "function");
  assert.is(o.episodes, 4);
  writeFileSync(path.join(consumer, "use.cjs"), `try { require("cacto-wasm"); console.log("loaded"); } catch (e) { console.log(e.message); }`);
  const c = run(process.execPath, ["use.cjs"], consumer);
  assert.match(c.out, /^cacto-wasm is ESM only: use `import \{ createSolver \} from "cacto-wasm"`/);
});

test("the README's solver quick start runs as written from the installed package and prints what its comment says", () => {
  const md = readFileSync(path.join(root, "README.md"), "utf8");
  const at = md.indexOf("## Quick start");
  assert.ok(at >= 0, "README.md has a Quick start");
  const block = /```js\n([\s\S]*?)```/.exec(md.slice(at))![1];
  writeFileSync(path.join(consumer, "quickstart.mjs"), block);
  const r = run(process.execPath, ["quickstart.mjs"], consumer);
  assert.is(r.code, 0, r.err);
  const promised = /\/\/ (converged [\d.]+)\s*$/m.exec(block)![1];
  assert.is(r.out.trim(), promised);
  // and its own-system snippet (defineSystem)
  const own = [...md.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes("defineSystem("));
  assert.ok(own, "README.md has a defineSystem snippet");
  writeFileSync(path.join(consumer, "own-system.mjs"), own!);
  const o = run(process.execPath, ["own-system.mjs"], consumer);
  assert.is(o.code, 0, o.err);
  assert.is(o.out.trim(), /\/\/ (converged [\d.]+)/.exec(own!)![1]);
});

test("examples/: solve, batch, cartpole, pendulum, quadrotor (defineSystem) and train run against the installed package with plain node", () => {
  for (const [file, re] of [
    ["solve.mjs", /^converged in \d+ iterations: cost 45\.4972/m],
    ["batch.mjs", /32 problems on 2 workers .*\nproblem 7: pool (-?[\d.]+), sequential \1/],
    ["cartpole.mjs", /^cartpole: converged in \d+ iterations: cost [\d.]+, final angle -?(2\.9[4-9]|3\.[0-3])\d*.*: upright$/m],
    ["pendulum.mjs", /^pendulum: converged in \d+ iterations: cost [\d.]+, final angle -?3\.[01]\d\d/m],
    ["quadrotor.mjs", /^planar_quadrotor: converged in \d+ iterations: cost [\d.]+, final state \((-?0\.0\d\d, ){5}-?0\.0\d\d\)/m],
    ["train.mjs", /loop 2\/2: 16 TO problems[\s\S]*evaluation states: TO from zeros -?[\d.]+, from the actor -?[\d.]+[\s\S]*actor\/model\.json/],
  ] as const) {
    const r = run(process.execPath, [path.join(consumer, "node_modules/cacto-wasm/examples", file)], consumer);
    assert.is(r.code, 0, `${file}: ${r.err}`);
    assert.match(r.out, re, file);
  }
});

/**
 * A runtime's binary from the dev dependencies "bun" and "deno" (their npm packages carry the platform
 * binary; where npm put it varies): the first candidate that answers --version.
 */
function runtimeBinary(name: string, candidates: string[]): string {
  const found: string[] = [];
  for (const c of candidates) {
    const dir = path.dirname(c);
    const base = path.basename(c);
    const dirs = dir.includes("*")
      ? (existsSync(path.dirname(dir)) ? readdirSync(path.dirname(dir)).filter((d) => d.startsWith(path.basename(dir).replace("*", ""))).map((d) => path.join(path.dirname(dir), d)) : [])
      : [dir];
    for (const d of dirs) {
      const f = path.join(d, base);
      found.push(f);
      if (existsSync(f) && spawnSync(f, ["--version"], { encoding: "utf8" }).status === 0) return f;
    }
  }
  assert.unreachable(`no working ${name} binary (tried ${found.join(", ")}); npm ci installs it with the dev dependencies`);
  return "";
}

test("Bun and Deno run the solver and the worker-pool examples from the installed package", () => {
  const nm = path.join(root, "node_modules");
  const bun = runtimeBinary("bun", [path.join(nm, "bun/bin/bun.exe"), path.join(nm, "@oven/bun-*/bin/bun"), path.join(nm, "bun/bin/bun")]);
  const deno = runtimeBinary("deno", [path.join(nm, "@deno/*/deno"), path.join(nm, "deno/deno")]);
  for (const [name, cmd, pre] of [["bun", bun, []], ["deno", deno, ["run", "--allow-read", "--allow-env", "--allow-sys"]]] as const) {
    for (const [file, re] of [["solve.mjs", /^converged in \d+ iterations: cost 45\.4972/m], ["batch.mjs", /problem 7: pool (-?[\d.]+), sequential \1/]] as const) {
      const r = run(cmd, [...pre, path.join(consumer, "node_modules/cacto-wasm/examples", file)], consumer);
      assert.is(r.code, 0, `${name} ${file}: ${r.err}`);
      assert.match(r.out, re, `${name} ${file}`);
    }
  }
});

test("a strict TypeScript consumer (skipLibCheck false): no errors from the package's types, in Node and in browser settings", () => {
  writeFileSync(path.join(consumer, "node.ts"), `
import { createSolver, type SolveResult, type Problem } from "cacto-wasm";
import { SolverPool } from "cacto-wasm/pool";
import { CactoTrainer, preset, evaluate } from "cacto-wasm/learn";
const s = await createSolver("car");
const p: Problem = { x0: [10, 0, 0, 0, 0] };
const r: SolveResult = s.solve(p);
const pool = await SolverPool.create({ workers: 1 });
await pool.close();
const t = await CactoTrainer.create(preset("toy1d", "quick"), 1);
console.log(r.cost, typeof evaluate, t.loops);
`);
  writeFileSync(path.join(consumer, "browser.ts"), `
import { createSolver, SYSTEMS } from "cacto-wasm";
import { WebSolverPool } from "cacto-wasm/web";
const s = await createSolver("car", { baseUrl: "/wasm/" });
console.log(s.solve({ x0: [10, 0, 0, 0, 0] }).cost, SYSTEMS.car.nx, typeof WebSolverPool);
`);
  const strict = { strict: true, noEmit: true, skipLibCheck: false, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, noImplicitOverride: true, target: "ES2022" };
  writeFileSync(path.join(consumer, "tsconfig.node.json"), JSON.stringify({ compilerOptions: { ...strict, module: "NodeNext", moduleResolution: "NodeNext", types: ["node"], typeRoots: [path.join(root, "node_modules/@types")] }, files: ["node.ts"] }));
  writeFileSync(path.join(consumer, "tsconfig.browser.json"), JSON.stringify({ compilerOptions: { ...strict, module: "ESNext", moduleResolution: "Bundler", lib: ["ES2022", "DOM"], types: [] }, files: ["browser.ts"] }));
  for (const cfg of ["tsconfig.node.json", "tsconfig.browser.json"]) {
    const r = run(process.execPath, [tsc, "-p", cfg], consumer);
    const ours = (r.out + r.err).split("\n").filter((l) => /error TS/.test(l) && !/node_modules\/@tensorflow\//.test(l));
    assert.equal(ours, [], `${cfg}: errors outside TensorFlow.js's own typings`);
  }
});

test("the CLI from node_modules/.bin runs the compiled code: systems, solve, bench, train a loop, eval", () => {
  const bin = path.join(consumer, "node_modules/.bin/cacto");
  const sys = run(bin, ["systems"], consumer);
  assert.is(sys.code, 0, sys.err);
  assert.match(sys.out, /manipulator/);
  const solve = run(bin, ["solve", "--system", "car", "--x0", "10,0,0,0,0", "--json"], consumer);
  assert.is(solve.code, 0, solve.err);
  assert.is(JSON.parse(solve.out).status, "converged");
  const bench = run(bin, ["bench", "solver", "--systems", "toy1d", "--reps", "1", "--no-ref"], consumer);
  assert.is(bench.code, 0, bench.err);
  assert.match(bench.out, /toy1d\s+wasm-simd/);
  const runDir = path.join(work, "run");
  const train = run(bin, ["train", "--system", "toy1d", "--loops", "1", "--workers", "0", "--out", runDir], consumer);
  assert.is(train.code, 0, train.err);
  assert.match(train.err, /\(1\/3 loops\)/);
  const ev = run(bin, ["eval", "--run", runDir, "--grid", "2", "--fresh", "2", "--workers", "0"], consumer);
  assert.is(ev.code, 0, ev.err);
  assert.ok(readdirSync(runDir).includes("report.md"));
});

test("a Vite build of the consumer, with no configuration: Vite emits the engine's .wasm and bundles the pool's worker (literal new URL forms); the page solves and batches in Chromium as Node does", async () => {
  const app = path.join(consumer, "vite-app");
  await viteInChromium(app, SOLVE_APP, '/cost/.test(document.body.textContent ?? "")', async (page) => {
    const assets = readdirSync(path.join(app, "dist/assets"));
    assert.ok(assets.some((f) => /^engine-simd-.*\.wasm$/.test(f)), `Vite emitted the engine: ${assets.join(", ")}`);
    assert.ok(assets.some((f) => /^pool-worker-.*\.js$/.test(f)), "Vite bundled the pool's worker");
    await checkSolveApp(page);
  });
});

test("a webpack 5 build with no configuration file (src/index.js -> dist/): the same app solves and batches in Chromium as Node does", async () => {
  const app = path.join(consumer, "webpack-app");
  run("mkdir", ["-p", path.join(app, "src")], consumer);
  writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "webpack-app", private: true, type: "module" }));
  writeFileSync(path.join(app, "src/index.js"), SOLVE_APP.join("\n"));
  const b = run(process.execPath, [path.join(root, "node_modules/webpack-cli/bin/cli.js"), "--mode", "production"], app);
  assert.is(b.code, 0, b.err + b.out);
  const out = readdirSync(path.join(app, "dist"));
  assert.ok(out.filter((f) => f.endsWith(".wasm")).length >= 1, `webpack emitted the engine: ${out.join(", ")}`);
  writeFileSync(path.join(app, "dist/index.html"), '<!doctype html><meta charset="utf-8"><title>app</title><script src="./main.js"></script>\n');
  await inChromium(path.join(app, "dist"), '/cost/.test(document.body.textContent ?? "")', checkSolveApp);
});

test("cacto-wasm/learn/browser bundled by Vite: a tiny CACTO training runs in Chromium and matches Node's", async () => {
  const app = path.join(consumer, "vite-learn");
  run("mkdir", ["-p", path.join(app, "public/tfjs")], consumer);
  const tfDist = path.join(consumer, "node_modules/@tensorflow/tfjs-backend-wasm/dist");
  for (const f of readdirSync(tfDist).filter((f) => f.endsWith(".wasm"))) copyFileSync(path.join(tfDist, f), path.join(app, "public/tfjs", f));
  await viteInChromium(app, [
    'import { CactoTrainer, preset, initBrowserTf, encodeCheckpoint } from "cacto-wasm/learn/browser";',
    'await initBrowserTf(new URL("./tfjs/", location.href));',
    'const t = await CactoTrainer.create({ ...preset("toy1d", "quick"), updateLoops: [20, 20], episodesPerLoop: 8, workers: 0 }, 3);',
    'while (!t.finished) await t.runLoop();',
    'globalThis.result = { loop: t.loop, updates: t.updates, costs: t.metrics.map((m) => m.meanToCost), checkpointChars: encodeCheckpoint(t.serialize()).length };',
    'document.body.textContent = "trained";',
  ], 'document.body.textContent === "trained"', async (page) => {
    const r = await page.evaluate(() => (globalThis as unknown as { result: { loop: number; updates: number; costs: number[]; checkpointChars: number } }).result);
    assert.is(r.loop, 2);
    assert.is(r.updates, 40);
    const { CactoTrainer } = await import("../src/cacto/trainer.js");
    const { preset } = await import("../src/cacto/presets.js");
    const t = await CactoTrainer.create({ ...preset("toy1d", "quick"), updateLoops: [20, 20], episodesPerLoop: 8, workers: 0 }, 3);
    while (!t.finished) await t.runLoop();
    const node = t.metrics.map((m) => m.meanToCost);
    t.dispose();
    assert.equal(r.costs, node, "the same seed gives the same training in the browser and in Node");
    assert.ok(r.checkpointChars > 1000);
  });
});

test.run();
