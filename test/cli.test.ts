// The cacto command as a user runs it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const bin = new URL("../bin/cacto.js", import.meta.url).pathname;
function cacto(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test("systems lists the six benchmark systems with dimensions", () => {
  const r = cacto("systems", "--json");
  assert.is(r.code, 0);
  const rows = JSON.parse(r.out) as { name: string; nx: number; nu: number }[];
  assert.equal(rows.map((x) => x.name), ["toy1d", "single_integrator", "double_integrator", "car", "car_park", "manipulator"]);
  assert.equal(rows.find((x) => x.name === "manipulator"), { ...rows.find((x) => x.name === "manipulator")!, nx: 6, nu: 3 });
});

test("bench learn: JSON rows with updates/s, per-phase times whose shares sum to 1, no tensor growth; bad flags rejected", () => {
  const r = cacto("bench", "learn", "--systems", "toy1d", "--presets", "quick", "--updates", "5", "--json");
  assert.is(r.code, 0, r.err);
  const rows = r.out.trim().split("\n").map((l) => JSON.parse(l));
  assert.is(rows[0].kind, "machine");
  const row = rows[1];
  assert.is(row.kind, "learn");
  assert.is(row.system, "toy1d");
  assert.is(row.updates, 5);
  assert.ok(row.updatesPerSecond > 0 && Number.isFinite(row.msPerUpdate));
  const shares = Object.values(row.shares as Record<string, number>);
  assert.is(shares.length, 5);
  assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  assert.ok(row.phases.critic > 0 && row.phases.actor > 0);
  assert.is(row.tensorsAfter, row.tensorsBefore, "no tensor leak across updates");
  assert.match(cacto("bench", "learn", "--presets", "fast").err, /--presets: got "fast", expected quick and\/or reference/);
  assert.match(cacto("bench", "learn", "--updates", "0").err, /--updates: got 0, expected an integer >= 1/);
});

test("bench convergence: JSON rows per system and warm start, consistent shares; bad --options rejected", () => {
  const r = cacto("bench", "convergence", "--systems", "toy1d,car", "--problems", "4", "--long", "50", "--json");
  assert.is(r.code, 0, r.err);
  const rows = r.out.trim().split("\n").map((l) => JSON.parse(l));
  assert.is(rows[0].kind, "machine");
  const conv = rows.filter((x) => x.kind === "convergence");
  assert.equal(conv.map((x) => `${x.system} ${x.warm}`), ["toy1d zeros", "toy1d random", "car zeros", "car random"]);
  for (const x of conv) {
    assert.is(x.problems, 4);
    // within 100 <= within 200 <= within 500, and the statuses after 200 add up to the problems
    assert.ok(x.within[100] <= x.within[200] && x.within[200] <= x.within[500], JSON.stringify(x.within));
    assert.is(Object.values(x.statuses as Record<string, number>).reduce((a, b) => a + b, 0), 4);
    assert.is((x.statuses.converged ?? 0) / 4, x.within[200]);
    // a 200-iteration result is never better than the best cost any run found
    assert.ok(x.gapBest.median >= -1e-9 && x.gap.median >= -1e-9, JSON.stringify(x));
  }
  assert.equal(conv.find((x) => x.system === "toy1d").within, { 100: 1, 200: 1, 500: 1 });
  const ev = rows.filter((x) => x.kind === "convergence-eval");
  assert.is(ev.length, 2);
  assert.is(ev[1].states.length, 9);
  assert.is(ev[1].states[1].ipopt, 45.4972);
  const bad = cacto("bench", "convergence", "--options", "{hessian:", "--systems", "toy1d");
  assert.is(bad.code, 2);
  assert.match(bad.err, /--options: got "\{hessian:", expected a JSON object/);
  const badOpt = cacto("bench", "convergence", "--options", '{"hessian":"newton"}', "--systems", "toy1d", "--problems", "1");
  assert.is.not(badOpt.code, 0);
  assert.match(badOpt.err, /options\.hessian: got "newton"/);
});

test("failed writes lose nothing: one clear line, exit code 4, the result printed or the state rescued; bad --out is a usage error", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "cacto-faults-"));
  // a plot that cannot be written (under /proc nothing can be created, even by root): the solve is still printed
  const p = cacto("solve", "--system", "single_integrator", "--x0", "10,0", "--plot", "/proc/cacto-no-such-dir/plot.svg");
  assert.is(p.code, 4, p.err);
  assert.match(p.out, /status\s+converged/);
  assert.match(p.out, /cost\s+8\.72641/);
  assert.equal(p.err.trim().split("\n"), [p.err.trim()], "one line on stderr");
  assert.match(p.err, /^cacto: cannot write \/proc\/cacto-no-such-dir\/plot\.svg: /);
  // a run directory that cannot be created: refused before any training (and no hang in mkdir)
  const ro = cacto("train", "--system", "toy1d", "--out", "/proc/cacto-no-such-run", "--loops", "1");
  assert.is(ro.code, 4);
  assert.match(ro.err, /cacto: cannot write \/proc\/cacto-no-such-run\/\.write-probe-\d+/);
  assert.not.match(ro.err, /training CACTO/, "checked before training starts");
  // --out naming a file
  const file = path.join(dir, "a-file");
  writeFileSync(file, "x");
  const f = cacto("train", "--system", "toy1d", "--out", file, "--loops", "1");
  assert.is(f.code, 2);
  assert.match(f.err, /run directory .*a-file: it exists and is not a directory/);
  // the checkpoint cannot be written after a loop (its path is a directory): the state goes to a rescue copy
  const run = path.join(dir, "run");
  mkdirSync(path.join(run, "checkpoint.json"), { recursive: true });
  writeFileSync(path.join(run, "checkpoint.json.tmp-2147483646"), "torn"); // a killed writer's leftover
  const t = cacto("train", "--system", "toy1d", "--out", run, "--loops", "1", "--fresh");
  assert.is(t.code, 4, t.err);
  assert.match(t.err, /removed a stale temporary file of a killed run: .*checkpoint\.json\.tmp-2147483646/);
  const m = /saved to (\S+)\/checkpoint\.json instead; continue with: cacto train --resume --out (\S+)/.exec(t.err);
  assert.ok(m, t.err);
  assert.ok(existsSync(path.join(m![1], "checkpoint.json")));
  assert.equal(readdirSync(run), ["checkpoint.json"], "no temporary file left in the run directory");
  const resumed = cacto("train", "--resume", "--out", m![2], "--loops", "1");
  assert.is(resumed.code, 0, resumed.err);
  assert.match(resumed.err, /resuming .*: 1 of 3 loops done/);
  assert.match(resumed.err, /\(2\/3 loops\)/);
});

