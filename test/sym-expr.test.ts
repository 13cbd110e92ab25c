// Symbolic expressions (src/sym/expr.ts): every operation's first and second derivatives against
// central finite differences at seeded random points, stability of softplus/sigmoid far out,
// hash-consing and simplification rules, the evaluator, and input validation.
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  type Expr, type ExprLike, abs, add, atan, constant, cos, count, diff, div, dot, evaluate, exp, expm1, gradient,
  hessian, isExpr, jacobian, log, log1p, max, min, mul, neg, powi, selectGe, sigmoid, sign, sin, smoothAbs,
  smoothMax, smoothMin, softplus, sqrt, square, sub, sum, tan, tanh, variable, variables,
} from "../src/sym/index.js";
import { Rng } from "../src/rng.js";

const X = variables("x", 3);

interface Case {
  name: string;
  /** the expression of x[0], x[1], x[2] */
  build: (x: Expr[]) => Expr;
  /** plain JS value, to check evaluate itself */
  ref: (x: number[]) => number;
  /** sampling box per variable */
  box: [number, number][];
  /** reject points too near a kink */
  ok?: (x: number[]) => boolean;
}

const unit: [number, number][] = [[-1.5, 1.5], [-1.5, 1.5], [-1.5, 1.5]];
/** a unary op applied to x0 * x1 with x0 in [0.6, 1.2] and x1 in `dom` */
function unaryCase(name: string, op: (e: Expr) => Expr, ref: (z: number) => number, dom: [number, number]): Case {
  return { name, build: (x) => op(mul(x[0], x[1])), ref: (x) => ref(x[0] * x[1]), box: [[0.6, 1.2], dom, [0, 1]] };
}

