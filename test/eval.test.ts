// The evaluation protocol on a briefly trained toy1d run: table shapes, summaries consistent with the
// tables, the actor-alone cost against an independent TS-reference recomputation, the written report
// and its SVG plots.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CactoTrainer } from "../src/cacto/trainer.js";
import { preset } from "../src/cacto/presets.js";
import { evaluate, gridStates, toyMinimiser, METHODS, WARM_STARTS, FRESH_SEED, DEFAULT_FRESH, type Evaluation } from "../src/eval/evaluate.js";
import { pairedStats } from "../src/eval/paired.js";
import { sampleStarts } from "../src/systems/sampling.js";
import { Rng } from "../src/rng.js";
import { makePlots, valueMapSvg, viridis, PLOT_FILES } from "../src/eval/plots.js";
import { writeReport, formatTable } from "../src/eval/report.js";
import { refModel } from "../src/ref/index.js";
import { buildParams, SYSTEMS } from "../src/systems/specs.js";

const GRID = 3;
let trainer: CactoTrainer;
let ev: Evaluation;

test.before(async () => {
  trainer = await CactoTrainer.create({ ...preset("toy1d", "quick"), updateLoops: [50, 50], workers: 0 }, 5);
  while (!trainer.finished) await trainer.runLoop();
  ev = await evaluate(trainer, { grid: GRID, workers: 1, seed: 3 });
});

test.after(async () => {
  await trainer.close();
  trainer.dispose();
});

test("shapes: evaluation states, grid, methods, trajectories, metrics", () => {
  const spec = SYSTEMS.toy1d;
  assert.is(ev.system, "toy1d");
  assert.is(ev.loops, 2);
  assert.is(ev.episodes, 2 * trainer.config.episodesPerLoop);
  assert.is(ev.evalStates.length, spec.evalStates.length);
  assert.is(ev.grid.length, 4 * GRID);
  assert.equal(ev.grid.map((r) => r.x0), gridStates(spec, GRID).states);
  assert.equal(ev.grid[0].x0, [-2.2]);
  assert.equal(ev.grid[ev.grid.length - 1].x0, [2.0]);
  assert.equal(ev.evalStates.map((r) => r.x0), spec.evalStates);
  for (const r of [...ev.evalStates, ...ev.grid]) {
    assert.equal(Object.keys(r.results).sort(), [...METHODS].sort());
    for (const m of METHODS) {
      const x = r.results[m];
      assert.ok(Number.isFinite(x.cost), `${r.set} ${r.index} ${m}: cost ${x.cost}`);
      assert.ok(x.final.every(Number.isFinite));
      assert.type(x.reached, "boolean");
    }
    for (const w of WARM_STARTS) assert.ok(r.results[w].status !== "non-finite");
    const best = Math.min(...METHODS.map((m) => r.results[m].cost));
    assert.is(r.results[r.best].cost, best);
  }
  for (const m of METHODS) {
    assert.is(ev.trajectories[m].length, spec.evalStates.length);
    for (const X of ev.trajectories[m]) assert.is(X.length, (spec.nsteps + 1) * spec.nx);
  }
  assert.is(ev.metrics.length, 2);
  // TO from a warm start never ends above the warm start's own cost (the actor rollout)
  for (const r of [...ev.evalStates, ...ev.grid]) assert.ok(r.results.actor.cost <= r.results.rollout.cost + 1e-12);
  // plain JSON
  const back = JSON.parse(JSON.stringify(ev)) as Evaluation;
  assert.equal(back.summaries, ev.summaries);
  assert.equal(back.evalStates, ev.evalStates);
});

