// The WASM model kernels against the plain-TS reference and against finite differences of themselves.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Engine } from "../src/wasm/engine.js";
import { ModelEvaluator } from "../src/to/model.js";
import { SYSTEMS } from "../src/systems/specs.js";
import { SYSTEM_NAMES, type SystemName } from "../src/systems/layout.js";
import { refModel } from "../src/ref/index.js";
import { fdJacobian, relErr, mulberry32 } from "./helpers/fd.js";

const engine = await Engine.create();

/** states that exercise the sharp terms: near ellipse boundaries and the target, plus uniform ones */
function sampleState(name: SystemName, rnd: () => number, i: number): Float64Array {
  const spec = SYSTEMS[name];
  const x = new Float64Array(spec.nx);
  spec.sampleRanges.forEach(([lo, hi], j) => { x[j] = lo + (hi - lo) * rnd(); });
  if (spec.positionIndex && spec.obstacles.length && i % 3 === 0) {
    const o = spec.obstacles[i % spec.obstacles.length];
    const th = 2 * Math.PI * rnd(), r = 0.97 + 0.06 * rnd();
    x[0] = o.xc + 0.5 * o.a * r * Math.cos(th);
    x[1] = o.yc + 0.5 * o.b * r * Math.sin(th);
  } else if (spec.positionIndex && i % 3 === 1) {
    x[0] = spec.target[0] + 0.6 * (rnd() - 0.5);
    x[1] = spec.target[1] + 0.6 * (rnd() - 0.5);
  }
  if (name === "car_park" && i % 2 === 0) {
    x[0] = -6.5 + 2 * rnd(); x[1] = 2.5 + 2 * rnd(); x[2] = Math.PI / 2 * (rnd() - 0.5); x[3] = 3 * (rnd() - 0.5); x[4] = 0.6 * (rnd() - 0.5);
  }
  return x;
}

function sampleControl(name: SystemName, rnd: () => number): Float64Array {
  return Float64Array.from(SYSTEMS[name].umax, (u) => 1.2 * u * (2 * rnd() - 1));
}

for (const name of SYSTEM_NAMES) {
  test(`${name}: WASM kernels equal the TS reference (values and all derivatives)`, () => {
    const spec = SYSTEMS[name];
    const w = new ModelEvaluator(engine, name);
    const r = refModel(name);
    const { nx: n, nu: m } = spec;
    const rnd = mulberry32(11 + spec.id);
    const out = new Float64Array(n), A = new Float64Array(n * n), B = new Float64Array(n * m);
    const lx = new Float64Array(n), lu = new Float64Array(m), lxx = new Float64Array(n * n), luu = new Float64Array(m * m), lux = new Float64Array(m * n);
    for (let i = 0; i < 30; i++) {
      const x = sampleState(name, rnd, i), u = sampleControl(name, rnd);
      r.step(out, x, u);
      assert.ok(relErr(w.step(x, u), out) < 1e-13, `step at ${x}`);
      r.stepDiff(A, B, x, u);
      const d = w.stepDiff(x, u);
      assert.ok(relErr(d.A, A) < 1e-12, `A at ${x}: ${relErr(d.A, A)}`);
      assert.ok(relErr(d.B, B) < 1e-12, `B at ${x}`);
      const lr = r.runningCostDiff(lx, lu, lxx, luu, lux, x, u);
      const lw = w.runningDiff(x, u);
      assert.ok(Math.abs(lw.l - lr) <= 1e-12 * Math.abs(lr) + 1e-300, `l at ${x}: ${lw.l} vs ${lr}`);
      assert.ok(Math.abs(w.running(x, u) - lr) <= 1e-12 * Math.abs(lr), "cost-only path");
      for (const [k, a, b] of [["lx", lw.lx, lx], ["lu", lw.lu, lu], ["lxx", lw.lxx, lxx], ["luu", lw.luu, luu], ["lux", lw.lux, lux]] as const) {
        assert.ok(relErr(a, b, 1e-300) < 1e-10, `${k} at ${x}: rel err ${relErr(a, b)}`);
      }
      const tr = r.terminalCostDiff(lx, lxx, x);
      const tw = w.terminalDiff(x);
      assert.ok(Math.abs(tw.l - tr) <= 1e-12 * Math.abs(tr), `l_N at ${x}`);
      assert.ok(Math.abs(w.terminal(x) - tr) <= 1e-12 * Math.abs(tr), "terminal cost-only path");
      assert.ok(relErr(tw.lx, lx) < 1e-10, `lN_x at ${x}`);
      assert.ok(relErr(tw.lxx, lxx) < 1e-10, `lN_xx at ${x}`);
    }
  });

  test(`${name}: WASM derivatives match central finite differences`, () => {
    const spec = SYSTEMS[name];
    const w = new ModelEvaluator(engine, name);
    const { nx: n, nu: m } = spec;
    const rnd = mulberry32(101 + spec.id);
    for (let i = 0; i < 12; i++) {
      const x = sampleState(name, rnd, i), u = sampleControl(name, rnd);
      const xu = new Float64Array(n + m); xu.set(x); xu.set(u, n);
      const split = (z: Float64Array) => [z.subarray(0, n), z.subarray(n)] as const;
      // dynamics: [A B] = d f / d(x, u)
      const J = fdJacobian((z) => { const [a, b] = split(z); return w.step(a, b); }, xu).J;
      const d = w.stepDiff(x, u);
      const AB = new Float64Array(n * (n + m));
      for (let r = 0; r < n; r++) { for (let c = 0; c < n; c++) AB[r * (n + m) + c] = d.A[r * n + c]; for (let c = 0; c < m; c++) AB[r * (n + m) + n + c] = d.B[r * m + c]; }
      assert.ok(relErr(AB, J) < 1e-7, `[A B] vs FD at ${x}: ${relErr(AB, J)}`);
      // gradient of the running cost, then Hessian as the Jacobian of the analytic gradient
      const g = w.runningDiff(x, u);
      const gFD = fdJacobian((z) => { const [a, b] = split(z); return [w.running(a, b)]; }, xu).J;
      const grad = new Float64Array(n + m); grad.set(g.lx); grad.set(g.lu, n);
      assert.ok(relErr(grad, gFD) < 1e-6, `l_x,l_u vs FD at ${x}: ${relErr(grad, gFD)}`);
      const H = fdJacobian((z) => { const [a, b] = split(z); const q = w.runningDiff(a, b); const o = new Float64Array(n + m); o.set(q.lx); o.set(q.lu, n); return o; }, xu).J;
      const Ha = new Float64Array((n + m) * (n + m));
      for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) Ha[r * (n + m) + c] = g.lxx[r * n + c];
      for (let r = 0; r < m; r++) for (let c = 0; c < m; c++) Ha[(n + r) * (n + m) + n + c] = g.luu[r * m + c];
      for (let r = 0; r < m; r++) for (let c = 0; c < n; c++) { Ha[(n + r) * (n + m) + c] = g.lux[r * n + c]; Ha[c * (n + m) + n + r] = g.lux[r * n + c]; }
      assert.ok(relErr(Ha, H) < 1e-6, `Hessian vs FD at ${x}: ${relErr(Ha, H)}`);
      const t = w.terminalDiff(x);
      const tg = fdJacobian((z) => [w.terminal(z)], x).J;
      assert.ok(relErr(t.lx, tg) < 1e-6, `terminal gradient at ${x}`);
      const tH = fdJacobian((z) => w.terminalDiff(z).lx, x).J;
      assert.ok(relErr(t.lxx, tH) < 1e-6, `terminal Hessian at ${x}: ${relErr(t.lxx, tH)}`);
    }
  });
}

test("batched evaluation equals single evaluations", () => {
  for (const name of SYSTEM_NAMES) {
    const spec = SYSTEMS[name];
    const w = new ModelEvaluator(engine, name);
    const rnd = mulberry32(7);
    const nb = 37;
    const X = new Float64Array(nb * spec.nx), U = new Float64Array(nb * spec.nu);
    for (let i = 0; i < nb; i++) { X.set(sampleState(name, rnd, i), i * spec.nx); U.set(sampleControl(name, rnd), i * spec.nu); }
    const b = w.evalBatch(X, U);
    const f = w.stepBatch(X, U);
    const c = w.costBatch(X, U, Array.from({ length: nb }, (_, i) => i % 5 === 0));
    for (let i = 0; i < nb; i++) {
      const x = X.subarray(i * spec.nx, (i + 1) * spec.nx), u = U.subarray(i * spec.nu, (i + 1) * spec.nu);
      assert.equal(Array.from(b.f.subarray(i * spec.nx, (i + 1) * spec.nx)), Array.from(w.step(x, u)));
      assert.equal(Array.from(f.subarray(i * spec.nx, (i + 1) * spec.nx)), Array.from(w.step(x, u)));
      assert.equal(Array.from(b.fu.subarray(i * spec.nx * spec.nu, (i + 1) * spec.nx * spec.nu)), Array.from(w.stepDiff(x, u).B));
      const rd = w.runningDiff(x, u);
      assert.is(b.l[i], rd.l);
      assert.equal(Array.from(b.lu.subarray(i * spec.nu, (i + 1) * spec.nu)), Array.from(rd.lu));
      assert.is(c[i], i % 5 === 0 ? w.terminal(x) : w.running(x, u));
    }
  }
});

test("batched evaluation rejects bad shapes and non-finite values by name", () => {
  const w = new ModelEvaluator(engine, "car");
  assert.throws(() => w.evalBatch(new Float64Array(10), new Float64Array(3)), /U: got 3 values, expected batch size 2 x nu 2 = 4/);
  assert.throws(() => w.evalBatch([1, 2, 3, 4, NaN], [0, 0]), /X: contains NaN/);
  assert.throws(() => w.step([1, 2, 3], [0, 0]), /x: got 3 values/);
});

test.run();
