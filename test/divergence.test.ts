// Unstable dynamics under a bad policy must end an episode or a rollout cleanly, not crash a run.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Engine } from "../src/wasm/engine.js";
import { ModelEvaluator } from "../src/to/model.js";
import { SYSTEMS } from "../src/systems/specs.js";
import { BatchedEnv, DIVERGED_COST } from "../src/baselines/env.js";
import { rolloutPolicy, rolloutCosts } from "../src/rl/rollout.js";
import { Rng } from "../src/rng.js";

const engine = await Engine.create();
const spec = SYSTEMS.manipulator;
const model = new ModelEvaluator(engine, "manipulator");
const blowUp = [0.3, 0.2, 0.1, 1e160, -1e160, 1e160];

test("env: a copy whose next state leaves any sane range ends with DIVERGED_COST and restarts", () => {
  const env = new BatchedEnv(model, new Rng(2), { envs: 2 });
  const st = env.getState();
  // joint speeds of 1000 rad/s: finite now, beyond 1e3 normalisation units after one step
  st.x.splice(0, 6, 0.3, 0.2, 0.1, 1000, -1000, 1000);
  env.setState(st);
  const r = env.step(new Float64Array(6));
  assert.is(r.done[0], 1);
  assert.is(r.cost[0], DIVERGED_COST);
  assert.is(r.done[1], 0);
  assert.ok(Number.isFinite(r.cost[1]));
  assert.ok(r.nextObs.every(Number.isFinite));
  assert.ok(r.obs.every(Number.isFinite));
  assert.is(r.finished.length, 1);
  assert.ok(env.getState().x.every(Number.isFinite), "the diverged copy restarted");
});

test("rollouts: a diverging one is frozen with NaN states, zero controls and infinite cost", () => {
  const act = (s: Float32Array) => new Float32Array((s.length / (spec.nx + 1)) * spec.nu).fill(50);
  const ro = rolloutPolicy(spec, model, act, [{ x0: blowUp, k0: 90 }, { x0: [0.3, 0.2, 0.1, 0, 0, 0], k0: 90 }]);
  assert.ok(Number.isNaN(ro[0].X[6 * 2]));
  assert.ok(ro[0].U.subarray(3 * 2).every((u) => u === 0));
  assert.ok(ro[1].X.every(Number.isFinite));
  const c = rolloutCosts(model, ro);
  assert.is(c[0], Infinity);
  assert.ok(Number.isFinite(c[1]));
});

test.run();