test("fresh starts: drawn like the training problems from FRESH_SEED, random k0, paired actor - zeros per set", () => {
  const spec = SYSTEMS.toy1d;
  assert.is(ev.fresh.length, DEFAULT_FRESH);
  assert.is(ev.options.fresh, DEFAULT_FRESH);
  assert.is(ev.options.freshSeed, FRESH_SEED);
  const drawn = sampleStarts(spec, new Rng(FRESH_SEED), DEFAULT_FRESH);
  assert.equal(ev.fresh.map((r) => r.x0), drawn.map((d) => d.x0));
  assert.equal(ev.fresh.map((r) => r.k0), drawn.map((d) => d.k0));
  assert.is(new Set(ev.fresh.map((r) => r.k0)).size, spec.k0Range[1] - spec.k0Range[0] + 1, "every start step of toy1d's range occurs");
  assert.ok(ev.evalStates.every((r) => r.k0 === 0) && ev.grid.every((r) => r.k0 === 0));
  for (const r of ev.fresh) {
    assert.ok(r.k0 >= spec.k0Range[0] && r.k0 <= spec.k0Range[1]);
    for (const m of METHODS) assert.ok(Number.isFinite(r.results[m].cost), `fresh ${r.index} ${m}`);
    assert.ok(r.results.actor.cost <= r.results.rollout.cost + 1e-12);
  }
  // the paired statistics are those of the rows
  for (const set of ["eval", "grid", "fresh"] as const) {
    const rows = set === "eval" ? ev.evalStates : set === "grid" ? ev.grid : ev.fresh;
    const p = ev.paired[set];
    const d = rows.map((r) => r.results.actor.cost - r.results.zeros.cost);
    assert.is(p.n, rows.length);
    assert.ok(Math.abs(p.meanDiff - d.reduce((a, b) => a + b, 0) / d.length) < 1e-9);
    assert.is(p.worseShare, d.filter((v) => v > 1).length / d.length);
    assert.ok(p.ci95[0] <= p.meanDiff + 1e-12 && p.meanDiff <= p.ci95[1] + 1e-12, `${set}: ${p.ci95} around ${p.meanDiff}`);
  }
  assert.equal(ev.summaries.fresh.zeros.n, DEFAULT_FRESH);
});

test("summaries are the means, medians and reach fractions of the tables", () => {
  for (const [rows, sum] of [[ev.evalStates, ev.summaries.eval], [ev.grid, ev.summaries.grid]] as const) {
    for (const m of METHODS) {
      const c = rows.map((r) => r.results[m].cost);
      const mean = c.reduce((a, b) => a + b, 0) / c.length;
      assert.ok(Math.abs(sum[m].mean - mean) <= 1e-12 * Math.max(1, Math.abs(mean)), `${m} mean`);
      const s = [...c].sort((a, b) => a - b);
      const med = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
      assert.is(sum[m].median, med);
      assert.is(sum[m].n, rows.length);
      assert.is(sum[m].reach, rows.filter((r) => r.results[m].reached).length / rows.length);
    }
  }
});

test("reach rule of toy1d: the global minimiser of the polynomial, final x within 0.25", () => {
  const xs = toyMinimiser(SYSTEMS.toy1d);
  const m = refModel("toy1d");
  const f = (v: number) => m.terminalCost(Float64Array.of(v));
  // a minimum, and the lowest of the three
  assert.ok(f(xs) < f(xs - 1e-4) && f(xs) < f(xs + 1e-4));
  for (let x = -2.2; x <= 2.0; x += 1e-3) assert.ok(f(x) >= f(xs) - 1e-9);
  assert.is(ev.target[0], xs);
  for (const r of [...ev.evalStates, ...ev.grid]) {
    for (const meth of METHODS) assert.is(r.results[meth].reached, Math.abs(r.results[meth].final[1] - xs) <= 0.25);
  }
});

