// The actor thread (issue 15): training with the actor's steps on a second thread gives the same run,
// bit for bit, as training in one thread (car with the Sobolev loss and a learning-rate halving, and a
// user-defined system); a diverged actor's error reaches the caller; nothing is left running.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as tf from "@tensorflow/tfjs";
import { CactoTrainer } from "../src/cacto/trainer.js";
import { preset, type CactoConfig } from "../src/cacto/presets.js";
import { defineSystem } from "../src/systems/define.js";
import { square } from "../src/sym/index.js";

async function run(cfg: CactoConfig, seed: number, loops: number): Promise<{ json: string; losses: number[]; thread: boolean }> {
  const t = await CactoTrainer.create(cfg, seed);
  try {
    const losses: number[] = [];
    for (let l = 0; l < loops; l++) {
      const m = await t.runLoop();
      losses.push(m.criticLoss, m.actorLoss);
    }
    const d = t.serialize();
    // wall-clock fields differ between runs; everything else must not
    const metrics = d.metrics.map(({ rolloutSeconds: _a, toSeconds: _b, updateSeconds: _c, wallSeconds: _d, ...rest }) => rest);
    return { json: JSON.stringify({ ...d, config: { ...d.config, actorThread: null }, metrics }), losses, thread: t.usesActorThread };
  } finally {
    await t.close();
    t.dispose();
  }
}

test("car, CACTO-SL with a learning-rate halving: the actor thread gives the one-thread run bit for bit, and the same seed twice the same run", async () => {
  const base: CactoConfig = { ...preset("car", "quick"), updateLoops: [0, 30, 0, 30], episodesPerLoop: 8, batchSize: 32, lrHalvings: [37], workers: 1, to: { maxIter: 20 } };
  const one = await run({ ...base, actorThread: false }, 4, 4);
  const two = await run({ ...base, actorThread: true }, 4, 4);
  const again = await run({ ...base, actorThread: true }, 4, 4);
  assert.is(one.thread, false);
  assert.is(two.thread, true);
  assert.ok(one.losses.every(Number.isFinite));
  assert.equal(two.losses, one.losses);
  assert.ok(two.json === one.json, "checkpoints differ");
  assert.ok(again.json === two.json, "the same seed twice with the thread differs");
  // and another seed does differ (the comparison can fail)
  const other = await run({ ...base, actorThread: true }, 5, 4);
  assert.ok(other.json !== two.json);
});

// each actor-step option: the same run with and without the thread, and another run than without it
const ACTOR_OPTIONS: [string, Partial<CactoConfig>, Partial<CactoConfig>][] = [
  ["actorGradQuirk", { actorGradQuirk: true }, { actorGradQuirk: false }],
  ["costateWeight", { costateWeight: 0.5 }, { costateWeight: 0 }],
  ["actorInvertGradients", { actorInvertGradients: true }, { actorInvertGradients: false }],
];
for (const [name, on, off] of ACTOR_OPTIONS) {
  test(`${name}: the same run with and without the thread, and another run than without it`, async () => {
    const base: CactoConfig = { ...preset("car", "quick"), updateLoops: [0, 20], episodesPerLoop: 8, batchSize: 32, workers: 1, to: { maxIter: 20 }, ...on };
    const one = await run({ ...base, actorThread: false }, 6, 2);
    const two = await run({ ...base, actorThread: true }, 6, 2);
    const plain = await run({ ...base, ...off, actorThread: true }, 6, 2);
    assert.is(two.thread, true);
    assert.ok(two.json === one.json, "checkpoints differ");
    assert.ok(plain.json !== two.json, `${name} changes nothing`);
  });
}

test("a user-defined system: the same with and without the thread; the default follows workers", async () => {
  const sys = defineSystem({
    name: "thread-test-line", nx: 1, nu: 1, dt: 0.05, nsteps: 20,
    dynamics: ([x], [u]) => [x.add(u.mul(0.05))],
    running: ([x], [u]) => square(x).add(square(u).mul(0.1)),
    terminal: ([x]) => square(x),
    umax: [2], sampleRanges: [[-1, 1]],
  });
  const base: CactoConfig = { ...preset(sys, "quick"), updateLoops: [10, 10], episodesPerLoop: 4, batchSize: 16, workers: 1, to: { maxIter: 10 } };
  const one = await run({ ...base, actorThread: false }, 9, 2);
  const two = await run(base, 9, 2);
  assert.is(two.thread, true, "workers > 0: on by default");
  assert.equal(two.losses, one.losses);
  assert.ok(two.json === one.json, "checkpoints differ");
  const t = await CactoTrainer.create({ ...base, workers: 0 }, 1);
  assert.is(t.usesActorThread, false, "workers 0: off by default");
  t.dispose();
});

test("a non-finite actor stops the run with the update's error; serialize refuses mid-phase; close ends the thread", async () => {
  const cfg: CactoConfig = { ...preset("single_integrator", "quick"), updateLoops: [5, 5], episodesPerLoop: 4, batchSize: 8, workers: 1, actorThread: true, to: { maxIter: 10 } };
  const t = await CactoTrainer.create(cfg, 2);
  try {
    await t.runLoop();
    await t.beginUpdates();
    assert.throws(() => t.serialize(), /actor thread; call endUpdates/);
    await t.endUpdates();
    // poison the actor: its controls become NaN
    const w = t.learner.actor.layers[0].W;
    w.assign(tf.fill(w.shape, NaN) as typeof w);
    let err: Error | null = null;
    try { await t.runLoop(); } catch (e) { err = e as Error; }
    assert.ok(err && /non-finite control at update \d+/.test(err.message), String(err));
  } finally {
    await t.close();
    t.dispose();
  }
  let bad: Error | null = null;
  try { await CactoTrainer.create({ ...cfg, actorThread: "yes" as unknown as boolean }, 1); } catch (e) { bad = e as Error; }
  assert.ok(bad && /config\.actorThread: got "yes", expected a boolean or absent/.test(bad.message), String(bad));
});

test("a diverged optimiser (v = Infinity) stops runLoop with where it is, before a checkpoint could hold it; the validator names Infinity", async () => {
  const cfg: CactoConfig = { ...preset("single_integrator", "quick"), updateLoops: [5, 5], episodesPerLoop: 4, batchSize: 8, workers: 0, to: { maxIter: 10 } };
  const t = await CactoTrainer.create(cfg, 2);
  try {
    await t.runLoop();
    assert.is(t.learner.nonFinite(), null);
    const st = t.learner.actorOpt.getState();
    st.v[1].data[3] = Infinity;
    t.learner.actorOpt.setState(st);
    assert.is(t.learner.nonFinite(), "actor optimiser v[1][3] = Infinity");
    let err: Error | null = null;
    try { await t.runLoop(); } catch (e) { err = e as Error; }
    assert.ok(err && /the run diverged in loop 2 \(after update 10\): actor optimiser v\[1\]\[\d+\] = Infinity/.test(err.message), String(err));
    const d = t.serialize();
    d.learner.actorOpt.v[1].data[3] = Infinity;
    const { validateCheckpoint } = await import("../src/cacto/validate-checkpoint.js");
    assert.throws(() => validateCheckpoint(d), /learner\.actorOpt\.v\[1\]\.data\[3\]: got Infinity, expected a finite number/);
  } finally {
    await t.close();
    t.dispose();
  }
});

test.run();