const S = (z: number): number => 0.5 * (1 + z / Math.sqrt(1 + z * z));
const CASES: Case[] = [
  { name: "add", build: (x) => add(x[0], x[1]).mul(x[2]), ref: (x) => (x[0] + x[1]) * x[2], box: unit },
  { name: "sub", build: (x) => sub(x[0], x[1]).mul(sub(x[1], x[2])), ref: (x) => (x[0] - x[1]) * (x[1] - x[2]), box: unit },
  { name: "mul", build: (x) => x[0].mul(x[1]).mul(x[2]).mul(x[0]), ref: (x) => x[0] * x[1] * x[2] * x[0], box: unit },
  { name: "div", build: (x) => div(x[0].mul(x[1]), x[2].add(3)), ref: (x) => (x[0] * x[1]) / (x[2] + 3), box: unit },
  { name: "div by a product", build: (x) => div(1, x[0].mul(x[1]).add(2)), ref: (x) => 1 / (x[0] * x[1] + 2), box: unit },
  { name: "neg", build: (x) => neg(x[0].mul(x[1])).mul(x[2]), ref: (x) => -(x[0] * x[1]) * x[2], box: unit },
  ...[-3, -2, -1, 0, 1, 2, 3, 5, 10, 13].map((k): Case => ({
    name: `powi ${k}`,
    build: (x) => powi(x[0].add(x[1].mul(0.5)), k),
    ref: (x) => (x[0] + 0.5 * x[1]) ** k,
    box: [[0.5, 1.5], [-0.8, 0.8], [0, 1]],
  })),
  { name: "pow fluent", build: (x) => x[0].mul(x[1]).pow(-4), ref: (x) => (x[0] * x[1]) ** -4, box: [[0.5, 1.5], [0.5, 1.5], [0, 1]] },
  { name: "square", build: (x) => square(x[0].mul(x[1])), ref: (x) => (x[0] * x[1]) ** 2, box: unit },
  unaryCase("sqrt", sqrt, Math.sqrt, [0.2, 3]),
  unaryCase("exp", exp, Math.exp, [-2, 2]),
  unaryCase("expm1", expm1, Math.expm1, [-2, 2]),
  unaryCase("log", log, Math.log, [0.2, 3]),
  unaryCase("log1p", log1p, Math.log1p, [-0.5, 3]),
  unaryCase("sin", sin, Math.sin, [-3, 3]),
  unaryCase("cos", cos, Math.cos, [-3, 3]),
  unaryCase("tan", tan, Math.tan, [-1.1, 1.1]),
  unaryCase("tanh", tanh, Math.tanh, [-2, 2]),
  unaryCase("atan", atan, Math.atan, [-3, 3]),
  unaryCase("softplus", softplus, (z) => Math.log(1 + Math.exp(z)), [-4, 4]),
  unaryCase("sigmoid", sigmoid, (z) => 1 / (1 + Math.exp(-z)), [-4, 4]),
  { ...unaryCase("abs", abs, Math.abs, [-2, 2]), ok: (x) => Math.abs(x[1]) > 0.01 },
  { ...unaryCase("sign", (e) => sign(e).mul(e), (z) => Math.sign(z) * z, [-2, 2]), ok: (x) => Math.abs(x[1]) > 0.01 },
  { name: "smoothAbs", build: (x) => smoothAbs(x[0].mul(x[1]), 0.3), ref: (x) => Math.sqrt((x[0] * x[1]) ** 2 + 0.09), box: unit },
  { name: "smoothMax", build: (x) => smoothMax(x[0].mul(x[2]), x[1], 3), ref: (x) => Math.log(Math.exp(3 * x[0] * x[2]) + Math.exp(3 * x[1])) / 3, box: unit },
  { name: "smoothMin", build: (x) => smoothMin(x[0].mul(x[2]), x[1], 3), ref: (x) => -Math.log(Math.exp(-3 * x[0] * x[2]) + Math.exp(-3 * x[1])) / 3, box: unit },
  { name: "min", build: (x) => min(x[0].mul(x[1]), x[2].mul(x[2])), ref: (x) => Math.min(x[0] * x[1], x[2] * x[2]), box: unit, ok: (x) => Math.abs(x[0] * x[1] - x[2] * x[2]) > 0.01 },
  { name: "max", build: (x) => max(x[0].mul(x[1]), x[2].mul(x[2])), ref: (x) => Math.max(x[0] * x[1], x[2] * x[2]), box: unit, ok: (x) => Math.abs(x[0] * x[1] - x[2] * x[2]) > 0.01 },
  {
    name: "selectGe", build: (x) => selectGe(x[0], x[1], x[0].mul(x[2]), sin(x[1].mul(x[2]))),
    ref: (x) => (x[0] >= x[1] ? x[0] * x[2] : Math.sin(x[1] * x[2])), box: unit, ok: (x) => Math.abs(x[0] - x[1]) > 0.01,
  },
  { name: "sum", build: (x) => sum(x[0], square(x[1]), [x[2].mul(x[0]), 4]), ref: (x) => x[0] + x[1] ** 2 + x[2] * x[0] + 4, box: unit },
  { name: "dot", build: (x) => dot([x[0], x[1], 2], [x[1], x[2], x[0]]), ref: (x) => x[0] * x[1] + x[1] * x[2] + 2 * x[0], box: unit },
  {
    // the car-park smooth box ingredient S(z) = 0.5 (1 + z / sqrt(1 + z^2)), z = k (x - c)
    name: "S(z) of car_park", build: (x) => { const z = x[0].sub(x[1]).mul(5); return mul(0.5, add(1, div(z, sqrt(add(1, square(z)))))); },
    ref: (x) => S(5 * (x[0] - x[1])), box: unit,
  },
  {
    name: "soft control bound (u/umax)^10", build: (x) => sum(square(x[0]), mul(0.1, powi(div(x[0], 2), 10)), square(x[1]), mul(0.1, powi(div(x[1], 1), 10))),
    ref: (x) => x[0] ** 2 + 0.1 * (x[0] / 2) ** 10 + x[1] ** 2 + 0.1 * x[1] ** 10, box: [[-2.5, 2.5], [-1.2, 1.2], [0, 1]],
  },
  {
    name: "obstacle term", build: (x) => div(softplus(mul(-50, sub(add(div(square(x[0].add(2)), 9), div(square(x[1]), 25)), 1))), 50),
    ref: (x) => Math.log1p(Math.exp(-50 * ((x[0] + 2) ** 2 / 9 + x[1] ** 2 / 25 - 1))) / 50, box: [[-5.5, 1.5], [-5.5, 5.5], [0, 1]],
  },
  {
    name: "car dynamics row", build: (x) => sum(x[0], mul(0.05, mul(x[1], cos(x[2]))), mul(0.00125, mul(x[0], cos(x[2])))),
    ref: (x) => x[0] + 0.05 * x[1] * Math.cos(x[2]) + 0.00125 * x[0] * Math.cos(x[2]), box: [[-10, 10], [-10, 10], [-3.2, 3.2]],
  },
];

