// The CACTO loop end to end on toy1d, the actor's dQ/du against finite differences of Q, checkpoint
// and resume, determinism.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CactoTrainer, targetVariance } from "../src/cacto/trainer.js";
import { actionGradient, invertGradients } from "../src/cacto/actor-step.js";
import { preset, type CactoConfig } from "../src/cacto/presets.js";
import { saveCheckpoint, loadCheckpoint, decodeCheckpoint } from "../src/cacto/checkpoint.js";
import { Solver } from "../src/to/solver.js";
import { ModelEvaluator } from "../src/to/model.js";
import { Engine } from "../src/wasm/engine.js";
import { normaliseStates } from "../src/rl/normalise.js";
import { SYSTEMS } from "../src/systems/specs.js";
import { defineSystem, type SystemDefinition } from "../src/systems/define.js";
import { square } from "../src/sym/index.js";

const engine = await Engine.create();

function tiny(system: "toy1d" | "single_integrator" | "car", loops: number[]): CactoConfig {
  return { ...preset(system, "quick"), updateLoops: loops, episodesPerLoop: 16, workers: 0 };
}

test("dQ/du = l_u + f_u^T dV/dx' matches finite differences of Q through the model and the critic", async () => {
  const t = await CactoTrainer.create({ ...tiny("single_integrator", [1]), criticHidden: [16, 16] }, 5);
  try {
    const spec = SYSTEMS.single_integrator;
    const m = new ModelEvaluator(engine, spec.name);
    const xa = Float64Array.from([10, 1, -3, 4, 6, -7]);
    const ka = Int32Array.from([0, 40, 98]);
    const u = Float64Array.from([1.5, -2, 0.3, 0.8, -4, 2.5]);
    const g = t.actionGradient(xa, ka, u);
    const Q = (x: Float64Array, k: number, uu: Float64Array) => {
      const f = m.step(x, uu);
      return m.running(x, uu) + t.learner.criticValue(normaliseStates(spec, f, k + 1))[0];
    };
    for (let a = 0; a < 3; a++) {
      const x = xa.subarray(2 * a, 2 * a + 2);
      for (let j = 0; j < 2; j++) {
        const h = 1e-2;
        const up = Float64Array.from(u.subarray(2 * a, 2 * a + 2)); up[j] += h;
        const dn = Float64Array.from(u.subarray(2 * a, 2 * a + 2)); dn[j] -= h;
        const fd = (Q(x, ka[a], up) - Q(x, ka[a], dn)) / (2 * h);
        const an = g[2 * a + j];
        assert.ok(Math.abs(fd - an) <= 2e-2 * Math.abs(fd) + 1e-3, `row ${a} u${j}: FD ${fd} vs ${an}`);
      }
    }
  } finally { t.dispose(); }
});

test("checkpoint then resume gives the same state as an uninterrupted run", async () => {
  const cfg = tiny("toy1d", [40, 40, 40]);
  const a = await CactoTrainer.create(cfg, 3);
  await a.runLoop();
  const dir = mkdtempSync(path.join(tmpdir(), "cacto-ckpt-"));
  saveCheckpoint(dir, a.serialize());
  assert.equal(readdirSync(dir), ["checkpoint.json"], "no temporary file left behind");
  await a.runLoop();
  await a.runLoop();
  const b = await CactoTrainer.fromCheckpoint(loadCheckpoint(dir));
  assert.is(b.loop, 1);
  await b.runLoop();
  await b.runLoop();
  const sa = a.serialize(), sb = b.serialize();
  assert.equal(sb.learner, sa.learner, "weights, target critic and Adam state");
  assert.equal(sb.rng, sa.rng);
  assert.equal(sb.buffer, sa.buffer);
  assert.equal(sb.metrics.map((m) => [m.meanToCost, m.criticLoss, m.actorLoss]), sa.metrics.map((m) => [m.meanToCost, m.criticLoss, m.actorLoss]));
  a.dispose(); b.dispose();
});

test("actorGradQuirk: dQ/du's value term uses dV/dx' divided once more by the state normalisation; validated", async () => {
  const t = await CactoTrainer.create({ ...tiny("single_integrator", [1]), criticHidden: [16, 16] }, 5);
  try {
    const spec = SYSTEMS.single_integrator;
    const m = new ModelEvaluator(engine, spec.name);
    const xa = Float64Array.from([1.5, -2, 3, 4]), ka = Int32Array.from([3, 40]), u = Float64Array.from([0.3, -0.2, 0.1, 0.4]);
    const plain = actionGradient(spec, m, t.learner, xa, ka, u, false);
    const quirk = actionGradient(spec, m, t.learner, xa, ka, u, true);
    assert.equal(Array.from(t.actionGradient(xa, ka, u)), Array.from(plain));
    // by hand: l_u + sum_i f_u[i][j] dV/dx'_i / norm_i
    const ev = m.evalBatch(xa, u, 2);
    const { dVds } = t.learner.criticGradInput(normaliseStates(spec, ev.f, Int32Array.from([4, 41])));
    const nx = spec.nx, nu = spec.nu;
    for (let a = 0; a < 2; a++) {
      for (let j = 0; j < nu; j++) {
        let g = ev.lu[a * nu + j];
        for (let i = 0; i < nx; i++) g += ev.fu[a * nx * nu + i * nu + j] * (dVds[a * (nx + 1) + i] / spec.norm[i]) / spec.norm[i];
        assert.ok(Math.abs(quirk[a * nu + j] - g) <= 1e-5 * Math.max(1, Math.abs(g)), `${quirk[a * nu + j]} vs ${g}`);
      }
    }
    assert.not.equal(Array.from(quirk), Array.from(plain));
  } finally {
    t.dispose();
  }
  const err = await CactoTrainer.create({ ...tiny("toy1d", [1]), actorGradQuirk: 1 as never }, 1).then(() => null, (e: Error) => e);
  assert.match(String(err?.message), /config\.actorGradQuirk.*a boolean or absent/);
});

test("invertGradients: pushes toward a bound scaled by the distance left to it (reversed beyond it); actorInvertGradients validated", async () => {
  // umax (2, 0.5); rows (u, dQ/du): descent raises u where dQ/du < 0
  const u = [1, 0.25, -1.5, -0.5, 3, 0], g = Float32Array.from([-4, 2, 4, -2, -1, 8]);
  invertGradients(g, u, [2, 0.5]);
  const want = [-4 * (2 - 1) / 4, 2 * (0.25 + 0.5) / 1, 4 * (-1.5 + 2) / 4, -2 * (0.5 + 0.5) / 1, -1 * (2 - 3) / 4, 8 * (0 + 0.5) / 1];
  assert.equal(Array.from(g), want.map(Math.fround));
  // at the upper bound a push upward vanishes; beyond it, it points back inside
  assert.is(want[4] > 0, true);
  const err = await CactoTrainer.create({ ...tiny("toy1d", [1]), actorInvertGradients: "yes" as never }, 1).then(() => null, (e: Error) => e);
  assert.match(String(err?.message), /config\.actorInvertGradients.*a boolean or absent/);
});

test("costateWeight: dQ/du with dV/dx' = (1 - c) critic + c lam (c = 1: l_u + f_u^T lam, the critic unused); validated", async () => {
  const t = await CactoTrainer.create({ ...tiny("car", [1]), criticHidden: [16, 16] }, 5);
  try {
    const spec = SYSTEMS.car;
    const nx = spec.nx, nu = spec.nu;
    const m = new ModelEvaluator(engine, spec.name);
    const xa = Float64Array.from([1.5, -2, 0.3, 1, 0.2, -4, 3, -0.5, 2, -0.1]), ka = Int32Array.from([3, 40]);
    const u = Float64Array.from([0.3, -0.2, 0.1, 0.4]);
    const lam = Float64Array.from([2, -1, 0.5, 3, -2, -0.4, 0.7, 1.1, -3, 0.25]);
    const plain = actionGradient(spec, m, t.learner, xa, ka, u);
    const ev = m.evalBatch(xa, u, 2);
    const { dVds } = t.learner.criticGradInput(normaliseStates(spec, ev.f, Int32Array.from([4, 41])));
    for (const c of [1, 0.5]) {
      const g = actionGradient(spec, m, t.learner, xa, ka, u, false, { weight: c, lam });
      for (let a = 0; a < 2; a++) {
        for (let j = 0; j < nu; j++) {
          let want = ev.lu[a * nu + j];
          for (let i = 0; i < nx; i++) {
            const critic = dVds[a * (nx + 1) + i] / spec.norm[i];
            want += ev.fu[a * nx * nu + i * nu + j] * ((1 - c) * critic + c * lam[a * nx + i]);
          }
          assert.ok(Math.abs(g[a * nu + j] - want) <= 1e-5 * Math.max(1, Math.abs(want)), `c ${c}: ${g[a * nu + j]} vs ${want}`);
        }
      }
      assert.not.equal(Array.from(g), Array.from(plain));
    }
    // c = 1 does not read the critic: a critic of NaN weights changes nothing
    const before = actionGradient(spec, m, t.learner, xa, ka, u, false, { weight: 1, lam });
    t.learner.critic.setWeightArrays(t.learner.critic.weightArrays().map((w) => w.fill(NaN)));
    assert.equal(Array.from(actionGradient(spec, m, t.learner, xa, ka, u, false, { weight: 1, lam })), Array.from(before));
  } finally {
    t.dispose();
  }
  for (const bad of [-0.1, 1.5, NaN, "1"]) {
    const err = await CactoTrainer.create({ ...tiny("toy1d", [1]), costateWeight: bad as never }, 1).then(() => null, (e: Error) => e);
    assert.match(String(err?.message), /config\.costateWeight.*a number in \[0, 1\] or absent/);
  }
});

test("wSScale \"variance\": the critic's value term is divided by the minibatch's target variance; validated", async () => {
  assert.is(targetVariance([1, 3]), 1);
  assert.is(targetVariance([2, 2, 2]), 1e-12 * 4);
  assert.is(targetVariance([0, 0]), 1e-30);
  const cfg = { ...tiny("single_integrator", [20]), wS: 1e-2 };
  const runs: number[][] = [];
  for (const wSScale of ["none", "variance"] as const) {
    const t = await CactoTrainer.create({ ...cfg, wSScale }, 3);
    const seen: number[] = [];
    const learner = t.learner as unknown as { criticStep: (s: Float32Array, y: ArrayLike<number>, o: { valueScale?: number }) => number };
    const orig = learner.criticStep.bind(learner);
    learner.criticStep = (s, y, o) => {
      // the trainer's scale is the variance of exactly the targets it passes
      seen.push(o.valueScale ?? NaN);
      assert.is(o.valueScale, wSScale === "variance" ? targetVariance(y) : 1);
      return orig(s, y, o);
    };
    await t.runLoop();
    assert.is(seen.length, 20);
    runs.push(Array.from(t.learner.critic.weightArrays()[0]));
    t.dispose();
  }
  assert.not.equal(runs[0], runs[1]);
  const err = await CactoTrainer.create({ ...cfg, wSScale: "std" as never }, 1).then(() => null, (e: Error) => e);
  assert.match(String(err?.message), /config\.wSScale.*"std".*"none", "variance" or absent/);
});

test("the same seed gives the same run; another seed a different one", async () => {
  const cfg = tiny("toy1d", [30]);
  const [a, b, c] = await Promise.all([CactoTrainer.create(cfg, 8), CactoTrainer.create(cfg, 8), CactoTrainer.create(cfg, 9)]);
  for (const t of [a, b, c]) await t.runLoop();
  assert.equal(b.serialize().learner, a.serialize().learner);
  assert.not.equal(c.serialize().learner.actor, a.serialize().learner.actor);
  for (const t of [a, b, c]) t.dispose();
});

test("toy1d end to end: the actor's warm start finds the best minimum far more often than zeros", async () => {
  const t = await CactoTrainer.create({ ...preset("toy1d", "quick"), workers: 0 }, 1);
  while (!t.finished) await t.runLoop();
  const poly = (x: number) => [1.9, 1.0, 0.6, -0.5, -1.2, -2.1].reduce((p, r) => p * (x - r), 1);
  let best = 0, bv = Infinity;
  for (let x = -2.2; x <= 2.0; x += 1e-4) if (poly(x) < bv) { bv = poly(x); best = x; }
  const s = new Solver(engine, "toy1d");
  const G = 43;
  let zCost = 0, aCost = 0, zBest = 0, aBest = 0;
  for (let i = 0; i < G; i++) {
    const x0 = [-2.2 + 4.2 * i / (G - 1)];
    const rz = s.solve({ x0 });
    const ra = s.solve({ x0, warmStart: { U: t.actorRollout([{ x0, k0: 0 }])[0].U } });
    zCost += rz.cost / G; aCost += ra.cost / G;
    if (Math.abs(rz.X[10] - best) < 0.3) zBest++;
    if (Math.abs(ra.X[10] - best) < 0.3) aBest++;
  }
  // measured (quick preset, tanh actor, seeds 1-3): zeros reach the best minimum from 14 of 43 starts,
  // the actor from 24-27; mean cost -35.2 with zeros, -44.8 to -45.2 with the actor
  assert.is(zBest, 14, "TO from zeros: the same deterministic baseline");
  assert.ok(aBest >= 22, `actor warm start reached the best minimum from ${aBest} of ${G} starts`);
  assert.ok(aCost < zCost - 5, `mean cost actor ${aCost} vs zeros ${zCost}`);
  t.dispose();
});

// a small user-defined system: a damped point pushed to the origin
const pointDef: SystemDefinition = {
  name: "test-point", nx: 2, nu: 1, dt: 0.1, nsteps: 20, params: [0.1],
  dynamics: ([q, v], [a], [h]) => [q.add(v.mul(h)), v.add(a.sub(v.mul(0.2)).mul(h))],
  running: ([q, v], [a]) => square(q).add(square(v).mul(0.1)).add(square(a).mul(0.01)).mul(0.1),
  terminal: ([q, v]) => square(q).add(square(v)),
  umax: [2], sampleRanges: [[-2, 2], [-1, 1]], evalStates: [[1, 0], [-2, 0.5]],
};

test("CACTO trains on a user-defined system; checkpoints resume bit for bit and refuse another definition of the same name", async () => {
  const sys = defineSystem(pointDef);
  const cfg: CactoConfig = { ...preset(sys, "quick"), updateLoops: [20, 20], episodesPerLoop: 12, workers: 0, actorHidden: [8], criticHidden: [8, 8] };
  assert.is(cfg.system, "test-point");
  const a = await CactoTrainer.create(cfg, 4);
  assert.is(a.spec, sys, "the registered system");
  await a.runLoop();
  const dir = mkdtempSync(path.join(tmpdir(), "cacto-user-"));
  saveCheckpoint(dir, a.serialize());
  assert.is(a.serialize().modelHash, sys.fingerprint);
  assert.match(sys.fingerprint, /^sym-[0-9a-f]{14}-[0-9a-f]{8}$/);
  await a.runLoop();
  const b = await CactoTrainer.fromCheckpoint(loadCheckpoint(dir));
  await b.runLoop();
  assert.equal(b.serialize().learner, a.serialize().learner);
  assert.ok(Number.isFinite(a.metrics[1].meanToCost));
  // the same name, other dynamics: the checkpoint names the fingerprint mismatch
  const other = defineSystem({ ...pointDef, dynamics: ([q, v], [a2], [h]) => [q.add(v.mul(h)), v.add(a2.mul(h))] });
  preset(other, "quick");
  let msg = "";
  try { await CactoTrainer.fromCheckpoint(loadCheckpoint(dir)); } catch (e) { msg = (e as Error).message; }
  assert.match(msg, /modelHash: got "sym-.*", expected sym-.*the current definition of "test-point"/);
  // an unknown user system's name is named, with how to register it
  const d = decodeCheckpoint(readFileSync(path.join(dir, "checkpoint.json"), "utf8"));
  d.config.system = "never-defined";
  msg = "";
  try { await CactoTrainer.fromCheckpoint(d); } catch (e) { msg = (e as Error).message; }
  assert.match(msg, /config\.system: got "never-defined", expected one of toy1d.*must be registered first/);
  a.dispose(); b.dispose();
});

test("the evaluation on user systems: no goal gives no reach (NaN); a 1-D system gets a 1-D grid, value curve and plots", async () => {
  const { evaluate } = await import("../src/eval/evaluate.js");
  const { writeReport } = await import("../src/eval/report.js");
  const line = defineSystem({
    name: "test-line", nx: 1, nu: 1, dt: 0.1, nsteps: 10,
    dynamics: ([x], [u]) => [x.add(u.mul(0.1))], running: ([x], [u]) => square(x.sub(1)).add(square(u).mul(0.1)),
    umax: [2], sampleRanges: [[-2, 2]], evalStates: [[-1], [0.5]],
    goal: { rule: "final x within 0.5 of 1", reached: ([x]) => Math.abs(x - 1) <= 0.5 },
  });
  for (const [sys, goal] of [[defineSystem(pointDef), false], [line, true]] as const) {
    const t = await CactoTrainer.create({ ...preset(sys, "quick"), updateLoops: [10], episodesPerLoop: 8, workers: 0, actorHidden: [8], criticHidden: [8] }, 2);
    await t.runLoop();
    const ev = await evaluate(t, { grid: 3, fresh: 5, workers: 0 });
    assert.is(ev.summaries.fresh.actor.n, 5);
    assert.is(Number.isNaN(ev.summaries.eval.zeros.reach), !goal, `${sys.name}: reach is NaN exactly without a goal`);
    if (goal) {
      assert.is(ev.gridRule, "12 points over x0 in [-2, 2]");
      assert.match(ev.reachRule, /within 0.5 of 1/);
      const dir = mkdtempSync(path.join(tmpdir(), "cacto-line-"));
      const file = writeReport(dir, ev, t);
      assert.match(readFileSync(file, "utf8"), /value_map\.svg/);
      assert.match(readFileSync(path.join(dir, "value_map.svg"), "utf8"), /<svg/);
    } else {
      assert.match(ev.reachRule, /none \(the system defines no goal/);
    }
    t.dispose();
  }
});

test.run();
