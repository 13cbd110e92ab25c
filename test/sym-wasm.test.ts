// WASM code generation (src/sym/wasm.ts): generated modules validate, compute exactly what `evaluate`
// computes (bit for bit, same math functions), honour the guard flag, return i32 constants, handle
// large functions (multi-byte LEB128 local indices and offsets), aliasing outputs, and bad input.
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  type Expr, type GenFunction, type GenStore, add, compileModule, compileModuleSync, constant, cos, div, dot, emitModule,
  evaluate, exp, expm1, hessian, jacobian, gradient, log, log1p, max, min, mul, neg, powi, selectGe, sigmoid, sign, sin,
  smoothAbs, smoothMax, softplus, sqrt, square, sub, sum, tan, tanh, atan, abs, variables, count, MATH_NAMES,
} from "../src/sym/index.js";
import { s32Leb, u32Leb } from "../src/sym/wasm.js";
import { Rng } from "../src/rng.js";

const JS_MATH = Object.fromEntries(MATH_NAMES.map((n) => [n, Math[n]])) as Record<string, (x: number) => number>;
const I32 = (n: number): "i32"[] => new Array<"i32">(n).fill("i32");
const storesOf = (param: number, es: Expr[], first = 0): GenStore[] => es.map((expr, i) => ({ param, index: first + i, expr }));

/** one memory; f64 arrays laid out at 8-byte-aligned element offsets */
class Heap {
  readonly memory = new WebAssembly.Memory({ initial: 4 });
  private top = 64;
  get f64(): Float64Array { return new Float64Array(this.memory.buffer); }
  /** a block of n doubles (filled with values or a sentinel); returns its byte pointer */
  block(n: number, values?: ArrayLike<number>): number {
    const ptr = this.top;
    this.top += 8 * Math.max(n, 1) + 64;
    const v = this.f64.subarray(ptr / 8, ptr / 8 + n);
    if (values) v.set(values);
    else v.fill(-12345.678);
    return ptr;
  }
  read(ptr: number, n: number): number[] { return Array.from(this.f64.subarray(ptr / 8, ptr / 8 + n)); }
}

/** bitwise equality of two arrays (Object.is: NaN equals NaN, -0 differs from 0) */
function sameBits(got: number[], want: number[], what: string): void {
  assert.is(got.length, want.length, what);
  got.forEach((g, i) => assert.ok(Object.is(g, want[i]), `${what}[${i}]: wasm ${g} vs evaluate ${want[i]}`));
}

// ---------------------------------------------------------------------------------------------
// The car (spec 2.3) with the shared cost family (spec 1), as the engine's five model functions

const dt = 0.05;
const OBSTACLES = [[-2, 0, 6, 10], [3, 4, 12, 4], [3, -4, 12, 4]];
function carDynamics(x: Expr[], u: Expr[]): Expr[] {
  const [px, py, th, v, a] = x;
  const c = cos(th), s = sin(th);
  const ds = add(mul(dt, v), mul(0.5 * dt * dt, a));
  return [add(px, mul(ds, c)), add(py, mul(ds, s)), add(th, mul(dt, u[0])), add(v, mul(dt, a)), add(a, mul(dt, u[1]))];
}
function carCost(x: Expr[], u: Expr[] | null): Expr {
  const [wd, wpeak, wob, wu, a2, a, scale] = [100, 5e5, 5e6, 10, 5, 50, 1e-5];
  const dx = sub(x[0], -7), dy = x[1];
  const d2 = add(square(dx), square(dy));
  const valley = sum(sqrt(add(square(dx), 0.1)), -0.1, sqrt(add(square(dy), 0.1)), -0.1, -2 * Math.sqrt(0.1));
  const peak = div(softplus(mul(-a2, valley)), a2);
  const obs = sum(OBSTACLES.map(([xc, yc, A, B]) =>
    div(softplus(mul(-a, sum(div(square(sub(x[0], xc)), (A / 2) ** 2), div(square(sub(x[1], yc)), (B / 2) ** 2), -1))), a)));
  const umax = [2, 1];
  const ctrl = u ? sum(u.map((ui, i) => add(square(ui), mul(1 / wu, powi(div(ui, umax[i]), 10))))) : constant(0);
  return mul(scale, sum(mul(wd, d2), mul(-wpeak, peak), mul(wob, obs), mul(u ? wu : 0, ctrl)));
}