const close = (got: number, want: number, tol: number): boolean => Math.abs(got - want) <= tol * Math.max(1, Math.abs(want));

function samplePoints(c: Case, rng: Rng, n: number): number[][] {
  const pts: number[][] = [];
  while (pts.length < n) {
    const p = c.box.map(([lo, hi]) => rng.uniform(lo, hi));
    if (!c.ok || c.ok(p)) pts.push(p);
  }
  return pts;
}

const at = (p: number[]) => ({ x: p });
const shifted = (p: number[], i: number, d: number): number[] => p.map((v, k) => (k === i ? v + d : v));

for (const c of CASES) {
  test(`${c.name}: value, gradient and Hessian match finite differences`, () => {
    const f = c.build(X);
    const g = gradient(f, X);
    const H = hessian(f, X);
    const rng = new Rng(17 + c.name.length);
    for (const p of samplePoints(c, rng, 5)) {
      const v = evaluate(f, at(p));
      assert.ok(close(v, c.ref(p), 1e-12), `${c.name} value at ${p}: ${v} vs ${c.ref(p)}`);
      const gv = evaluate(g, at(p));
      const Hv = H.map((row) => evaluate(row, at(p)));
      for (let i = 0; i < 3; i++) {
        const h = 1e-5 * Math.max(1, Math.abs(p[i]));
        const fd = (c.ref(shifted(p, i, h)) - c.ref(shifted(p, i, -h))) / (2 * h);
        assert.ok(close(gv[i], fd, 1e-6), `${c.name} d/dx${i} at ${p}: ${gv[i]} vs FD ${fd}`);
        // second derivatives: FD of the symbolic gradient, and the pure second difference of the value
        const gp = evaluate(g, at(shifted(p, i, h))), gm = evaluate(g, at(shifted(p, i, -h)));
        const h2 = 1e-4 * Math.max(1, Math.abs(p[i]));
        for (let j = 0; j < 3; j++) {
          const fdg = (gp[j] - gm[j]) / (2 * h);
          assert.ok(close(Hv[i][j], fdg, 1e-6), `${c.name} d2/dx${i}dx${j} at ${p}: ${Hv[i][j]} vs FD of gradient ${fdg}`);
          const hj = 1e-4 * Math.max(1, Math.abs(p[j]));
          const fv = (di: number, dj: number) => c.ref(shifted(shifted(p, i, di), j, dj));
          const fd2 = i === j
            ? (c.ref(shifted(p, i, h2)) - 2 * c.ref(p) + c.ref(shifted(p, i, -h2))) / (h2 * h2)
            : (fv(h2, hj) - fv(h2, -hj) - fv(-h2, hj) + fv(-h2, -hj)) / (4 * h2 * hj);
          assert.ok(close(Hv[i][j], fd2, 1e-4 * Math.max(1, Math.abs(v))), `${c.name} d2/dx${i}dx${j} at ${p}: ${Hv[i][j]} vs second difference ${fd2}`);
        }
      }
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) assert.ok(H[i][j] === H[j][i], "the Hessian is symmetric (one node per pair)");
    }
  });
}

