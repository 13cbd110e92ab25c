/**
 * Cost of the symbolic layer (src/sym): for a medium model (the car: 5 states, 2 controls, the CACTO
 * cost family) and a larger one (the 3-DoF manipulator, M(q)^-1 by the adjugate), the time to build the
 * expressions and their derivatives, to emit the module, its size, the async compile time
 * (WebAssembly.compile, median of several distinct byte strings so no compile cache helps), and the
 * time per call of the generated functions vs the plain-TS evaluator.
 *
 *   node --import tsx bench/sym-compile.ts [--reps 5]
 */
import os from "node:os";
import {
  type Expr, type GenFunction, type GenStore, add, compileModule, constant, cos, count, div, dot, emitModule, evaluate,
  gradient, hessian, jacobian, mul, neg, powi, sin, softplus, sqrt, square, sub, sum, variables, MATH_NAMES,
} from "../src/sym/index.js";
import { manipulatorAccel as accel } from "../src/systems/defined.js";

const I32 = (n: number): "i32"[] => new Array<"i32">(n).fill("i32");
const storesOf = (param: number, es: Expr[]): GenStore[] => es.map((expr, index) => ({ param, index, expr }));
const block = (H: Expr[][], rows: number[], cols: number[]) => rows.flatMap((i) => cols.map((j) => H[i][j]));
const range = (a: number, n: number) => Array.from({ length: n }, (_, i) => a + i);

/** the shared cost family (spec section 1) at the point (px, py) */
function cost(px: Expr, py: Expr, u: Expr[] | null, w: { wd: number; wpeak: number; wob: number; wu: number; a2: number; target: [number, number]; umax: number[]; v?: Expr[]; wv?: number }): Expr {
  const dx = sub(px, w.target[0]), dy = sub(py, w.target[1]);
  const valley = sum(sqrt(add(square(dx), 0.1)), -0.1, sqrt(add(square(dy), 0.1)), -0.1, -2 * Math.sqrt(0.1));
  const peak = div(softplus(mul(-w.a2, valley)), w.a2);
  const obs = sum([[-2, 0, 6, 10], [3, 4, 12, 4], [3, -4, 12, 4]].map(([xc, yc, A, B]) =>
    div(softplus(mul(-50, sum(div(square(sub(px, xc)), (A / 2) ** 2), div(square(sub(py, yc)), (B / 2) ** 2), -1))), 50)));
  const ctrl = u ? sum(u.map((ui, i) => add(square(ui), mul(1 / w.wu, powi(div(ui, w.umax[i]), 10))))) : constant(0);
  const vel = w.v ? mul(w.wv ?? 0, sum(w.v.map(square))) : constant(0);
  return mul(1e-5, sum(mul(w.wd, add(square(dx), square(dy))), mul(-w.wpeak, peak), mul(w.wob, obs), mul(u ? w.wu : 0, ctrl), vel));
}

interface Model { name: string; nx: number; nu: number; f: (x: Expr[], u: Expr[]) => Expr[]; run: (x: Expr[], u: Expr[]) => Expr; term: (x: Expr[]) => Expr }

const dt = 0.05;
const CAR: Model = {
  name: "car", nx: 5, nu: 2,
  f: ([px, py, th, v, a], u) => {
    const ds = add(mul(dt, v), mul(0.5 * dt * dt, a));
    return [add(px, mul(ds, cos(th))), add(py, mul(ds, sin(th))), add(th, mul(dt, u[0])), add(v, mul(dt, a)), add(a, mul(dt, u[1]))];
  },
  run: (x, u) => cost(x[0], x[1], u, { wd: 100, wpeak: 5e5, wob: 5e6, wu: 10, a2: 5, target: [-7, 0], umax: [2, 1] }),
  term: (x) => cost(x[0], x[1], null, { wd: 100, wpeak: 5e5, wob: 5e6, wu: 10, a2: 5, target: [-7, 0], umax: [2, 1] }),
};

const L = 10, Mass = 0.5, Iz = (Mass * L * L) / 3;
const manipulatorAccel = (q: Expr[], v: Expr[], tau: Expr[]) => accel(q, v, tau, L, Mass, Iz);
const MANIP: Model = {
  name: "manipulator", nx: 6, nu: 3,
  f: (x, u) => {
    const q = x.slice(0, 3), v = x.slice(3), acc = manipulatorAccel(q, v, u);
    return [...q.map((qi, i) => add(qi, mul(dt, v[i]))), ...v.map((vi, i) => add(vi, mul(dt, acc[i])))];
  },
  run: (x, u) => { const [px, py] = endEffector(x); return cost(px, py, u, { wd: 100, wpeak: 5e5, wob: 5e6, wu: 1, a2: 50, target: [-20, 0], umax: [200, 200, 200] }); },
  term: (x) => { const [px, py] = endEffector(x); return cost(px, py, null, { wd: 100, wpeak: 5e5, wob: 5e6, wu: 1, a2: 50, target: [-20, 0], umax: [], v: x.slice(3), wv: 1e4 }); },
};
function endEffector(x: Expr[]): [Expr, Expr] {
  const a01 = add(x[0], x[1]), a012 = add(a01, x[2]);
  return [add(-7, mul(L, sum(cos(x[0]), cos(a01), cos(a012)))), mul(L, sum(sin(x[0]), sin(a01), sin(a012)))];
}

