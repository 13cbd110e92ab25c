// Per-loop diagnostics of CACTO (issue 10): the helpers on hand-made cases, the trainer's held-out
// R^2 against an independent recomputation with the critic, the solve shares, dropUnconverged.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { rSquared, saturationShare, slogSkill, costToGo, MAX_ROWS } from "../src/cacto/diagnostics.js";
import { CactoTrainer, storableSolve } from "../src/cacto/trainer.js";
import { Engine } from "../src/wasm/engine.js";
import { Solver } from "../src/to/solver.js";
import { preset } from "../src/cacto/presets.js";
import { normaliseStates, gradToState } from "../src/rl/normalise.js";
import type { SolveResult } from "../src/to/types.js";

test("rSquared: perfect fit 1, the mean 0, worse than the mean negative; degenerate cases NaN", () => {
  const y = [1, 2, 3, 4];
  assert.is(rSquared(y, y), 1);
  assert.is(rSquared(y, [2.5, 2.5, 2.5, 2.5]), 0);
  // SS_res = 4 * 1.5^2... hand value: yhat = [4,3,2,1]: res = 9+1+1+9 = 20, tot = 5 -> 1 - 4 = -3
  assert.is(rSquared(y, [4, 3, 2, 1]), -3);
  assert.ok(Number.isNaN(rSquared([1], [1])));
  assert.ok(Number.isNaN(rSquared([2, 2], [1, 3])));
  assert.throws(() => rSquared([1, 2], [1]), /2 targets but 1 predictions/);
});

test("slogSkill: 1 for a perfect gradient, 0 for zeros, negative when worse than zeros; in slog units; NaN for all-zero targets", () => {
  const y = [1, -2, 0.5, 10];
  assert.is(slogSkill(y, y), 1);
  assert.is(slogSkill(y, [0, 0, 0, 0]), 0);
  assert.ok(slogSkill(y, y.map((v) => -v)) < 0);
  // by hand: target e - 1 (slog 1), prediction e^2 - 1 (slog 2): 1 - (2 - 1)^2 / 1^2 = 0
  const e1 = Math.E - 1;
  assert.ok(Math.abs(slogSkill([e1], [Math.E * Math.E - 1])) < 1e-12);
  // slog units: a gradient off by a factor 10 on large values is not punished like its raw error
  assert.ok(slogSkill([1000, -1000], [100, -100]) > 0.5);
  assert.ok(Number.isNaN(slogSkill([0, 0], [1, 2])));
  assert.throws(() => slogSkill([1], [1, 2]), /slogSkill: 1 targets but 2 predictions/);
});

test("saturationShare counts |u| > 0.95 umax per control; costToGo sums the tail", () => {
  // umax [2, 1]: pairs (u0, u1)
  assert.is(saturationShare([[1.91, 0.5, -1.9, -0.96]], [2, 1]), 0.5); // 1.91 > 1.9 yes, 0.5 no, -1.9 no, -0.96 yes
  assert.ok(Number.isNaN(saturationShare([], [1])));
  assert.equal(Array.from(costToGo([1, 2, 3])), [6, 5, 3]);
});

test("storableSolve: non-finite solves and values beyond float32 stay out of the buffer; a finite regularisation-limit solve stays in", async () => {
  // real engine results: the manipulator warm-started with torques at their bounds (what a saturated
  // actor proposes); one rollout diverges (non-finite), one leaves no acceptable step (regularisation-limit)
  const s = new Solver(await Engine.create(), "manipulator");
  const x0 = [1.98, -0.17, 1.10, -0.20, -0.22, -0.52], N = 98;
  const warm = (u: number[]) => { const U = new Float64Array(N * 3); for (let k = 0; k < N; k++) U.set(u, 3 * k); return { U }; };
  const good = s.solve({ x0, horizon: N, warmStart: warm([200, 200, 200]) });
  // (at the old regularisation cap 1e10; the default 1e20 lets this solve go on)
  const regLimit = s.solve({ x0, horizon: N, warmStart: warm([200, 200, -200]) }, { muMax: 1e10 });
  const nonFinite = s.solve({ x0, horizon: N, warmStart: warm([-200, 200, -200]) });
  assert.is(good.statusName, "converged");
  assert.is(regLimit.statusName, "regularisation-limit");
  assert.ok(Number.isFinite(regLimit.cost) && regLimit.cost < 1e6, "the regularisation-limit solve has a modest finite cost");
  assert.is(nonFinite.statusName, "non-finite");
  assert.is(storableSolve(good), true);
  assert.is(storableSolve(regLimit), true); // kept, as before the overflow check (its values fit float32)
  assert.is(storableSolve(regLimit, true), false); // not converged: dropUnconverged drops it
  assert.is(storableSolve(nonFinite), false);
  // a finite solve whose values the float32 losses cannot square (states of 1e110 and a cost of 1e220 were seen)
  const withX = (i: number, v: number) => { const X = good.X.slice(); X[i] = v; return { ...good, X }; };
  assert.is(storableSolve(withX(7, 1e110)), false);
  assert.is(storableSolve(withX(7, NaN)), false);
  assert.is(storableSolve(withX(7, 3e38)), false); // a float32, but its square is not
  assert.is(storableSolve(withX(7, 1e18)), true);
  const costs = good.costs.slice(); costs[3] = 1e19; costs[4] = 1e19; // each fits, their sum does not
  assert.is(storableSolve({ ...good, costs }), false);
  assert.is(storableSolve({ ...good, cost: 1e220 }), false);
  const Vx = good.Vx.slice(); Vx[0] = Infinity;
  assert.is(storableSolve({ ...good, Vx }), false);
  // dropUnconverged keeps converged solves only
  const stopped = { ...good, statusName: "max-iterations" } as SolveResult;
  assert.is(storableSolve(stopped), true);
  assert.is(storableSolve(stopped, true), false);
  assert.is(storableSolve(good, true), true);
});