test("smaller CLI gaps: hex integers, --reps 0, --loops 0, train --grid 1 are usage errors before any work; the web server's port in use and missing app are one line", () => {
  const g = cacto("train", "--system", "toy1d", "--eval", "--grid", "1", "--out", path.join(mkdtempSync(path.join(tmpdir(), "cacto-g1-")), "run"));
  assert.is(g.code, 2);
  assert.match(g.err, /^cacto: --grid: got 1, expected 2\.\.101/);
  const serve = new URL("../scripts/web-serve.mjs", import.meta.url).pathname;
  const missing = spawnSync(process.execPath, [serve, "--dir", path.join(tmpdir(), "cacto-no-app-here")], { encoding: "utf8", timeout: 60_000 });
  assert.is(missing.status, 2);
  assert.match(missing.stderr, /^web server: .*cacto-no-app-here has no index\.html/);
  const app = mkdtempSync(path.join(tmpdir(), "cacto-app-"));
  writeFileSync(path.join(app, "index.html"), "<html></html>");
  const blocker = spawnSync(process.execPath, ["-e", `const s = require("http").createServer().listen(0, "127.0.0.1", () => { const p = s.address().port; const r = require("child_process").spawnSync(process.execPath, [${JSON.stringify(serve)}, "--port", String(p), "--dir", ${JSON.stringify(app)}], { encoding: "utf8" }); process.stdout.write(JSON.stringify({ code: r.status, err: r.stderr })); s.close(); });`], { encoding: "utf8", timeout: 60_000 });
  const busy = JSON.parse(blocker.stdout);
  assert.is(busy.code, 2);
  assert.match(busy.err, /^web server: port \d+ is in use/);
  assert.is(busy.err.trim().split("\n").length, 1);
  const h = cacto("solve", "--system", "car", "--x0", "1,0,0,0,0", "--horizon", "0x10");
  assert.is(h.code, 2);
  assert.match(h.err, /--horizon: got "0x10", expected an integer/);
  const r = cacto("bench", "solver", "--reps", "0");
  assert.is(r.code, 2);
  assert.match(r.err, /--reps: got 0, expected an integer >= 1/);
  const l = cacto("train", "--system", "toy1d", "--loops", "0", "--out", path.join(mkdtempSync(path.join(tmpdir(), "cacto-l0-")), "run"));
  assert.is(l.code, 2);
  assert.match(l.err, /^cacto: --loops: got 0, expected an integer >= 1/);
});