/** the five functions of the engine's model interface (assembly/models/registry.ts) */
function modelFunctions(m: Model): { fns: GenFunction[]; outputs: Expr[] } {
  const x = variables("x", m.nx), u = variables("u", m.nu), lam = variables("lam", m.nx);
  const X = range(0, m.nx), U = range(m.nx, m.nu), xu = [...x, ...u];
  const f = m.f(x, u), run = m.run(x, u), term = m.term(x);
  const Hf = hessian(dot(lam, f), xu), Hr = hessian(run, xu), gr = gradient(run, xu);
  const fns: GenFunction[] = [
    { name: "step", params: I32(4), result: null, inputs: { p: 0, x: 1, u: 2 }, stores: storesOf(3, f) },
    { name: "stepDiff", params: I32(5), result: null, inputs: { p: 0, x: 1, u: 2 }, stores: [...storesOf(3, jacobian(f, x).flat()), ...storesOf(4, jacobian(f, u).flat())] },
    { name: "stepHess", params: I32(7), result: "i32", returns: 1, inputs: { p: 0, x: 1, u: 2, lam: 3 }, stores: [...storesOf(4, block(Hf, X, X)), ...storesOf(5, block(Hf, U, U)), ...storesOf(6, block(Hf, U, X))] },
    {
      name: "running", params: I32(9), result: "f64", returns: run, inputs: { p: 0, x: 1, u: 2 }, stores: [],
      guarded: { flag: 3, stores: [...storesOf(4, gr.slice(0, m.nx)), ...storesOf(5, gr.slice(m.nx)), ...storesOf(6, block(Hr, X, X)), ...storesOf(7, block(Hr, U, U)), ...storesOf(8, block(Hr, U, X))] },
    },
    {
      name: "terminal", params: I32(5), result: "f64", returns: term, inputs: { p: 0, x: 1 }, stores: [],
      guarded: { flag: 2, stores: [...storesOf(3, gradient(term, x)), ...storesOf(4, hessian(term, x).flat())] },
    },
  ];
  const outputs = fns.flatMap((g) => [...g.stores, ...(g.guarded?.stores ?? [])].map((s) => s.expr as Expr).concat(g.result === "f64" ? [g.returns as Expr] : []));
  return { fns, outputs };
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function benchModel(m: Model, reps: number): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const { fns, outputs } = modelFunctions(m);
  const t1 = performance.now();
  const bytes = emitModule(fns);
  const t2 = performance.now();
  // compile alone (V8 may compile function bodies lazily, at their first call), and "ready": compile,
  // instantiate and call each function once
  const memory = new WebAssembly.Memory({ initial: reps + 1 });
  const math = Object.fromEntries(MATH_NAMES.map((n) => [n, Math[n]]));
  const compileMs: number[] = [], readyMs: number[] = [];
  for (let r = 0; r < reps; r++) {
    const distinct = emitModule(fns, { memoryMinPages: r }); // distinct bytes: no compile cache
    const c0 = performance.now();
    const mod = await WebAssembly.compile(distinct);
    const c1 = performance.now();
    const inst = await WebAssembly.instantiate(mod, { env: { memory }, math });
    const e = inst.exports as Record<string, (...a: number[]) => number>;
    e.step(0, 128, 256, 1024); e.stepDiff(0, 128, 256, 1024, 2048); e.stepHess(0, 128, 256, 384, 1024, 2048, 3072);
    e.running(0, 128, 256, 1, 1024, 2048, 3072, 4096, 5120); e.terminal(0, 128, 1, 1024, 2048);
    compileMs.push(c1 - c0);
    readyMs.push(performance.now() - c0);
  }
  const ex = await compileModule(fns, { memory, math });
  const F = new Float64Array(memory.buffer);
  const env = { x: range(0, m.nx).map((i) => 0.3 + 0.1 * i), u: range(0, m.nu).map((i) => 0.2 - 0.1 * i), lam: range(0, m.nx).map(() => 1), p: [0] };
  F.set(env.x, 16); F.set(env.u, 32); F.set(env.lam, 48);
  const [xp, up, lp, out] = [128, 256, 384, 1024];
  const perCall = (fn: () => void, n: number) => { for (let i = 0; i < 1000; i++) fn(); const s = performance.now(); for (let i = 0; i < n; i++) fn(); return ((performance.now() - s) / n) * 1e6; };
  const nsRunning = perCall(() => ex.running(0, xp, up, 1, out, out + 200, out + 400, out + 1200, out + 1600), 200000);
  const nsHess = perCall(() => ex.stepHess(0, xp, up, lp, out, out + 800, out + 1200), 200000);
  const running = fns[3];
  const evalOutputs = [running.returns as Expr, ...running.guarded!.stores.map((s) => s.expr as Expr)];
  const nsEvaluate = perCall(() => evaluate(evalOutputs, env), 2000);
  return {
    system: m.name, nx: m.nx, nu: m.nu, nodes: count(outputs), buildMs: +(t1 - t0).toFixed(1), emitMs: +(t2 - t1).toFixed(1),
    moduleBytes: bytes.length, compileMsMedian: +median(compileMs).toFixed(2), readyMsMedian: +median(readyMs).toFixed(2), readyMsAll: readyMs.map((v) => +v.toFixed(2)),
    nsPerRunningWithDerivs: +nsRunning.toFixed(0), nsPerStepHess: +nsHess.toFixed(0), nsPerEvaluateRunning: +nsEvaluate.toFixed(0),
  };
}

async function main(): Promise<void> {
  const i = process.argv.indexOf("--reps");
  const reps = i > 0 ? Number(process.argv[i + 1]) : 5;
  console.log(JSON.stringify({ node: process.version, cpu: os.cpus()[0]?.model, cores: os.cpus().length }));
  for (const m of [CAR, MANIP]) console.log(JSON.stringify(await benchModel(m, reps)));
}

main().catch((e) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });
