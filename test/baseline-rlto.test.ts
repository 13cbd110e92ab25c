// RL -> TO: the critic's terminal model (value, gradient, Hessian) against finite differences through
// the network, the PSD projection, and the critic-terminal solve and receding-horizon episode.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createActorCritic } from "../src/rl/networks.js";
import { normaliseStates } from "../src/rl/normalise.js";
import { criticValueModel, projectPsd, symmetricEigen, solveWithCriticTerminal, mpcEpisode } from "../src/baselines/rlto.js";
import { SYSTEMS } from "../src/systems/specs.js";
import { Rng } from "../src/rng.js";
import { Engine } from "../src/wasm/engine.js";
import { Solver } from "../src/to/solver.js";
import { ModelEvaluator } from "../src/to/model.js";

const spec = SYSTEMS.double_integrator;
const learner = await createActorCritic(spec, new Rng(4), { actorHidden: [16, 16], criticHidden: [32, 32] });
const V = (x: number[], k: number) => learner.criticValue(normaliseStates(spec, Float64Array.from(x), k))[0];

test("terminal model: value, gradient and Hessian match finite differences of the critic", () => {
  const x = [3, -2, 1.5, -0.5], k = 120;
  const m = criticValueModel(learner, spec, x, k);
  assert.ok(Math.abs(m.value - V(x, k)) < 1e-6 * (1 + Math.abs(m.value)));
  const n = spec.nx;
  // float32 network: differences over a sizeable step, in units of each component's normalisation
  const g = new Float64Array(n), H = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const h = 0.02 * spec.norm[j];
    const p = x.slice(), q = x.slice(); p[j] += h; q[j] -= h;
    g[j] = (V(p, k) - V(q, k)) / (2 * h);
    for (let i = 0; i < n; i++) {
      const hi = 0.02 * spec.norm[i];
      const pp = x.slice(), pm = x.slice(), mp = x.slice(), mm = x.slice();
      pp[i] += hi; pp[j] += h; pm[i] += hi; pm[j] -= h; mp[i] -= hi; mp[j] += h; mm[i] -= hi; mm[j] -= h;
      H[i * n + j] = (V(pp, k) - V(pm, k) - V(mp, k) + V(mm, k)) / (4 * hi * h);
    }
  }
  const gs = Math.max(...Array.from(g, Math.abs));
  for (let j = 0; j < n; j++) assert.ok(Math.abs(m.gradient[j] - g[j]) < 2e-2 * gs + 1e-6, `g[${j}] ${m.gradient[j]} vs ${g[j]}`);
  const Hs = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Hs[i * n + j] = 0.5 * (H[i * n + j] + H[j * n + i]);
  const hsMax = Math.max(...Array.from(Hs, Math.abs));
  assert.ok(hsMax > 0, "the critic is curved here");
  for (let i = 0; i < n * n; i++) assert.ok(Math.abs(m.rawHessian[i] - Hs[i]) < 5e-2 * hsMax, `H[${i}] ${m.rawHessian[i]} vs ${Hs[i]}`);
  // the model's Hessian is the PSD projection of it
  const Hp = projectPsd(m.rawHessian, n);
  for (let i = 0; i < n * n; i++) assert.ok(Math.abs(m.hessian[i] - Hp[i]) < 1e-12 * (1 + hsMax));
  const e = symmetricEigen(m.rawHessian, n).w;
  assert.ok(Math.min(...e) < 0 && Math.max(...e) > 0, `an indefinite point exercises the projection (eigenvalues ${Array.from(e)})`);
});

test("PSD projection: eigen-decomposition reconstructs, negative directions removed, PSD input kept", () => {
  const A = [4, 1, 0.5, 1, -3, 0.2, 0.5, 0.2, 2];
  const { w, V: Q } = symmetricEigen(A, 3);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
    let s = 0;
    for (let k = 0; k < 3; k++) s += Q[i * 3 + k] * w[k] * Q[j * 3 + k];
    assert.ok(Math.abs(s - A[i * 3 + j]) < 1e-12);
  }
  const P = projectPsd(A, 3);
  const e = symmetricEigen(P, 3).w;
  assert.ok(Math.min(...e) > -1e-12, "projection is PSD");
  assert.ok(Math.abs(Array.from(w).filter((l) => l < 0).length - Array.from(e).filter((l) => Math.abs(l) < 1e-12).length) === 0);
  const S = [2, 0.3, 0.3, 1];
  const Ps = projectPsd(S, 2);
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(Ps[i] - S[i]) < 1e-12);
});

test("critic-terminal TO and receding-horizon episodes run and report the true episode cost", async () => {
  const engine = await Engine.create();
  const solver = new Solver(engine, "double_integrator");
  const model = new ModelEvaluator(engine, "double_integrator");
  const { result, refreshes } = solveWithCriticTerminal(solver, learner, [8, 2, 0, 0], 0, 40, null, { outer: 3, inner: 10 });
  assert.ok(refreshes >= 1 && refreshes <= 3);
  assert.ok(Number.isFinite(result.cost));
  const ep = mpcEpisode(solver, model, learner, [8, 2, 0, 0], { horizon: 40, replan: 10, warm: "shift", terminal: "critic", outer: 2, inner: 10 });
  assert.is(ep.X.length, (spec.nsteps + 1) * spec.nx);
  // the reported cost is the system's cost of the executed trajectory
  const again = solver.solve({ x0: [8, 2, 0, 0], warmStart: { U: ep.U } }, { maxIter: 0 });
  assert.ok(Math.abs(again.cost - ep.cost) < 1e-9 * (1 + Math.abs(ep.cost)));
  for (let i = 0; i < ep.X.length; i++) assert.ok(Math.abs(again.X[i] - ep.X[i]) < 1e-12);
  assert.is(ep.plans, Math.ceil(spec.nsteps / 10));
});

test.run();