test("solve prints status, cost, iterations and time; --json and --plot", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "cacto-cli-"));
  const svg = path.join(dir, "si.svg");
  const r = cacto("solve", "--system", "single_integrator", "--x0", "10,0", "--json", "--plot", svg);
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.is(j.status, "converged");
  assert.ok(j.cost > 0 && j.iterations > 0);
  assert.is(j.X.length, 101 * 2);
  const s = readFileSync(svg, "utf8");
  assert.ok(s.startsWith("<svg"));
  assert.is((s.match(/<ellipse/g) ?? []).length, 3, "three obstacles drawn");
  assert.match(s, /<path d="M[\d.]+,[\d.]+L/);
  const h = cacto("solve", "--system", "car", "--x0", "10,0,0,0,0", "--horizon", "100", "--warm", "ics");
  assert.is(h.code, 0, h.err);
  assert.match(h.out, /status\s+(converged|max-iterations)/);
  assert.match(h.out, /cost\s+\d/);
  assert.match(h.out, /iterations\s+\d+/);
  assert.match(h.out, /ms\/iteration/);
});

test("bad arguments give clear errors and exit code 2", () => {
  const cases: [string[], RegExp][] = [
    [["solve", "--system", "car", "--x0", "1,2"], /--x0: got 2 values, expected 5 for car/],
    [["solve", "--system", "cart"], /--system: got "cart", expected one of/],
    [["solve", "--system", "car", "--x0", "1,a,0,0,0"], /--x0: item 2 is "a"/],
    [["solve", "--system", "car", "--horizon", "0"], /^cacto: --horizon: got 0, expected an integer in \[1, 1000000\]/],
    [["solve", "--system", "manipulator", "--horizon", "999999"], /^cacto: --horizon: got 999999, expected an integer in \[1, \d+\] \(a longer manipulator horizon needs more than the engine's 2 GiB/],
    [["solve", "--system", "car", "--max-iter", "-5"], /^cacto: --max-iter: got -5, expected an integer in \[0, 1000000\]/],
    [["solve", "--system", "car", "--tol", "-1"], /^cacto: --tol: got -1/],
    [["solve", "--system", "car", "--time-limit", "-3"], /^cacto: --time-limit: got -3/],
    [["solve", "--system", "car", "--warm", "best"], /--warm: got "best", expected one of zeros, ics, random/],
    [["solve", "--system", "car", "--speed", "3"], /unknown flag --speed/],
    [["solve"], /--system is required/],
    [["frobnicate"], /unknown command "frobnicate"/],
  ];
  for (const [args, re] of cases) {
    const r = cacto(...args);
    assert.is(r.code, 2, args.join(" "));
    assert.match(r.err, re);
  }
});

test("train, stop, resume, eval: a small toy1d run through the command line", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "cacto-run-"));
  const run = path.join(dir, "toy");
  const a = cacto("train", "--system", "toy1d", "--out", run, "--workers", "0", "--loops", "1");
  assert.is(a.code, 0, a.err);
  assert.match(a.err, /loop 1 done: 64 TO problems/);
  assert.match(a.err, /checkpoint: .*\(1\/3 loops\)/);
  const again = cacto("train", "--system", "toy1d", "--out", run);
  assert.is(again.code, 2);
  assert.match(again.err, /already holds a checkpoint; continue it with --resume/);
  const b = cacto("train", "--resume", "--out", run, "--workers", "0");
  assert.is(b.code, 0, b.err);
  assert.match(b.err, /resuming .*: 1 of 3 loops done/);
  assert.match(b.err, /\(3\/3 loops\)/);
  const e = cacto("eval", "--run", run, "--grid", "3", "--workers", "0");
  assert.is(e.code, 0, e.err);
  assert.match(e.out, /TO zeros +TO ics +TO random +TO actor +actor alone/);
  assert.match(e.out, /mean cost/);
  const report = readFileSync(path.join(run, "report.md"), "utf8");
  assert.match(report, /value_map\.svg/);
  const j = cacto("eval", "--run", run, "--grid", "2", "--workers", "0", "--json");
  assert.is(j.code, 0, j.err);
  assert.ok(JSON.parse(j.out).summaries.eval.actor.n === 6);
});

test("a user-defined system through the command line: solve, train, resume and eval find it from its module", () => {
  const pend = new URL("../examples/pendulum.mjs", import.meta.url).pathname;
  const sv = cacto("solve", "--system", pend, "--x0", "0.3,0", "--json");
  assert.is(sv.code, 0, sv.err);
  const r = JSON.parse(sv.out);
  assert.is(r.system, "pendulum");
  assert.is(r.status, "converged");
  const dir = mkdtempSync(path.join(tmpdir(), "cacto-user-run-"));
  const run = path.join(dir, "pend");
  const a = cacto("train", "--system", pend, "--out", run, "--workers", "0", "--loops", "1");
  assert.is(a.code, 0, a.err);
  assert.match(a.err, /training CACTO-SL .* on pendulum, preset quick/);
  assert.equal(JSON.parse(readFileSync(path.join(run, "system-source.json"), "utf8")), { name: "pendulum", file: pend });
  // resume and eval load the module from the run directory's record
  const b = cacto("train", "--resume", "--out", run, "--workers", "0", "--loops", "1");
  assert.is(b.code, 0, b.err);
  assert.match(b.err, /resuming .*: 1 of 5 loops done/);
  const wrong = cacto("train", "--resume", "--out", run, "--system", "car", "--loops", "1");
  assert.is(wrong.code, 2);
  assert.match(wrong.err, /--system: "car" is "car", but the run in .* trained "pendulum"/);
  const e = cacto("eval", "--run", run, "--grid", "2", "--fresh", "4", "--workers", "0", "--json");
  assert.is(e.code, 0, e.err);
  const ev = JSON.parse(e.out);
  assert.is(ev.system, "pendulum");
  assert.match(ev.reachRule, /upright at the final node/);
  assert.is(ev.summaries.eval.actor.n, 9);
  // a module that exports no system, and a missing one, are named
  const bad = path.join(dir, "nothing.mjs");
  writeFileSync(bad, "export const x = 1;\n");
  const nb = cacto("solve", "--system", bad);
  assert.is(nb.code, 2);
  assert.match(nb.err, /exports neither default nor system; expected `export default defineSystem/);
  const nf = cacto("train", "--system", path.join(dir, "gone.mjs"), "--out", path.join(dir, "x"));
  assert.is(nf.code, 2);
  assert.match(nf.err, /no such file/);
});

test("train and eval reject bad arguments by name", () => {
  const cases: [string[], RegExp][] = [
    [["train"], /--system is required/],
    [["train", "--system", "toy1d", "--preset", "huge"], /--preset: got "huge", expected one of quick, reference/],
    [["train", "--system", "toy1d", "--sobolev", "-1"], /--sobolev: got -1, expected a weight >= 0/],
    [["train", "--system", "toy1d", "--actor-output", "relu"], /--actor-output: got "relu", expected one of linear, tanh/],
    [["train", "--resume"], /--out <run directory> is required/],
    [["train", "--resume", "--out", "/nonexistent/run"], /no checkpoint at \/nonexistent\/run/],
    [["eval"], /--run <run directory> is required/],
    [["eval", "--run", "/nonexistent/run"], /no checkpoint at/],
    [["eval", "--run", "x", "--grid", "1"], /--grid: got 1, expected 2\.\.101/],
  ];
  for (const [args, re] of cases) {
    const r = cacto(...args);
    assert.is(r.code, 2, args.join(" ") + " " + r.err);
    assert.match(r.err, re);
  }
});

test.run();