test("softplus and sigmoid far out (|z| = 30, 700, 1000): finite, accurate values and derivatives", () => {
  const z = X[0];
  const f = softplus(z), d1 = diff(f, z), d2 = diff(d1, z), d3 = diff(d2, z);
  const s = sigmoid(z), s1 = diff(s, z), s2 = diff(s1, z);
  for (const zv of [-1000, -700, -30, 30, 700, 1000]) {
    const vals = evaluate([f, d1, d2, d3, s, s1, s2], { x: [zv] });
    assert.ok(vals.every(Number.isFinite), `z = ${zv}: ${vals}`);
    const e = Math.exp(-Math.abs(zv)); // may underflow to 0 at 1000
    const sig = zv > 0 ? 1 / (1 + e) : e / (1 + e);
    const want = [Math.max(zv, 0) + Math.log1p(e), sig, e / ((1 + e) * (1 + e))]; // s(1-s) without cancellation
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(vals[k] - want[k]) <= 1e-14 * Math.abs(want[k]), `z = ${zv} derivative ${k}: ${vals[k]} vs ${want[k]}`);
    assert.ok(vals[4] === vals[1], "sigmoid = softplus'");
    assert.ok(vals[5] === vals[2], "sigmoid' = softplus''");
    assert.ok(vals[2] >= 0 && vals[3] * Math.sign(-zv) >= 0, "signs of the curvature terms");
  }
  // tiny values keep their relative accuracy: softplus(-30) = log1p(e^-30), sigmoid'(-700) ~ e^-700
  const f30 = evaluate(f, { x: [-30] });
  assert.ok(Math.abs(f30 - (Math.exp(-30) - Math.exp(-60) / 2)) <= 1e-15 * f30, `${f30}`);
  const d2m700 = evaluate(d2, { x: [-700] });
  assert.ok(Math.abs(d2m700 - Math.exp(-700)) <= 1e-13 * Math.exp(-700), `${d2m700}`);
  // finite differences at +-30 and +-700 (values of order 1e-13 .. 700)
  for (const zv of [-700, -30, 30, 700]) {
    const h = 1e-5 * Math.abs(zv);
    const ref = (v: number) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
    const fd = (ref(zv + h) - ref(zv - h)) / (2 * h);
    const d = evaluate(d1, { x: [zv] });
    assert.ok(Math.abs(d - fd) <= 1e-6 * Math.max(Math.abs(d), 1e-300), `z = ${zv}: ${d} vs FD ${fd}`);
  }
});

test("smoothMax / smoothMin approach max / min as k grows and stay finite for far-apart operands", () => {
  const [a, b] = X;
  for (const k of [1, 10, 100]) {
    const hi = evaluate(smoothMax(a, b, k), { x: [0.3, -0.2] });
    const lo = evaluate(smoothMin(a, b, k), { x: [0.3, -0.2] });
    assert.ok(hi >= 0.3 && hi - 0.3 <= Math.LN2 / k + 1e-15, `smoothMax k=${k}: ${hi}`);
    assert.ok(lo <= -0.2 && -0.2 - lo <= Math.LN2 / k + 1e-15, `smoothMin k=${k}: ${lo}`);
  }
  const g = gradient(smoothMax(a, b, 1000), [a, b]);
  assert.equal(evaluate(g, { x: [5, -5] }), [1, 0]);
  assert.equal(evaluate(g, { x: [-5, 5] }), [0, 1]);
  assert.equal(evaluate(hessian(smoothMin(a, b, 1000), [a, b]).flat(), { x: [5, -5] }), [0, 0, 0, 0]);
});

