// The "cacto-wasm/learn" entry (package self-reference, i.e. the compiled dist/ that users import):
// it exports what src/learn.ts exports, and the README's example (train, evaluate) runs through it on
// a tiny toy1d schedule.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as learn from "cacto-wasm/learn";
import * as source from "../src/learn.js";
import * as impl from "../src/learn-impl.js";
import { preset } from "../src/cacto/presets.js";

test("the learn entry (compiled) exports what the sources' learn.ts exports, with the same presets", () => {
  assert.equal(Object.keys(learn).sort(), Object.keys(source).sort());
  for (const k of Object.keys(source)) assert.is(typeof (learn as Record<string, unknown>)[k], typeof (source as Record<string, unknown>)[k], k);
  assert.equal(learn.preset("car", "quick"), preset("car", "quick"));
});

test("src/learn.ts re-exports every value of src/learn-impl.ts (its hand-written list misses none)", () => {
  const missing = Object.keys(impl).filter((k) => !(k in source));
  assert.equal(missing, []);
  for (const k of Object.keys(impl)) assert.is((source as Record<string, unknown>)[k], (impl as Record<string, unknown>)[k], k);
});

test("train and evaluate through the learn entry (toy1d, tiny schedule)", async () => {
  const cfg = { ...learn.preset("toy1d", "quick"), episodesPerLoop: 8, updateLoops: [10, 10], workers: 0 };
  const t = await learn.CactoTrainer.create(cfg, 3);
  const metrics = [];
  while (!t.finished) metrics.push(await t.runLoop());
  assert.is(metrics.length, 2);
  assert.is(t.updates, 20);
  const ev = await learn.evaluate(t, { grid: 3, workers: 0 });
  assert.is(ev.system, "toy1d");
  assert.is(ev.summaries.eval.actor.n, ev.evalStates.length);
  assert.ok(Number.isFinite(ev.summaries.eval.actor.mean), "actor warm-start mean cost is finite");
  await t.close();
});

test.run();
