// Coupled TO imitation (src/baselines/gps.ts): determinism, the coupling (iteration i's dataset rows
// are TO solutions tracking the policy's own rollouts), the pull of the tracking term, the regression
// loss on D, and config validation.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GpsTrainer, gpsPreset, checkGpsConfig, type GpsConfig } from "../src/baselines/gps.js";
import { initTf } from "../src/rl/backend.js";
import { Solver } from "../src/to/solver.js";
import { Engine } from "../src/wasm/engine.js";
import { SYSTEMS } from "../src/systems/specs.js";
import { SYSTEM_NAMES } from "../src/systems/layout.js";
import { sampleStarts } from "../src/systems/sampling.js";
import { Rng } from "../src/rng.js";

await initTf("wasm");
const engine = await Engine.create();

function tiny(system: "toy1d" | "single_integrator", over: Partial<GpsConfig> = {}): GpsConfig {
  return {
    ...gpsPreset(system, "quick"), preset: "custom", iterations: 3, problemsPerIteration: 6, actorHidden: [16, 16],
    batchSize: 64, epochs: 3, workers: 0, rho1: 0.5, rhoGrowth: 2, rhoMax: 10, ...over,
  };
}

function weights(t: GpsTrainer): number[] {
  return t.actor.getWeights().flatMap((w) => w.data);
}

test("a tiny run is deterministic: one seed gives identical weights and metrics, another seed differs", async () => {
  const runs: { w: number[]; m: string }[] = [];
  for (const seed of [7, 7, 8]) {
    const t = await GpsTrainer.create(tiny("single_integrator"), seed);
    const ms = await t.runAll();
    assert.is(ms.length, 3);
    assert.equal(ms.map((m) => m.rho), [0, 0.5, 1]);
    for (const m of ms) {
      assert.is(m.problems, 6);
      assert.is(m.dropped, 0);
      assert.ok(Number.isFinite(m.meanToTaskCost));
    }
    // without timings, which differ run to run
    runs.push({ w: weights(t), m: JSON.stringify(ms.map(({ toSeconds, trainSeconds, ...rest }) => rest)) });
    assert.ok(t.finished);
    await assert.not.throws(() => t.actorRollout([{ x0: [1, 2], k0: 95 }]));
    let msg = "";
    try { await t.runIteration(); } catch (e) { msg = (e as Error).message; }
    assert.match(msg, /all 3 iterations have run/);
    t.dispose();
  }
  assert.equal(runs[0].w, runs[1].w, "same seed, same weights");
  assert.is(runs[0].m, runs[1].m, "same seed, same metrics");
  assert.not.equal(runs[0].w, runs[2].w, "another seed, other weights");
});

test("the coupling: iteration 1 adds TO solutions warm-started by and tracking the policy's rollouts", async () => {
  const cfg = tiny("single_integrator", { iterations: 2, problemsPerIteration: 5 });
  const t = await GpsTrainer.create(cfg, 3);
  const m0 = await t.runIteration();
  assert.is(m0.rho, 0);
  assert.ok(Number.isNaN(m0.meanTrackingResidual) && m0.meanTrackingCost === 0);
  const rows0 = t.datasetRows;
  // replay iteration 1 by hand from a copy of the trainer's generator and the current policy
  const rng = new Rng(0);
  rng.setState(t.rng.getState());
  const spec = SYSTEMS.single_integrator;
  const starts = sampleStarts(spec, rng, 5);
  const rolls = t.actorRollout(starts);
  const solver = new Solver(engine, spec.name);
  const want = starts.map((s, i) => solver.solve(
    { x0: s.x0, horizon: spec.nsteps - s.k0, warmStart: { U: rolls[i].U }, uRef: rolls[i].U },
    { ...cfg.to, trackWeight: cfg.rho1 },
  ));
  const m1 = await t.runIteration();
  assert.is(m1.rho, cfg.rho1);
  let o = rows0;
  let task = 0, track = 0;
  for (const r of want) {
    const N = r.U.length / spec.nu;
    assert.equal(Array.from(t.targets.subarray(o * spec.nu, (o + N) * spec.nu)), Array.from(Float32Array.from(r.U)));
    o += N;
    task += r.cost - r.trackingCost;
    track += r.trackingCost;
  }
  assert.is(t.datasetRows, o, "every node of every solution is one row, appended to D");
  assert.ok(Math.abs(m1.meanToTaskCost - task / 5) <= 1e-9 * Math.abs(task / 5), `${m1.meanToTaskCost} vs ${task / 5}`);
  assert.ok(Math.abs(m1.meanTrackingCost - track / 5) <= 1e-9 * track / 5);
  assert.ok(m1.meanTrackingCost > 0 && m1.meanTrackingResidual > 0);
  t.dispose();
});