test("trainer diagnostics: held-out R^2 equals a recomputation with the pre-update critic; shares add up; dropUnconverged", async () => {
  const cfg = { ...preset("single_integrator", "quick"), updateLoops: [60, 60], episodesPerLoop: 12, workers: 0, to: { maxIter: 15 } };
  for (const drop of [false, true]) {
    const t = await CactoTrainer.create({ ...cfg, dropUnconverged: drop }, 4);
    await t.runLoop();
    // capture the solves of loop 2 and the critic before its updates
    const tt = t as unknown as { solveAll: (p: unknown[]) => Promise<SolveResult[]> };
    const orig = tt.solveAll.bind(t);
    let seen: SolveResult[] = [];
    let before: { x: Float64Array; k: Int32Array; v: Float32Array; g: Float64Array; vx: Float64Array } | null = null;
    const starts: number[] = [];
    tt.solveAll = async (p: unknown[]) => {
      seen = await orig(p);
      // the critic's values on every node of the kept solves, before the loop's updates
      const xs: number[] = [], ks: number[] = [], vxs: number[] = [];
      seen.forEach((r, i) => {
        const k0 = 100 - r.horizon;
        starts[i] = k0;
        if (drop && r.statusName !== "converged") return;
        for (let j = 0; j <= r.horizon; j++) { xs.push(r.X[2 * j], r.X[2 * j + 1]); ks.push(k0 + j); vxs.push(r.Vx[2 * j], r.Vx[2 * j + 1]); }
      });
      const x = Float64Array.from(xs), k = Int32Array.from(ks);
      const s = normaliseStates(t.spec, x, k);
      before = { x, k, v: t.learner.criticValue(s), g: gradToState(t.spec, t.learner.criticGradInput(s).dVds), vx: Float64Array.from(vxs) };
      return seen;
    };
    const m = await t.runLoop();
    const d = m.diagnostics!;
    const conv = seen.filter((r) => r.statusName === "converged").length;
    assert.is(d.converged, conv / seen.length);
    assert.ok(Math.abs(d.converged + d.stopped + d.dropped - 1) < 1e-12);
    if (drop) {
      assert.is(m.failed, seen.length - conv);
      assert.is(d.stopped, 0);
    } else assert.is(d.dropped, 0);
    assert.ok(conv > 0 && conv < seen.length, `a mix of converged and stopped solves (${conv} of ${seen.length}) so that the rule matters`);
    // independent recomputation of the R^2 of V (all nodes: fewer than MAX_ROWS here)
    const ys: number[] = [];
    seen.forEach((r) => {
      if (drop && r.statusName !== "converged") return;
      const c = costToGo(r.costs);
      for (let j = 0; j <= r.horizon; j++) ys.push(c[j]);
    });
    assert.ok(ys.length < MAX_ROWS);
    assert.is(d.rows, ys.length);
    assert.ok(Math.abs(d.heldOutR2 - rSquared(ys, before!.v)) < 1e-9, `${d.heldOutR2} vs ${rSquared(ys, before!.v)}`);
    assert.ok(d.heldOutR2 <= 1 && Number.isFinite(d.heldOutR2Vx) && d.heldOutR2Vx <= 1);
    const skill = slogSkill(before!.vx, before!.g);
    assert.ok(Number.isFinite(skill) && Math.abs(d.heldOutSlogVx - skill) < 1e-9, `${d.heldOutSlogVx} vs ${skill}`);
    assert.ok(d.saturation >= 0 && d.saturation <= 1);
    assert.ok(Number.isFinite(d.actorAloneCost));
    await t.close();
    t.dispose();
  }
});

test.run();
