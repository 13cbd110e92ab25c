// Every experiment runs end to end in its smoke form and writes its report.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runExperiment } from "../src/experiments/index.js";
import { holds } from "../src/experiments/seeds.js";
import type { PairedStats } from "../src/eval/paired.js";

const dir = mkdtempSync(path.join(tmpdir(), "cacto-exp-"));

test("S smoke: per-seed paired results on fresh starts and evaluation states; a rerun resumes from the seed files", async () => {
  const out = path.join(dir, "S");
  const logs: string[] = [];
  const file = await runExperiment("S", { smoke: true, seeds: 2, out, log: (s) => logs.push(s) });
  const md = readFileSync(file, "utf8");
  assert.match(md, /# S: CACTO's warm start over 2 seeds: single_integrator/);
  assert.match(md, /Fresh starts: holds on \d of 2 seeds/);
  const j = JSON.parse(readFileSync(path.join(out, "results.json"), "utf8"));
  assert.is(j.results.length, 2);
  for (const r of j.results) {
    assert.is(r.paired.fresh.n, 8);
    assert.is(r.paired.eval.n, 9);
    assert.ok(r.paired.fresh.ci95[0] <= r.paired.fresh.ci95[1]);
    assert.ok(Math.abs(r.paired.fresh.meanDiff - (r.mean.fresh.actor - r.mean.fresh.zeros)) < 1e-9);
  }
  assert.is.not(j.results[0].paired.fresh.meanDiff, j.results[1].paired.fresh.meanDiff, "the seeds train different actors");
  // the second run trains nothing: both seeds come from their files
  const again: string[] = [];
  await runExperiment("S", { smoke: true, seeds: 2, out, log: (s) => again.push(s) });
  assert.is(again.filter((l) => /already in/.test(l)).length, 2);
  assert.is(again.filter((l) => /loop/.test(l)).length, 0);
  assert.equal(JSON.parse(readFileSync(path.join(out, "results.json"), "utf8")).results, j.results);
});

test("S --set: config overrides are applied, validated and reported; a changed override retrains instead of reusing seed files", async () => {
  const out = path.join(dir, "S-set");
  const set = { to: { maxIter: 150 }, dropUnconverged: true };
  const file = await runExperiment("S", { smoke: true, seeds: 1, out, set });
  assert.match(readFileSync(file, "utf8"), /Config overrides on the preset: `\{"to":\{"maxIter":150\},"dropUnconverged":true\}`/);
  const j = JSON.parse(readFileSync(path.join(out, "results.json"), "utf8"));
  assert.is(j.config.to.maxIter, 150);
  assert.is(j.config.dropUnconverged, true);
  assert.equal(j.set, set);
  const logs: string[] = [];
  await runExperiment("S", { smoke: true, seeds: 1, out, set: { to: { maxIter: 120 } }, log: (s) => logs.push(s) });
  assert.is(logs.filter((l) => /already in/.test(l)).length, 0, "another override is another experiment");
  let msg = "";
  try { await runExperiment("S", { smoke: true, seeds: 1, out, set: { maxIterations: 3 } }); } catch (e) { msg = (e as Error).message; }
  assert.match(msg, /set: unknown config field "maxIterations"/);
  try { await runExperiment("S", { smoke: true, seeds: 1, out: path.join(dir, "S-bad"), set: { criticLr: -1 } }); } catch (e) { msg = (e as Error).message; }
  assert.match(msg, /config\.criticLr: got -1/);
});

test("S: a seed holds when the interval is below 0 and the actor is worse by > 1 on at most a quarter", () => {
  const p = (lo: number, hi: number, worse: number): PairedStats => ({ n: 10, meanDiff: (lo + hi) / 2, medianDiff: 0, ci95: [lo, hi], worseShare: worse, betterShare: 0, margin: 1, resamples: 1 });
  assert.ok(holds(p(-5, -1, 0.25)));
  assert.not.ok(holds(p(-5, 0.1, 0)));
  assert.not.ok(holds(p(-5, -1, 0.26)));
  assert.not.ok(holds({ ...p(-5, -1, 0), n: 0 }));
});

test("E2 smoke: CACTO and CACTO-SL runs, per-loop curves, summary table", async () => {
  const file = await runExperiment("E2", { smoke: true, seeds: 1, out: path.join(dir, "E2") });
  const md = readFileSync(file, "utf8");
  assert.match(md, /# E2: CACTO vs CACTO-SL/);
  assert.match(md, /\| CACTO \| .*\/1 \|/);
  assert.match(md, /\| CACTO-SL \| .*\/1 \|/);
  const j = JSON.parse(readFileSync(path.join(dir, "E2", "results.json"), "utf8"));
  assert.is(j.runs.length, 2);
  for (const r of j.runs) {
    assert.is(r.curve.length, 2);
    assert.ok(Number.isFinite(r.finalMean));
  }
  assert.is(j.runs[1].wS, 1e-3);
});

test("E3 smoke: six controllers, true episode costs", async () => {
  const file = await runExperiment("E3", { smoke: true, out: path.join(dir, "E3") });
  const md = readFileSync(file, "utf8");
  for (const name of ["zero warm start", "actor warm start, critic terminal cost", "shifted plan, critic terminal cost"]) assert.match(md, new RegExp(name));
  const j = JSON.parse(readFileSync(path.join(dir, "E3", "results.json"), "utf8"));
  assert.is(j.rows.length, 6);
  for (const r of j.rows) for (const c of r.scores.costs) assert.ok(Number.isFinite(c));
});

test("E1 smoke: every warm start and every policy alone, evaluation states and grid", async () => {
  const file = await runExperiment("E1", { smoke: true, out: path.join(dir, "E1") });
  const md = readFileSync(file, "utf8");
  for (const name of ["TO from zeros", "TO from ICS", "TO from random controls", "TO from the CACTO actor", "TO from the imitation actor", "TO from the GPS actor", "GPS actor alone", "TO from the TD3 actor", "TD3 actor alone"]) {
    assert.match(md, new RegExp(`\\| ${name} \\| -?[\\d.]+`));
  }
  const j = JSON.parse(readFileSync(path.join(dir, "E1", "results.json"), "utf8"));
  assert.equal(Object.keys(j.results[0].table), ["evaluation states", "grid"]);
  assert.equal(j.results[0].gps.rho, [0, 0.1]);
  assert.ok(j.results[0].gps.meanToTaskCost.every(Number.isFinite));
});

test("E4 smoke: CACTO, TD3 and DDPG with wall times", async () => {
  const file = await runExperiment("E4", { smoke: true, seeds: 1, out: path.join(dir, "E4") });
  const md = readFileSync(file, "utf8");
  for (const m of ["CACTO", "TD3", "DDPG"]) assert.match(md, new RegExp(`\\| ${m} \\| [\\d.]+ \\|`));
  const j = JSON.parse(readFileSync(path.join(dir, "E4", "results.json"), "utf8"));
  assert.is(j.runs.length, 3);
  for (const r of j.runs) assert.ok(r.seconds > 0 && Number.isFinite(r.toMean));
});

test.run();