test("hash-consing: structurally equal nodes are one object; commutative operands are ordered", () => {
  const [a, b, c] = X;
  assert.ok(mul(a, b) === mul(b, a));
  assert.ok(add(a, b) === add(b, a));
  assert.ok(min(a, b) === min(b, a) && max(a, c) === max(c, a));
  assert.ok(sin(add(a, b)) === sin(add(b, a)));
  assert.ok(variable("x", 0) === a && constant(2.5) === constant(2.5));
  assert.ok(sub(a, b) !== sub(b, a));
  assert.ok(constant(0) !== constant(-0), "-0 and 0 are different constants");
  assert.ok(Object.is(constant(-0).value, -0));
  assert.ok(constant(NaN) === constant(NaN) && Number.isNaN(constant(NaN).value));
  assert.ok(constant(1) !== constant(1 + Number.EPSILON));
  assert.ok(variable("u", 0) !== variable("x", 0));
  const ids = new Set([a, b, c, mul(a, b), add(a, b)].map((e) => e.id));
  assert.is(ids.size, 5);
  assert.ok(isExpr(a) && !isExpr(1));
});

test("shared subexpressions are counted once", () => {
  const [a, b] = X;
  const s = sin(mul(a, b));
  const f = add(mul(s, s.add(1)), exp(s));
  // a, b, a*b, s, 1, s+1, s*(s+1), exp(s), f
  assert.is(count(f), 9);
  assert.is(count([f, s, mul(b, a)]), 9);
  // a chain of shared squares: 2^20 leaves as a tree, 21 nodes as a graph
  let e: Expr = a;
  for (let i = 0; i < 20; i++) e = mul(e, add(e, 1));
  assert.is(count(e), 1 + 1 + 2 * 20);
  assert.ok(Number.isFinite(evaluate(e, { x: [1e-9] })));
});

test("folding and simplification rules", () => {
  const [a, b] = X;
  assert.is(add(2, 3).value, 5);
  assert.is(mul(constant(2), 4).value, 8);
  assert.is(sin(0).value, 0);
  assert.is(exp(0).value, 1);
  assert.is(powi(2, -2).value, 0.25);
  assert.is(softplus(0).value, Math.LN2);
  assert.ok(add(a, 0) === a && add(0, a) === a);
  assert.ok(sub(a, 0) === a);
  assert.ok(sub(0, a) === neg(a));
  assert.ok(mul(a, 1) === a && mul(1, a) === a);
  assert.ok(mul(a, 0) === constant(0) && mul(0, a) === constant(0), "x*0 = 0 (also for NaN, documented)");
  assert.ok(div(a, 1) === a && div(0, a) === constant(0));
  assert.ok(sub(a, a) === constant(0));
  assert.ok(neg(neg(a)) === a);
  assert.ok(powi(a, 1) === a && powi(a, 0) === constant(1));
  assert.ok(mul(a, a) === square(a) && square(a) === powi(a, 2));
  assert.ok(add(a, a) === mul(2, a));
  assert.ok(mul(a, -1) === neg(a));
  assert.ok(add(a, neg(b)) === sub(a, b) && sub(a, neg(b)) === add(a, b));
  assert.ok(mul(neg(a), neg(b)) === mul(a, b));
  assert.ok(powi(neg(a), 2) === powi(a, 2) && powi(neg(a), 3) === neg(powi(a, 3)));
  assert.ok(abs(neg(a)) === abs(a));
  assert.ok(min(a, a) === a && selectGe(a, b, a, a) === a);
  assert.ok(selectGe(2, 1, a, b) === a && selectGe(1, 2, a, b) === b);
  assert.ok(sum() === constant(0) && sum(a) === a);
  // derivatives are simplified by the constructors
  assert.ok(diff(mul(3, a), a) === constant(3));
  assert.ok(diff(b, a) === constant(0) && diff(a, a) === constant(1));
  assert.ok(diff(sin(a), a) === cos(a));
  assert.ok(diff(diff(sin(a), a), a) === neg(sin(a)));
  assert.ok(diff(softplus(a), a) === sigmoid(a));
  assert.ok(diff(square(a), a) === mul(2, a));
  assert.ok(diff(exp(a), a) === exp(a), "reuses the node itself");
  assert.ok(diff(mul(a, b), a) === b);
  assert.ok(diff(sin(a), a) === diff(sin(a), a), "memoised");
});