test("the tracking pull on a fixed problem: TO moves towards the policy's controls as rho grows", async () => {
  const t = await GpsTrainer.create(tiny("single_integrator", { iterations: 1, problemsPerIteration: 8, epochs: 10 }), 5);
  await t.runIteration();
  const spec = SYSTEMS.single_integrator;
  const solver = new Solver(engine, spec.name);
  for (const x0 of [[-10, 5], [12, -8]]) {
    const [roll] = t.actorRollout([{ x0, k0: 0 }]);
    const dist: number[] = [];
    for (const rho of [0, 0.1, 1, 10, 100]) {
      const r = solver.solve({ x0, warmStart: { U: roll.U }, uRef: roll.U }, { maxIter: 200, trackWeight: rho });
      let d = 0;
      for (let i = 0; i < roll.U.length; i++) d += (r.U[i] - roll.U[i]) ** 2;
      dist.push(Math.sqrt(d / roll.U.length));
    }
    for (let i = 1; i < dist.length; i++) assert.ok(dist[i] < dist[i - 1], `${x0}: rms distance to the policy ${dist}`);
    assert.ok(dist[dist.length - 1] < 0.05 * dist[0], `${x0}: rho 100 still ${dist}`);
  }
  t.dispose();
});

test("the regression loss on D falls in every iteration (toy1d and single_integrator)", async () => {
  for (const system of ["toy1d", "single_integrator"] as const) {
    const t = await GpsTrainer.create(tiny(system, { epochs: 15, problemsPerIteration: system === "toy1d" ? 24 : 8 }), 2);
    const ms = await t.runAll();
    for (const m of ms) {
      assert.ok(m.lossAfter < m.lossBefore, `${system} iteration ${m.iteration}: ${m.lossBefore} -> ${m.lossAfter}`);
      assert.is(m.lossPerEpoch.length, 15);
      assert.ok(m.lossPerEpoch[14] < m.lossPerEpoch[0], `${system} iteration ${m.iteration}: epochs ${m.lossPerEpoch[0]} -> ${m.lossPerEpoch[14]}`);
    }
    assert.ok(ms[0].lossBefore / ms[ms.length - 1].lossAfter > 1.5, `${system}: ${ms[0].lossBefore} -> ${ms[ms.length - 1].lossAfter}`);
    assert.is(t.datasetLoss(), ms[ms.length - 1].lossAfter);
    t.dispose();
  }
});

test("presets pass validation; bad config values give errors naming the parameter", async () => {
  for (const s of SYSTEM_NAMES) for (const p of ["quick", "reference"] as const) checkGpsConfig(gpsPreset(s, p));
  const q = gpsPreset("single_integrator", "quick");
  assert.is(q.iterations, 6);
  assert.equal(q.actorHidden, [64, 64]);
  const bad: [Partial<GpsConfig>, RegExp][] = [
    [{ iterations: 0 }, /gps: iterations = 0, expected an integer >= 1/],
    [{ problemsPerIteration: 2.5 }, /gps: problemsPerIteration = 2\.5, expected an integer >= 1/],
    [{ epochs: -1 }, /gps: epochs = -1/],
    [{ batchSize: 0 }, /gps: batchSize = 0/],
    [{ lr: 0 }, /gps: lr = 0, expected a finite number > 0/],
    [{ rho1: -0.1 }, /gps: rho1 = -0.1, expected a finite number >= 0/],
    [{ rhoGrowth: 0.5 }, /gps: rhoGrowth = 0\.5, expected a finite number >= 1/],
    [{ rho1: 2, rhoMax: 1 }, /gps: rhoMax = 1, expected a finite number >= rho1 = 2/],
    [{ rhoMax: NaN }, /gps: rhoMax = NaN/],
    [{ actorHidden: [] }, /gps: actorHidden = \[\], expected a non-empty array/],
    [{ actorOutput: "relu" as "tanh" }, /gps: actorOutput = "relu"/],
    [{ system: "pendulum" as "toy1d" }, /gps: system = "pendulum", expected one of/],
    [{ to: { maxIter: 50, trackWeight: 1 } }, /gps: to\.trackWeight = 1, expected none/],
    [{ to: { maxIter: -3 } }, /options\.maxIter: got -3/],
    [{ workers: -1 }, /gps: workers = -1/],
  ];
  for (const [over, re] of bad) {
    let msg = "";
    try { await GpsTrainer.create({ ...q, ...over }, 1); } catch (e) { msg = (e as Error).message; }
    assert.match(msg, re, JSON.stringify(over));
  }
  let msg = "";
  try { await GpsTrainer.create(q, 1.5); } catch (e) { msg = (e as Error).message; }
  assert.match(msg, /gps: seed = 1\.5, expected an integer/);
  assert.throws(() => gpsPreset("single_integrator", "huge" as "quick"), /gpsPreset: got "huge"/);
});

test.run();