/** the five model functions of assembly/models/registry.ts for the car */
function carModel(): GenFunction[] {
  const x = variables("x", 5), u = variables("u", 2), lam = variables("lam", 5);
  const f = carDynamics(x, u);
  const run = carCost(x, u), term = carCost(x, null);
  const Hl = hessian(dot(lam, f), [...x, ...u]);
  const Hr = hessian(run, [...x, ...u]);
  const block = (H: Expr[][], rows: number[], cols: number[]) => rows.flatMap((i) => cols.map((j) => H[i][j]));
  const X = [0, 1, 2, 3, 4], U = [5, 6];
  return [
    { name: "step", params: I32(4), result: null, inputs: { p: 0, x: 1, u: 2 }, stores: storesOf(3, f) },
    { name: "stepDiff", params: I32(5), result: null, inputs: { p: 0, x: 1, u: 2 }, stores: [...storesOf(3, jacobian(f, x).flat()), ...storesOf(4, jacobian(f, u).flat())] },
    { name: "stepHess", params: I32(7), result: "i32", returns: 1, inputs: { p: 0, x: 1, u: 2, lam: 3 }, stores: [...storesOf(4, block(Hl, X, X)), ...storesOf(5, block(Hl, U, U)), ...storesOf(6, block(Hl, U, X))] },
    {
      name: "running", params: I32(9), result: "f64", returns: run, inputs: { p: 0, x: 1, u: 2 }, stores: [],
      guarded: { flag: 3, stores: [...storesOf(4, gradient(run, x)), ...storesOf(5, gradient(run, u)), ...storesOf(6, block(Hr, X, X)), ...storesOf(7, block(Hr, U, U)), ...storesOf(8, block(Hr, U, X))] },
    },
    {
      name: "terminal", params: I32(5), result: "f64", returns: term, inputs: { p: 0, x: 1 }, stores: [],
      guarded: { flag: 2, stores: [...storesOf(3, gradient(term, x)), ...storesOf(4, hessian(term, x).flat())] },
    },
  ];
}

/** run one generated function on fresh blocks and compare every output with evaluate */
function checkAgainstEvaluate(ex: Record<string, (...a: number[]) => number | undefined>, fn: GenFunction, heap: Heap, env: Record<string, number[]>, flag: 0 | 1): void {
  const args = fn.params.map(() => 0);
  for (const [kind, param] of Object.entries(fn.inputs)) args[param!] = heap.block(env[kind].length, env[kind]);
  const all = [...fn.stores, ...(fn.guarded?.stores ?? [])];
  const sizes = new Map<number, number>();
  for (const s of all) sizes.set(s.param, Math.max(sizes.get(s.param) ?? 0, s.index + 1));
  for (const [param, n] of sizes) args[param] = heap.block(n);
  if (fn.guarded) args[fn.guarded.flag] = flag;
  const r = ex[fn.name](...args);
  if (fn.result === "f64") sameBits([r as number], [evaluate(fn.returns as Expr, env)], `${fn.name} result`);
  else if (fn.result === "i32") assert.is(r, fn.returns);
  else assert.is(r, undefined);
  for (const s of fn.stores) sameBits(heap.read(args[s.param] + 8 * s.index, 1), [evaluate(s.expr, env)], `${fn.name} store p${s.param}[${s.index}]`);
  for (const s of fn.guarded?.stores ?? []) {
    const want = flag ? evaluate(s.expr, env) : -12345.678;
    sameBits(heap.read(args[s.param] + 8 * s.index, 1), [want], `${fn.name} guarded p${s.param}[${s.index}] (flag ${flag})`);
  }
}

test("LEB128 encodings (known vectors)", () => {
  assert.equal(u32Leb(0), [0]);
  assert.equal(u32Leb(127), [0x7f]);
  assert.equal(u32Leb(128), [0x80, 0x01]);
  assert.equal(u32Leb(624485), [0xe5, 0x8e, 0x26]);
  assert.equal(u32Leb(0xffffffff), [0xff, 0xff, 0xff, 0xff, 0x0f]);
  assert.equal(s32Leb(0), [0]);
  assert.equal(s32Leb(-1), [0x7f]);
  assert.equal(s32Leb(63), [0x3f]);
  assert.equal(s32Leb(64), [0xc0, 0x00]);
  assert.equal(s32Leb(-64), [0x40]);
  assert.equal(s32Leb(-65), [0xbf, 0x7f]);
  assert.equal(s32Leb(-123456), [0xc0, 0xbb, 0x78]);
  assert.equal(s32Leb(-0x80000000), [0x80, 0x80, 0x80, 0x80, 0x78]);
  assert.throws(() => u32Leb(-1), /u32Leb: value must be an integer in \[0, 2\^32\), got -1/);
});

test("the car model: valid module; every output equals evaluate bit for bit; guards honoured", () => {
  const fns = carModel();
  const bytes = emitModule(fns);
  assert.ok(WebAssembly.validate(bytes));
  const mod = new WebAssembly.Module(bytes);
  assert.equal(WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}:${i.kind}`), ["math.sin:function", "math.cos:function", "math.exp:function", "math.log1p:function", "env.memory:memory"]);
  assert.equal(WebAssembly.Module.exports(mod).map((e) => e.name), ["step", "stepDiff", "stepHess", "running", "terminal"]);
  const heap = new Heap();
  const ex = compileModuleSync(fns, { memory: heap.memory, math: JS_MATH });
  const rng = new Rng(5);
  for (let trial = 0; trial < 6; trial++) {
    const env = {
      x: [rng.uniform(-15, 15), rng.uniform(-15, 15), rng.uniform(-Math.PI, Math.PI), rng.uniform(-10, 10), rng.uniform(-3, 3)],
      u: [rng.uniform(-3, 3), rng.uniform(-1.5, 1.5)],
      lam: Array.from({ length: 5 }, () => rng.normal()),
      p: [0],
    };
    if (trial === 0) env.x = [-2, 0.5, 0.1, 0, 0]; // inside an obstacle: the softplus terms are large
    for (const fn of fns) for (const flag of [1, 0] as const) checkAgainstEvaluate(ex, fn, heap, env, flag);
  }
});

test("in place: the output array may be the input array (all loads happen before any store)", () => {
  const [step] = carModel();
  const heap = new Heap();
  const ex = compileModuleSync([step], { memory: heap.memory, math: JS_MATH });
  const env = { x: [1, 2, 0.3, 4, 0.5], u: [0.2, -0.1] };
  const xp = heap.block(5, env.x), up = heap.block(2, env.u);
  ex.step(0, xp, up, xp);
  sameBits(heap.read(xp, 5), evaluate(step.stores.map((s) => s.expr as Expr), env), "x <- f(x, u)");
});

/** a random expression over x[0..3], u[0..1] using every op; domains kept mostly finite */
function randomExpr(rng: Rng, depth: number, leaves: Expr[]): Expr {
  if (depth === 0 || rng.next() < 0.15) return rng.next() < 0.8 ? leaves[rng.int(0, leaves.length - 1)] : constant(rng.uniform(-2, 2));
  const r = () => randomExpr(rng, depth - 1, leaves);
  const ops: (() => Expr)[] = [
    () => add(r(), r()), () => sub(r(), r()), () => mul(r(), r()), () => div(r(), add(square(r()), 0.5)), () => neg(r()),
    () => powi(tanh(r()).add(1.5), rng.int(-6, 12)), () => sqrt(abs(r()).add(0.1)), () => exp(tanh(r())), () => expm1(tanh(r())),
    () => log(abs(r()).add(0.2)), () => log1p(abs(r())), () => sin(r()), () => cos(r()), () => tan(tanh(r())), () => tanh(r()),
    () => atan(r()), () => softplus(mul(r(), 300)), () => sigmoid(mul(r(), 300)), () => sign(r()), () => abs(r()),
    () => min(r(), r()), () => max(r(), r()), () => selectGe(r(), r(), r(), r()), () => smoothAbs(r(), 0.1), () => smoothMax(r(), r(), 5),
  ];
  return ops[rng.int(0, ops.length - 1)]();
}

test("random multi-output expressions with gradients and Hessians: wasm equals evaluate bit for bit", () => {
  const rng = new Rng(99);
  const x = variables("x", 4), u = variables("u", 2);
  const heap = new Heap();
  for (let trial = 0; trial < 12; trial++) {
    const outs = Array.from({ length: 3 }, () => randomExpr(rng, 5, [...x, ...u]));
    const cost = randomExpr(rng, 6, [...x, ...u]);
    const fns: GenFunction[] = [
      { name: "f", params: I32(3), result: null, inputs: { x: 0, u: 1 }, stores: storesOf(2, [...outs, ...jacobian(outs, x).flat()]) },
      { name: "c", params: I32(4), result: "f64", returns: cost, inputs: { x: 0, u: 1 }, stores: [], guarded: { flag: 2, stores: storesOf(3, [...gradient(cost, x), ...hessian(cost, [...x, ...u]).flat()]) } },
    ];
    const bytes = emitModule(fns);
    assert.ok(WebAssembly.validate(bytes), `trial ${trial}`);
    const ex = compileModuleSync(fns, { memory: heap.memory, math: JS_MATH });
    for (let k = 0; k < 3; k++) {
      const env = { x: x.map(() => rng.uniform(-2, 2)), u: u.map(() => rng.uniform(-2, 2)) };
      for (const fn of fns) for (const flag of [1, 0] as const) checkAgainstEvaluate(ex, fn, heap, env, flag);
    }
  }
});

test("the engine's math is used: custom math functions give the same bits in wasm and evaluate", () => {
  const [a, b] = variables("x", 2);
  const e = add(softplus(mul(a, b)), sin(a)).mul(sigmoid(b));
  const math = { ...JS_MATH, sin: (v: number) => Math.sin(v) * (1 + 1e-9), exp: (v: number) => Math.exp(v) * (1 - 1e-9) };
  const heap = new Heap();
  const fns: GenFunction[] = [{ name: "g", params: I32(1), result: "f64", returns: e, inputs: { x: 0 }, stores: [] }];
  const ex = compileModuleSync(fns, { memory: heap.memory, math });
  const env = { x: [0.7, -0.4] };
  const r = ex.g(heap.block(2, env.x));
  assert.ok(Object.is(r, evaluate(e, env, math as never)));
  assert.is.not(r, evaluate(e, env));
});

test("i32 and void results; a function without stores; constants stored inline", async () => {
  const heap = new Heap();
  const fns: GenFunction[] = [
    { name: "seven", params: [], result: "i32", returns: 7, inputs: {}, stores: [] },
    { name: "minusBig", params: I32(1), result: "i32", returns: -2147483648, inputs: {}, stores: [] },
    { name: "consts", params: I32(1), result: null, inputs: {}, stores: [{ param: 0, index: 0, expr: 2.5 }, { param: 0, index: 1, expr: constant(-0) }, { param: 0, index: 2, expr: NaN }] },
    { name: "pi", params: [], result: "f64", returns: Math.PI, inputs: {}, stores: [] },
    { name: "nothing", params: I32(2), result: null, inputs: {}, stores: [], guarded: { flag: 1, stores: [] } },
  ];
  const bytes = emitModule(fns);
  assert.ok(WebAssembly.validate(bytes));
  assert.equal(WebAssembly.Module.imports(new WebAssembly.Module(bytes)).map((i) => i.name), ["memory"], "no math used: no math imported");
  const ex = await compileModule(fns, { memory: heap.memory, math: {} });
  assert.is(ex.seven(), 7);
  assert.is(ex.minusBig(0), -2147483648);
  assert.is(ex.pi(), Math.PI);
  const p = heap.block(3);
  assert.is(ex.consts(p), undefined);
  const got = heap.read(p, 3);
  assert.ok(got[0] === 2.5 && Object.is(got[1], -0) && Number.isNaN(got[2]));
  assert.is(ex.nothing(0, 1), undefined);
});

test("a large function (> 1000 nodes, > 128 live locals, multi-byte offsets) validates and matches", async () => {
  const n = 300;
  const x = variables("x", n), p = variables("p", 3);
  // all 300 loads are live until the chain reaches them: local indices well past 127
  const chain = sum(x.map((xi, i) => mul(xi, sin(add(x[(i * 7) % n], p[i % 3])))));
  const outs = x.map((xi, i) => add(mul(xi, x[(i + 1) % n]), powi(p[i % 3], (i % 9) - 4)));
  const cost = add(chain, softplus(sum(outs.slice(0, 50))));
  const grad = gradient(cost, x.slice(0, 40));
  const fns: GenFunction[] = [{
    name: "big", params: I32(4), result: "f64", returns: cost, inputs: { x: 0, p: 1 },
    stores: storesOf(2, outs, 3000), // offsets 24000.. (3-byte LEB)
    guarded: { flag: 3, stores: storesOf(2, grad, 20000) },
  }];
  assert.ok(count([cost, ...outs, ...grad]) > 1000, `nodes ${count([cost, ...outs, ...grad])}`);
  const bytes = emitModule(fns);
  assert.ok(WebAssembly.validate(bytes));
  const heap = new Heap();
  const ex = await compileModule(fns, { memory: heap.memory, math: JS_MATH });
  const rng = new Rng(3);
  const env = { x: x.map(() => rng.uniform(-1, 1)), p: [1.3, -0.7, 2.1] };
  const xp = heap.block(n, env.x), pp = heap.block(3, env.p);
  const out = heap.block(20000 + grad.length);
  for (const flag of [0, 1]) {
    const r = ex.big(xp, pp, out, flag);
    assert.ok(Object.is(r, evaluate(cost, env)));
    sameBits(heap.read(out + 8 * 3000, n), evaluate(outs, env), "outs");
    sameBits(heap.read(out + 8 * 20000, grad.length), flag ? evaluate(grad, env) : grad.map(() => -12345.678), `grad (flag ${flag})`);
  }
});

test("a 30000-deep chain (60000 nodes > the 50000 locals limit) compiles: locals are recycled; > 50000 live values is a clear error", () => {
  const [a] = variables("x", 1);
  let e: Expr = a;
  for (let i = 0; i < 30000; i++) e = sin(e).add(i % 7);
  const fns: GenFunction[] = [{ name: "deep", params: I32(1), result: "f64", returns: e, inputs: { x: 0 }, stores: [] }];
  const bytes = emitModule(fns);
  assert.ok(bytes.length < 30000 * 20, `${bytes.length} bytes`);
  const heap = new Heap();
  const ex = compileModuleSync(fns, { memory: heap.memory, math: JS_MATH });
  assert.ok(Object.is(ex.deep(heap.block(1, [0.5])), evaluate(e, { x: [0.5] })));
  const many = variables("x", 50001);
  assert.throws(() => emitModule([{ name: "wide", params: I32(1), result: "f64", returns: sum(many), inputs: { x: 0 }, stores: [] }]),
    /emitModule: function "wide" needs more than 50000 locals \(live values at once\); split it into smaller functions/);
});

test("emitModule and compileModule errors name the field and the expectation", async () => {
  const x = variables("x", 2), u = variables("u", 1);
  const base: GenFunction = { name: "f", params: I32(2), result: null, inputs: { x: 0 }, stores: [{ param: 1, index: 0, expr: add(x[0], x[1]) }] };
  assert.throws(() => emitModule([{ ...base, stores: [{ param: 1, index: 0, expr: u[0] }] }]), /emitModule: fns\[0\] \("f"\) uses u\[0\] but its inputs have no "u" pointer/);
  assert.throws(() => emitModule([{ ...base, stores: [{ param: 2, index: 0, expr: 1 }] }]), /emitModule: fns\[0\] \("f"\).stores\[0\].param must be a param index in \[0, 2\), got 2/);
  assert.throws(() => emitModule([{ ...base, stores: [{ param: 1, index: -1, expr: 1 }] }]), /stores\[0\].index must be an integer in \[0, 2\^29\), got -1/);
  assert.throws(() => emitModule([base, base]), /fns\[1\] \("f"\).name must be unique among the functions, got "f"/);
  assert.throws(() => emitModule([{ ...base, result: "f64" }]), /fns\[0\] \("f"\).returns must be an Expr or a number, got undefined/);
  assert.throws(() => emitModule([{ ...base, result: "i32", returns: 1.5 }]), /returns must be an i32 integer constant \(result is "i32"\), got 1.5/);
  assert.throws(() => emitModule([{ ...base, params: ["f64" as "i32"] }]), /fns\[0\] \("f"\).params must be an array of "i32"/);
  assert.throws(() => emitModule([{ ...base, inputs: { x: 5 } }]), /inputs.x must be a param index in \[0, 2\), got 5/);
  assert.throws(() => emitModule([{ ...base, guarded: { flag: 9, stores: [] } }]), /guarded.flag must be a param index in \[0, 2\), got 9/);
  const usesSin: GenFunction = { ...base, stores: [{ param: 1, index: 0, expr: sin(x[0]) }] };
  try {
    await compileModule([usesSin], { memory: new WebAssembly.Memory({ initial: 1 }), math: { cos: Math.cos } });
    assert.unreachable("should throw");
  } catch (e) {
    assert.match((e as Error).message, /compileModule: imports.math.sin must be a function \(the module uses it\), got undefined/);
  }
  assert.throws(() => compileModuleSync([usesSin], { memory: {} as WebAssembly.Memory, math: JS_MATH }), /compileModule: imports.memory must be a WebAssembly.Memory/);
});

test.run();