test("jacobian and hessian shapes; the Hessian mirrors its upper triangle", () => {
  const [a, b, c] = X;
  const J = jacobian([mul(a, b), sin(c), 4], [a, b, c]);
  assert.is(J.length, 3);
  assert.ok(J.every((r) => r.length === 3));
  assert.equal(J.map((r) => evaluate(r, { x: [2, 3, 0] })), [[3, 2, 0], [0, 0, 1], [0, 0, 0]]);
  const H = hessian(mul(mul(a, b), c), [a, b, c]);
  assert.equal(H.map((r) => evaluate(r, { x: [2, 3, 5] })), [[0, 5, 3], [5, 0, 2], [3, 2, 0]]);
  assert.equal(hessian(a, []), []);
});

test("evaluate: arrays, sharing, deep chains, and custom math functions", () => {
  const [a, b] = X;
  assert.equal(evaluate([a, b, add(a, b), 7], { x: [1, 2] }), [1, 2, 3, 7]);
  assert.is(evaluate(3, {}), 3);
  const u = variable("u", 1), p = variable("p", 0), l = variable("lam", 2);
  assert.is(evaluate(sum(u, p, l), { u: [0, 1], p: [10], lam: [0, 0, 100] }), 111);
  assert.is(evaluate(a, { x: new Float64Array([4]) }), 4);
  // a chain of 20000 nested ops (iterative traversals: no stack overflow)
  let e: Expr = a;
  for (let i = 0; i < 20000; i++) e = sin(e).add(i % 7);
  assert.ok(Number.isFinite(evaluate(e, { x: [0.5] })));
  assert.ok(Number.isFinite(evaluate(diff(e, a), { x: [0.5] })));
  assert.ok(e.toString().length < 1000);
  // the math functions can be replaced (the engine passes its own)
  const math = { ...mathOf(Math), sin: (x: number) => 2 * x };
  assert.is(evaluate(sin(a), { x: [3] }, math), 6);
});

function mathOf(m: Math) {
  return { sin: m.sin, cos: m.cos, tan: m.tan, exp: m.exp, expm1: m.expm1, log: m.log, log1p: m.log1p, tanh: m.tanh, atan: m.atan };
}

test("errors name the function, the parameter, the value and the expectation", () => {
  assert.throws(() => variable("x", -1), /variable: index must be a non-negative integer, got -1/);
  assert.throws(() => variable("x", 1.5), /variable: index must be a non-negative integer, got 1.5/);
  assert.throws(() => variable("y" as "x", 0), /variable: kind must be one of "x", "u", "p", "lam", got "y"/);
  assert.throws(() => powi(X[0], 0.5), /powi: k must be an integer, got 0.5/);
  assert.throws(() => add(X[0], "1" as unknown as ExprLike), /add: b must be an Expr or a number, got "1"/);
  assert.throws(() => diff(X[0], add(X[0], 1)), /diff: v must be a variable node \(from variable\(\)\), got an expression with op "add"/);
  assert.throws(() => smoothMax(X[0], X[1], 0), /smoothMax: k must be a finite number > 0, got 0/);
  assert.throws(() => smoothAbs(X[0], -1), /smoothAbs: eps must be a finite number > 0, got -1/);
  assert.throws(() => dot([X[0]], [X[0], X[1]]), /dot: a and b must have the same length, got 1 and 2/);
  assert.throws(() => evaluate(X[2], { x: [1, 2] }), /evaluate: x\[2\] is used but env.x has length 2/);
  assert.throws(() => evaluate(variable("u", 0), { x: [1] }), /evaluate: u\[0\] is used but env.u is missing/);
  const Ctor = X[0].constructor as unknown as new (...a: unknown[]) => Expr;
  assert.throws(() => new Ctor(Symbol("fake"), "const", [], 1, null, -1, 0), /use the factory functions/);
});

test.run();