test("actor-alone cost equals an independent recomputation with the TS reference model (1e-9 rel)", () => {
  const spec = SYSTEMS.toy1d;
  const rows = [...ev.evalStates, ...ev.grid];
  const ro = trainer.actorRollout(rows.map((r) => ({ x0: r.x0, k0: 0 })));
  const model = refModel("toy1d", buildParams(spec));
  rows.forEach((r, i) => {
    const x = Float64Array.from(r.x0);
    const xn = new Float64Array(spec.nx);
    const u = new Float64Array(spec.nu);
    let cost = 0;
    for (let k = 0; k < spec.nsteps; k++) {
      u.set(ro[i].U.subarray(k * spec.nu, (k + 1) * spec.nu));
      cost += model.runningCost(x, u);
      model.step(xn, x, u);
      x.set(xn);
    }
    cost += model.terminalCost(x);
    const got = r.results.rollout.cost;
    assert.ok(Math.abs(got - cost) <= 1e-9 * Math.max(1, Math.abs(cost)), `${r.set} ${r.index}: ${got} vs ${cost}`);
    if (r.set === "eval") {
      const X = ev.trajectories.rollout[r.index];
      assert.ok(Math.abs(X[X.length - 1] - x[0]) <= 1e-12);
    }
  });
});

test("writeReport: report.md with the tables, valid SVGs, evaluation.json; formatTable", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cacto-eval-"));
  try {
    const svgs = makePlots(trainer, ev);
    assert.equal(Object.keys(svgs).sort(), Object.values(PLOT_FILES).sort());
    const file = writeReport(dir, ev, svgs);
    assert.is(file, path.join(dir, "report.md"));
    const md = readFileSync(file, "utf8");
    assert.match(md, "# CACTO evaluation: toy1d");
    assert.match(md, "| # | x0 | TO zeros | TO ics | TO random | TO actor | actor alone |");
    assert.match(md, "| evaluation states (n = 6) | mean cost | median cost | reach | best on |");
    assert.match(md, `| grid (n = ${4 * GRID}) |`);
    assert.match(md, "**");
    for (const f of Object.keys(svgs)) {
      assert.match(md, `](${f})`);
      const s = readFileSync(path.join(dir, f), "utf8");
      assert.ok(s.startsWith("<svg"), f);
      assert.ok(s.trimEnd().endsWith("</svg>"), f);
      assert.match(s, /<path [^>]*d="M/);
      assert.not.match(s, /NaN/);
    }
    const json = JSON.parse(readFileSync(path.join(dir, "evaluation.json"), "utf8"));
    assert.equal(json.summaries, ev.summaries);
    // the CLI's form: a trainer in place of the SVG map
    const dir2 = path.join(dir, "from-trainer");
    writeReport(dir2, ev, trainer);
    assert.ok(existsSync(path.join(dir2, PLOT_FILES.value)));
    const t = formatTable(ev);
    assert.match(t, "TO zeros");
    assert.match(t, "actor alone");
    assert.is(t.split("\n").filter((l) => /^\d+\s+\(/.test(l)).length, ev.evalStates.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("value map: toy1d curve has n samples; a 2-D system has n x n cells and a colour bar", async () => {
  const curve = valueMapSvg(trainer, { n: 37 });
  const d = /<path class="value" d="([^"]*)"/.exec(curve)?.[1] ?? "";
  assert.is((d.match(/[ML]/g) ?? []).length, 37);
  const si = await CactoTrainer.create({ ...preset("single_integrator", "quick"), workers: 0 }, 2);
  try {
    const svg = valueMapSvg(si, { n: 12 });
    assert.ok(svg.startsWith("<svg"));
    assert.is((svg.match(/<rect class="cell"/g) ?? []).length, 144);
    assert.is((svg.match(/<ellipse /g) ?? []).length, 3);
    assert.match(svg, ">max<");
    assert.match(svg, ">min<");
    assert.is(svg.match(/class="cell"[^>]*fill="#[0-9a-f]{6}"/g)?.length, 144);
  } finally {
    await si.close();
    si.dispose();
  }
  assert.is(viridis(0), "#440154");
  assert.is(viridis(1), "#fde725");
});

test.run();
